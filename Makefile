# kiroku: the two commands are `make run` and `make test`. Both install missing Debian packages,
# configure with CMake + Ninja and build; `make run` starts the server on its embedded default.
#   make run        build Release and start `kiroku serve` (127.0.0.1:4747, data in ./kiroku-data)
#   make test       build and run every test (unit + end to end) with CTest
#   make build      build only (Release)
#   make bench      build and run the benchmarks
#   make sanitize   build and test under AddressSanitizer + UBSan
#   make fuzz       bounded libFuzzer runs of every parser (clang), FUZZ_SECONDS each
#   make lint       clang-format --dry-run over src/ tests/ bench/, module READMEs' "Depends on"
#                   against CMake DEPS, file references in comments and docs, then a clang build
#                   of `kiroku` checking the GUARDED_BY annotations (-Werror=thread-safety)
#   make clean

BUILD_DIR ?= build/release
SAN_DIR ?= build/sanitize
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
ARGS ?=

.PHONY: run test build bench sanitize fuzz lint deps clean configure

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/src/app/kiroku serve $(ARGS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 900

bench: build
	bash scripts/run-benchmarks.sh $(BUILD_DIR)

sanitize: deps
	cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKIROKU_SANITIZE=ON -DBUILD_BENCH=OFF
	cmake --build $(SAN_DIR) -j $(JOBS)
	ctest --test-dir $(SAN_DIR) --output-on-failure -j $(JOBS) --timeout 900

FUZZ_DIR ?= build/fuzz
FUZZ_SECONDS ?= 60
fuzz:
	@bash scripts/install-deps.sh fuzz
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DBUILD_BENCH=OFF -DKIROKU_FUZZ=ON
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target filter_fuzz policy_fuzz fuzzers
	ctest --test-dir $(FUZZ_DIR) --output-on-failure -R filter_fuzz_smoke
	mkdir -p $(FUZZ_DIR)/policy-corpus
	$(FUZZ_DIR)/tests/policy/fuzz/policy_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -rss_limit_mb=1024 $(FUZZ_DIR)/policy-corpus tests/policy/fuzz_seeds
	bash scripts/run-fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# Debug without -g: the quickest clang build; the thread-safety analysis needs no optimiser.
LINT_DIR ?= build/lint
lint:
	@bash scripts/install-deps.sh lint
	bash scripts/check-format.sh
	python3 scripts/check-module-deps.py
	python3 scripts/check-references.py
	cmake -S . -B $(LINT_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DCMAKE_CXX_COMPILER=clang++ -DBUILD_TESTS=OFF -DBUILD_BENCH=OFF
	cmake --build $(LINT_DIR) -j $(JOBS) --target kiroku

clean:
	rm -rf build
