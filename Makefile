# The two commands: `make run` and `make test` (README.md). Everything else is for developers.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CONFIG ?=
CMAKE_FLAGS ?=

.PHONY: run test bench bench-flood build configure bootstrap format lint clean asan tsan ui

bootstrap-%:
	@scripts/bootstrap $*

configure:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCONFPRO_WERROR=ON $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

ui:
	@if [ -f ui/package.json ]; then cd ui && npm run --silent build; fi

run: bootstrap-run build ui
	@mkdir -p var
	exec $(BUILD)/src/app/confpro $(if $(CONFIG),--config $(CONFIG)) serve

test: bootstrap-test build ui
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

bench: bootstrap-bench build
	@scripts/bench $(BUILD)

# A flood from one source while legitimate callers dial (issue 11): connect ratio, set-up latency, flooder's calls.
bench-flood: bootstrap-test build
	@cd tests/sip && python3 sip_it.py flood_bench --harness $(abspath $(BUILD))/tests/sip/sip_harness \
	  --confpro $(abspath $(BUILD))/src/app/confpro --prompt-cache $(abspath $(BUILD))/tests/sip/prompt-cache --sipp sipp

asan:
	@$(MAKE) test BUILD=build-asan CMAKE_FLAGS=-DCONFPRO_SANITIZE=address
tsan:
	@$(MAKE) test BUILD=build-tsan CMAKE_FLAGS=-DCONFPRO_SANITIZE=thread

format: configure
	@cmake --build $(BUILD) --target format
lint: configure
	@cmake --build $(BUILD) --target lint

clean:
	rm -rf $(BUILD) build-asan build-tsan
