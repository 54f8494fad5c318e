#!/bin/sh
# make install's library as a program and a Python user get it: installed
# into a temporary prefix, a C program builds against it with
# `pkg-config --cflags --libs simplan` (and against libsimplan.a with
# --static), a CMake project with find_package(simplan), and the
# installed Python package loads the installed library; all give the
# probabilities of the command in the build tree. The shared library
# exports only simplan_* and carries its SONAME.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"
pc=$(find "$prefix" -name simplan.pc)
[ -n "$pc" ] || { echo "no simplan.pc installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH=$(dirname "$pc")
scenario=$prefix/share/simplan/scenarios/minimal.cfg

# Exports and SONAME.
so=$libdir/libsimplan.so.0
objdump -p "$so" | grep -q 'SONAME *libsimplan.so.0' ||
    { echo "libsimplan.so.0 has no SONAME libsimplan.so.0"; exit 1; }
bad=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^simplan_' |
      grep -v '^SIMPLAN_0$' || true)
[ -z "$bad" ] || { echo "libsimplan exports more than simplan_*: $bad"; exit 1; }

cat >"$tmp/prog.c" <<'C'
#include <simplan.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    simplan_scenario *sc = NULL;
    simplan_result *r = NULL;
    simplan_error err;
    simplan_run_options opt;
    simplan_run_options_init(&opt);
    opt.draws = 20000;
    if (argc != 2 || simplan_scenario_load(argv[1], &sc, &err) != SIMPLAN_OK ||
        simplan_run(sc, &opt, &r, &err) != SIMPLAN_OK) {
        fprintf(stderr, "%s\n", argc == 2 ? err.message : "usage");
        return 1;
    }
    int st = simplan_result_write(r, SIMPLAN_FORMAT_CSV, stdout, &err);
    simplan_result_free(r);
    simplan_scenario_free(sc);
    return st == SIMPLAN_OK ? 0 : 1;
}
C
"$build/simplan" run "$scenario" --draws 20000 --format csv >"$tmp/expected.csv"

# pkg-config, shared.
cc -std=c11 -Wall -Werror "$tmp/prog.c" $(pkg-config --cflags --libs simplan) \
   -o "$tmp/prog"
LD_LIBRARY_PATH=$libdir "$tmp/prog" "$scenario" >"$tmp/shared.csv"
cmp "$tmp/expected.csv" "$tmp/shared.csv"
# The header is C++ too.
c++ -x c++ -fsyntax-only $(pkg-config --cflags simplan) "$tmp/prog.c"

# pkg-config --static, against libsimplan.a.
cc -std=c11 "$tmp/prog.c" $(pkg-config --cflags simplan) "$libdir/libsimplan.a" \
   $(pkg-config --static --libs simplan | sed 's/-lsimplan//') -o "$tmp/prog_static"
if objdump -p "$tmp/prog_static" | grep -q 'NEEDED.*libsimplan'; then
    echo "the static program needs libsimplan.so"; exit 1
fi
"$tmp/prog_static" "$scenario" >"$tmp/static.csv"
cmp "$tmp/expected.csv" "$tmp/static.csv"

# CMake: find_package(simplan) and simplan::simplan.
mkdir "$tmp/cm"
cp "$tmp/prog.c" "$tmp/cm/prog.c"
cat >"$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.18)
project(uses_simplan C)
find_package(simplan 0.1 REQUIRED)
add_executable(prog prog.c)
target_link_libraries(prog PRIVATE simplan::simplan)
CM
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$prefix" \
      >"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; exit 1; }
cmake --build "$tmp/cm/build" >>"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; exit 1; }
LD_LIBRARY_PATH=$libdir "$tmp/cm/build/prog" "$scenario" >"$tmp/cmake.csv"
cmp "$tmp/expected.csv" "$tmp/cmake.csv"

# Python: the installed package finds the installed library by itself
# (no SIMPLAN_LIBRARY, run from outside the source tree).
pydir=$(find "$prefix" -type d -name simplan -path '*dist-packages*')
[ -n "$pydir" ] || { echo "no Python package installed"; exit 1; }
( cd "$tmp" && env -u SIMPLAN_LIBRARY PYTHONPATH="$(dirname "$pydir")" \
    /usr/bin/python3 - "$scenario" "$prefix" >"$tmp/python.csv" <<'PY'
import sys
import simplan
result = simplan.run(sys.argv[1], draws=20000)
loaded = [line.split()[-1] for line in open("/proc/self/maps")
          if "libsimplan.so" in line]
if not loaded or not all(p.startswith(sys.argv[2]) for p in loaded):
    sys.exit("the installed package loaded %s" % loaded)
sys.stdout.write(result.to_string("csv"))
PY
)
cmp "$tmp/expected.csv" "$tmp/python.csv"
echo "installed library, pkg-config (shared, static), CMake and Python agree"
