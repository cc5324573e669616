# Front end for the CMake presets. `make demo` and `make test` are the two Quick start commands.
JOBS ?= $(shell nproc)
CLI := build/release/apps/cli/tradeloop

.PHONY: setup release asan debug demo test test-release test-asan bench format clean

setup:
	@bash scripts/setup.sh

release: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

debug: setup
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

demo: release
	@bash scripts/demo.sh $(CLI)

# Unit tests run under ASan+UBSan; integration, golden and slow tests run on the release build.
test: test-release test-asan

test-release: release
	@ctest --preset release -j $(JOBS) -LE '^unit$$'

test-asan: asan
	@ctest --preset asan -j $(JOBS) -L '^unit$$'

bench: release
	@bash scripts/bench.sh

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	@rm -rf build
