# The two commands: `make run` and `make test` (README.md). Everything else is for developers.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CONFIG ?=
CMAKE_FLAGS ?=
# Unity-built component libraries and unit tests (cmake/confpro.cmake; scripts/sanitize's trees use them too): a
# whole -O2 tree from scratch took 902 s of CPU instead of 1,255 s. UNITY=OFF for file-by-file incremental builds.
UNITY ?= ON

.PHONY: run test check bench bench-sip bench-flood bench-login bench-notify build configure bootstrap format lint clean asan tsan fuzz asan-smoke \
  tsan-smoke fuzz-smoke ui

bootstrap-%:
	@scripts/bootstrap $*

configure:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCONFPRO_WERROR=ON -DCONFPRO_UNITY=$(UNITY) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

ui:
	@if [ -f ui/package.json ]; then cd ui && npm run --silent build; fi

run: bootstrap-run build ui
	@mkdir -p var
	exec $(BUILD)/src/app/confpro $(if $(CONFIG),--config $(CONFIG)) serve

# Every test: bounded fuzzing, ASan+UBSan and TSan runs (scripts/sanitize), then the suite; all run, any failure fails.
# The SIP torture, hostile-mutation and dialog-fuzz cases run once, against the ASan-built server (the stronger
# check: same cases, same assertions, memory errors caught); `make check` alone runs them against the main build.
SANITIZED_ONLY = ^sip_it\.(rfc4475_udp|rfc4475_tcp|hostile|dialog_fuzz)$$$$
test: bootstrap-test build ui
	@status=0; \
	  scripts/sanitize fuzz smoke || status=1; \
	  scripts/sanitize asan smoke || status=1; \
	  scripts/sanitize tsan smoke || status=1; \
	  $(MAKE) --no-print-directory check CHECK_EXCLUDE='$(SANITIZED_ONLY)' || status=1; \
	  exit $$status

# CHECK_JOBS tests at a time, of which at most JOBS keep a CPU busy (CONFPRO_CPU_TEST_PROPERTIES, cmake/confpro.cmake:
# CTest's resource `cpus`, JOBS slots); the others mostly wait on real-time prompts and protocol timers and fill
# the remaining places.
CHECK_EXCLUDE ?=
CHECK_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))
check:
	@printf '{"version":{"major":1,"minor":0},"local":[{"cpus":[{"id":"0","slots":%d}]}]}\n' $(JOBS) > $(BUILD)/cpus.json
	@cd $(BUILD) && ctest --output-on-failure -j $(CHECK_JOBS) --resource-spec-file cpus.json --timeout 600 \
	  $(if $(CHECK_EXCLUDE),-E '$(CHECK_EXCLUDE)')

bench: bootstrap-bench build
	@scripts/bench $(BUILD)

# One SIP-joined load run (issue 17; `make bench` runs it RUNS times at 200, 500 and 1,000 participants): callers
# join `confpro serve` over SIP, then bench/media_load loads and measures (BENCH_SIP_ARGS, e.g. --participants 1000).
bench-sip: bootstrap-bench build
	@sh tests/web/loopback_only.sh python3 bench/sip_load.py --confpro $(abspath $(BUILD))/src/app/confpro \
	  --media-load $(abspath $(BUILD))/bench/media_load --prompt-cache $(abspath $(BUILD))/tests/sip/prompt-cache \
	  --sipp sipp $(BENCH_SIP_ARGS)

# A flood from one source while legitimate callers dial (issue 11): connect ratio, set-up latency, flooder's calls.
bench-flood: bootstrap-test build
	@cd tests/sip && python3 sip_it.py flood_bench --harness $(abspath $(BUILD))/tests/sip/sip_harness \
	  --confpro $(abspath $(BUILD))/src/app/confpro --prompt-cache $(abspath $(BUILD))/tests/sip/prompt-cache --sipp sipp

# 50 concurrent LDAP logins against a caller's IVR prompts (issue 14): prompt onset and pacing, login p50/p99.
bench-login: bootstrap-test build ui
	@CONFPRO_BINARY=$(abspath $(BUILD))/src/app/confpro CONFPRO_CALL_DRIVER=$(abspath $(BUILD))/tests/web/call_driver \
	  node tests/web/bench_login_ivr.mjs

# Notifications (issue 15): booking saved -> mail accepted p50/p99 over 50 bookings, then 1,000 bookings in a burst all
# delivered once while the web and SIP paths are probed (tests/notify/bench_notify.py; BENCH_NOTIFY_ARGS to change).
bench-notify: bootstrap-test build
	@sh tests/web/loopback_only.sh /usr/bin/python3 tests/notify/bench_notify.py $(abspath $(BUILD))/src/app/confpro \
	  $(abspath $(BUILD))/tests/sip/prompt-cache $(BENCH_NOTIFY_ARGS)

# The whole suite under ASan+UBSan or TSan, and each fuzzer for FUZZ_SECONDS (600): long runs, not in `make test`.
asan: bootstrap-test ui
	@$(MAKE) --no-print-directory build check BUILD=build-asan CMAKE_FLAGS=-DCONFPRO_SANITIZE=address
tsan: bootstrap-test ui
	@$(MAKE) --no-print-directory build check BUILD=build-tsan CMAKE_FLAGS=-DCONFPRO_SANITIZE=thread
fuzz: bootstrap-test
	@scripts/sanitize fuzz full
asan-smoke tsan-smoke fuzz-smoke: bootstrap-test
	@scripts/sanitize $(@:-smoke=) smoke

format: configure
	@cmake --build $(BUILD) --target format
lint: configure
	@cmake --build $(BUILD) --target lint

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
