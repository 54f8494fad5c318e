#!/bin/sh
# The repository cites only files inside itself: no tracked file names the
# outside design file or a path into the shared folder beside it, and
# every citation of a section of the model document (doc/model.md followed
# by a section number) names a section heading that exists in
# doc/model.md; so do the section cross-references inside doc/model.md.
#
# Files are those git tracks when SOURCE_DIR is the top of a git checkout,
# and otherwise (a release tarball) every regular text file below
# SOURCE_DIR outside .git and build directories. The checks are first run
# on a planted tree with one defect of each kind, so a scanner that finds
# nothing cannot pass.
# usage: test_docs.sh SOURCE_DIR
set -u
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 SOURCE_DIR" >&2
  exit 2
fi
src=$(cd "$1" && pwd -P)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
LC_ALL=C; export LC_ALL
# Built from pieces so that this file does not match itself.
outside='DESIGN[.]md|[.][.]/shared([^A-Za-z0-9_]|$)'
section='§[0-9]+([.][0-9]+)*'

# Lists the files to check of tree $1, one per line, relative to $1.
list_files() {
  top=$(git -C "$1" rev-parse --show-toplevel 2>/dev/null || true)
  if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$1" ]; then
    git -C "$1" ls-files
  else
    (cd "$1" && find . \( -name .git -o -name 'build*' \) -prune -o \
       -type f -print | sed 's|^\./||')
  fi
}

# Runs grep with the arguments given on every file of tree $1 (in $1).
grep_files() {
  tree=$1; shift
  (cd "$tree" && list_files "$tree" | tr '\n' '\0' |
     xargs -0 grep -s -I -H "$@")
  true
}

# Writes to $2 every "file:line:text" of tree $1 that cites an outside
# file; binary files are skipped.
find_outside() {
  grep_files "$1" -n -E "$outside" > "$2"
}

# Writes to $2 the section numbers of the headings of $1/doc/model.md
# ("## 3. Indicators" gives 3, "### 3.2 The driver" gives 3.2).
sections_of() {
  sed -n 's/^#\{1,6\} \{1,\}\([0-9][0-9.]*[0-9]\)\.\{0,1\} .*/\1/p;
          s/^#\{1,6\} \{1,\}\([0-9]\)\.\{0,1\} .*/\1/p' \
    "$1/doc/model.md" 2>/dev/null | sort -u > "$2"
}

# Writes to $2 every "file: §N.M" of tree $1 whose section does not exist:
# every section named in a file that cites doc/model.md (so a citation
# wrapped over two lines is checked too) and in doc/model.md itself.
find_dangling() {
  sections_of "$1" "$tmp/sections"
  grep_files "$1" -l -F doc/model.md > "$tmp/citing"
  [ -f "$1/doc/model.md" ] && echo doc/model.md >> "$tmp/citing"
  (cd "$1" && sort -u "$tmp/citing" | tr '\n' '\0' |
     xargs -0 grep -s -I -H -o -E "$section") |
    awk -v known="$tmp/sections" '
      BEGIN { while ((getline s < known) > 0) ok[s] = 1 }
      {
        f = $0; sub(/:[^:]*$/, "", f); s = substr($0, length(f) + 4)
        if (!(s in ok)) print f ": §" s
      }' | sort -u > "$2"
}

# The scanner itself, on a planted tree with one defect of each kind.
plant=$tmp/plant
mkdir -p "$plant/doc" "$plant/model" "$plant/bench"
# The section sign is written through a variable, so that this file
# (which names doc/model.md) holds no section numbers of its own.
S='§'
printf '# m\n\n## 1. One\n\n### 1.2 Two\n\nSee %s1.2 and %s1.\n' "$S" "$S" \
  > "$plant/doc/model.md"
printf '/* the model (%s%s 2.1) */\n' DESIGN .md > "$plant/model/a.h"
printf 'see ..%s\n' /shared/CONVENTIONS.md > "$plant/bench/notes.md"
printf '/* (doc/model%s %s1.2,\n * %s7.4) */\n' .md "$S" "$S" > "$plant/model/b.h"
find_outside "$plant" "$tmp/hits"
if grep -q '^model/a.h:1:' "$tmp/hits" && grep -q '^bench/notes.md:1:' "$tmp/hits" &&
   [ "$(wc -l < "$tmp/hits")" -eq 2 ]; then
  ok "the scanner finds a planted outside citation of each kind"
else
  bad "planted outside citations" "found: $(cat "$tmp/hits")"
fi
find_dangling "$plant" "$tmp/hits"
if [ "$(cat "$tmp/hits")" = "model/b.h: ${S}7.4" ]; then
  ok "the scanner finds a planted citation of a missing section"
else
  bad "planted missing section" "found: $(cat "$tmp/hits")"
fi

# The repository.
if [ -s "$src/doc/model.md" ]; then
  ok "doc/model.md exists"
else
  bad "doc/model.md" "missing or empty"
fi
list_files "$src" > "$tmp/files"
if [ "$(wc -l < "$tmp/files")" -gt 20 ]; then
  ok "$(wc -l < "$tmp/files") files to check"
else
  bad "file list" "only $(wc -l < "$tmp/files") files found in $src"
fi
find_outside "$src" "$tmp/hits"
if [ -s "$tmp/hits" ]; then
  bad "no file cites a file outside the repository" "$(head -n 20 "$tmp/hits")"
else
  ok "no file cites a file outside the repository"
fi
find_dangling "$src" "$tmp/hits"
sections_of "$src" "$tmp/sections"
if [ ! -s "$tmp/sections" ]; then
  bad "section headings" "doc/model.md has no numbered section headings"
elif [ -s "$tmp/hits" ]; then
  bad "every cited section of doc/model.md exists" "$(head -n 20 "$tmp/hits")"
else
  ok "every cited section of doc/model.md exists ($(wc -l < "$tmp/sections") sections)"
fi
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
