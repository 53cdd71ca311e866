# One image per controller, built from this one file:
#   docker build --target source-controller -t ghcr.io/weir/source-controller:0.1.0 .
# or every image at once with `make images` (needs a container engine: docker or podman).
# The builder is Debian 12 with the same packages scripts/setup installs; the runtime is
# debian:12-slim with only the shared libraries the binaries load, running as a non-root user.

FROM debian:12 AS builder
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -q && apt-get install -y -q --no-install-recommends \
      g++ cmake ninja-build pkg-config git ca-certificates \
      libboost1.81-all-dev libssl-dev libgit2-dev libyaml-dev rapidjson-dev \
      libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc \
      libsqlite3-dev zlib1g-dev libarchive-dev libfmt-dev libre2-dev catch2 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ARG TARGETS="source-controller kustomize-controller helm-controller notification-controller image-automation-controller weir"
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    && for t in $TARGETS; do \
         if cmake --build /build --target help | grep -q "^$t:"; then cmake --build /build --target "$t"; fi; \
       done \
    && mkdir -p /out && for t in $TARGETS; do [ ! -f /build/bin/$t ] || cp /build/bin/$t /out/; done

FROM debian:12-slim AS runtime
RUN apt-get update -q && apt-get install -y -q --no-install-recommends \
      ca-certificates libgit2-1.5 libssl3 libyaml-0-2 libgrpc++1.51 libprotobuf32 \
      libsqlite3-0 zlib1g libarchive13 libfmt9 libre2-9 openssh-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 65532 --user-group --no-create-home --home-dir /nonexistent weir
USER 65532:65532

FROM runtime AS source-controller
COPY --from=builder /out/source-controller /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/source-controller"]

FROM runtime AS kustomize-controller
COPY --from=builder /out/kustomize-controller /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/kustomize-controller"]

FROM runtime AS helm-controller
COPY --from=builder /out/helm-controller /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/helm-controller"]

FROM runtime AS notification-controller
COPY --from=builder /out/notification-controller /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/notification-controller"]

FROM runtime AS image-automation-controller
COPY --from=builder /out/image-automation-controller /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/image-automation-controller"]

FROM runtime AS weir
COPY --from=builder /out/weir /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/weir"]
