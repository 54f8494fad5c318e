# Quick start: `make run` and `make test` each set everything up on a fresh
# Debian 12 machine (as root: missing packages are installed with apt-get),
# configure, build, and then run the baseline scenario / the whole suite.

BUILD      ?= build
BUILD_SAN  ?= build-sanitize
BUILD_MIN  ?= build-minimal
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEB_PKGS    = build-essential cmake pkg-config libgsl-dev libconfig-dev \
              libcmocka-dev libjansson-dev nettle-dev \
              libplplot-dev plplot-driver-cairo libopenmpi-dev openmpi-bin \
              slurm-wlm munge valgrind python3 clang libclang-rt-14-dev \
              clang-format python3-numpy python3-scipy python3-libconf \
              python3-pandas python3-pytest python3-matplotlib

.PHONY: all deps bench-deps build build-sanitize build-minimal build-fuzz \
        fuzz fuzz-short run test bench install clean

all: build

deps:
	@./scripts/install-deps.sh $(DEB_PKGS)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD_SAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug \
	      -DSIMPLAN_SANITIZE=ON -DSIMPLAN_WERROR=ON

build-sanitize: deps $(BUILD_SAN)/CMakeCache.txt
	cmake --build $(BUILD_SAN) -j $(JOBS)

# Without the optional parts (JSON, plots, MPI): the rest must build and pass.
$(BUILD_MIN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_MIN) -DCMAKE_BUILD_TYPE=Release \
	      -DSIMPLAN_JSON=OFF -DSIMPLAN_PLOTS=OFF -DSIMPLAN_MPI=OFF \
	      -DSIMPLAN_WERROR=ON

build-minimal: deps $(BUILD_MIN)/CMakeCache.txt
	cmake --build $(BUILD_MIN) -j $(JOBS)

# libFuzzer harnesses (tests/fuzz/README.md): clang, ASan + UBSan, -O1 with
# asserts; only the libraries and the harnesses are built.
$(BUILD_FUZZ)/CMakeCache.txt:
	CC=clang CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug \
	      -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DSIMPLAN_FUZZ=ON -DBUILD_TESTING=OFF \
	      -DSIMPLAN_OPENMP=OFF -DSIMPLAN_MPI=OFF -DSIMPLAN_PLOTS=OFF \
	      -DSIMPLAN_JSON=OFF

build-fuzz: deps $(BUILD_FUZZ)/CMakeCache.txt
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_config fuzz_expr fuzz_data fuzz_state

# Seconds per harness; the harnesses run side by side, one core each.
FUZZ_TIME       ?= 120
FUZZ_SHORT_TIME ?= 25

fuzz: build-fuzz
	./tests/fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_TIME)

# The short run that ends `make test`, from a fixed libFuzzer seed so that
# the inputs it tries are the same on every machine (up to how many it gets
# through in the time).
fuzz-short: build-fuzz
	FUZZ_FLAGS="$${FUZZ_FLAGS:--seed=1}" ./tests/fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SHORT_TIME)

run: build
	./$(BUILD)/simplan run scenarios/baseline.cfg

test: build build-sanitize build-minimal build-fuzz
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD_MIN) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD_SAN) && ASAN_OPTIONS=detect_leaks=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz-short

bench-deps:
	@./scripts/install-deps.sh python3-numpy python3-scipy python3-libconf time

# The benchmark harness (bench/run.sh, bench/backtest.sh, bench/core.sh,
# bench/variance.sh): about 15 minutes on 2 cores. Everything it prints
# goes to bench/latest.md, and into the generated section at the end of
# bench/RESULTS.md (bench/update_results.py); the analysis above it is
# written from those figures.
bench: build bench-deps
	{ ./bench/run.sh $(BUILD)/simplan && \
	  ./bench/backtest.sh $(BUILD)/simplan && \
	  ./bench/core.sh $(BUILD)/simplan && \
	  ./bench/variance.sh $(BUILD)/simplan; } > bench/latest.md.tmp
	mv bench/latest.md.tmp bench/latest.md
	/usr/bin/python3 bench/update_results.py bench/RESULTS.md bench/latest.md
	cat bench/latest.md

# Installs the command, the man page, the scenarios, libsimplan (shared
# and static), simplan.h, simplan.pc, the CMake package and the Python
# package under PREFIX.
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_MIN) $(BUILD_FUZZ)
