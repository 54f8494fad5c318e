#!/bin/sh
# The layers point one way: model <- src/input <- src/engine <- src/output
# <- src/cmd <- src/api (libsimplan's public interface, include/simplan.h)
# <- src/cli (the `simplan` command, which may include only simplan.h and
# its own headers). Every quoted #include of every source file is checked against
# the folders its layer may use, and the output layer may read the engine's
# result and state but not the drivers behind them (the OpenMP Monte Carlo,
# MPI, scenario discovery). model/ includes only libc and GSL.
# Usage: test_layers.sh SOURCE_DIR
set -u
root=$1
fail=0

# The folder of the header a quoted include names, or "?" if none has it.
where() {
    for d in model src/input src/engine src/output src/cmd include src/cli; do
        [ -f "$root/$d/$1" ] && { echo "$d"; return; }
    done
    echo "?"
}

check() { # check FOLDER "ALLOWED FOLDERS" "FORBIDDEN HEADERS"
    folder=$1 allowed=$2 forbidden=$3
    for f in "$root/$folder"/*.c "$root/$folder"/*.h; do
        [ -f "$f" ] || continue
        grep -o '^#include "[^"]*"' "$f" | sed 's/#include "\(.*\)"/\1/' |
        while read -r h; do
            d=$(where "$h")
            case " $allowed " in
            *" $d "*) ;;
            *) echo "layer violation: ${f#$root/} includes $h ($d)"
               echo x >>"$tmp" ;;
            esac
            case " $forbidden " in
            *" $h "*) echo "layer violation: ${f#$root/} includes $h"
                      echo x >>"$tmp" ;;
            esac
        done
    done
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
check model "model" ""
check src/input "model src/input" ""
check src/engine "model src/input src/engine" ""
check src/output "model src/input src/engine src/output" \
      "sp_mc.h sp_mpi.h sp_discover.h"
check src/cmd "model src/input src/engine src/output src/cmd" ""
check src/api "model src/input src/engine src/output src/cmd include" ""
check src/cli "include src/cli" ""
# The public header includes nothing of the project.
check include "" ""

# model/: system headers only from libc and GSL (C11's threads.h is libc:
# call_once builds the inline normals' table once, model/sp_rng.c).
for f in "$root"/model/*.c "$root"/model/*.h; do
    grep -o '^#include <[^>]*>' "$f" | sed 's/#include <\(.*\)>/\1/' |
    while read -r h; do
        case $h in
        gsl/*|assert.h|errno.h|float.h|inttypes.h|limits.h|math.h|stdarg.h|\
        stdbool.h|stddef.h|stdint.h|stdio.h|stdlib.h|string.h|threads.h) ;;
        *) echo "layer violation: ${f#$root/} includes <$h> (model/ is libc + GSL)"
           echo x >>"$tmp" ;;
        esac
    done
done

if [ -s "$tmp" ]; then
    echo "$(wc -l <"$tmp") layer violations"
    exit 1
fi
echo "layers: every include points down"
