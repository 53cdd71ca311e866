# The README's words as targets. `make test` is what CI runs (.ci/run).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
SANITIZE ?=
CTEST_FLAGS ?=

ifneq ($(SANITIZE),)
  BUILD := build-sanitize
  CMAKE_FLAGS += -DWEIR_SANITIZE=$(SANITIZE) -DCMAKE_BUILD_TYPE=Debug
  export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
endif

.PHONY: setup configure build test unit demo fuzz bench format clean images

setup:
	@scripts/setup

configure: setup
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) > /dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_FLAGS)

unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

demo: build
	@$(BUILD)/bin/weir dev up --repo manifests/examples

fuzz: setup
	@cmake -S . -B build-fuzz -G Ninja -DWEIR_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DWEIR_WERROR=OFF > /dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/fuzz build-fuzz/fuzz

# Every benchmark next to its reference; writes docs/benchmarks.md. WEIR_BENCH_QUICK=1 make bench: small
# sizes, written to $(BUILD)/bench/benchmarks-quick.md instead.
bench: build
	@scripts/bench $(BUILD)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# Container images, one per controller (Dockerfile targets). Needs a container engine (docker or
# podman; CONTAINER_ENGINE=podman), which the development machines do not have.
CONTAINER_ENGINE ?= docker
REGISTRY ?= ghcr.io/weir
VERSION ?= 0.1.0
IMAGES ?= source-controller kustomize-controller helm-controller notification-controller image-automation-controller
images:
	@$(CONTAINER_ENGINE) info > /dev/null 2>&1 || { echo "make images needs a running container engine: '$(CONTAINER_ENGINE) info' failed (set CONTAINER_ENGINE=podman to use podman)"; exit 1; }
	@for i in $(IMAGES); do $(CONTAINER_ENGINE) build --target $$i -t $(REGISTRY)/$$i:$(VERSION) . || exit 1; done

clean:
	@rm -rf $(BUILD) build-sanitize build-fuzz
