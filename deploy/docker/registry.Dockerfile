# planapi-registry image (gRPC on 50051). Build from the repository root:
#   docker build -f deploy/docker/registry.Dockerfile -t planapi/registry:<tag> .
# The six Dockerfiles in this folder differ only in the service name (and the gateway's web root).
#
# Build context: the whole repository is sent to the builder. No ignore file is kept here, so
# keep the context small with these .dockerignore lines, either at the repository root (read by
# every builder) or in deploy/docker/registry.Dockerfile.dockerignore (read by BuildKit only, which
# looks for <Dockerfile>.dockerignore first):
#   .git
#   build/
#   var/
#   **/node_modules/

# ---- build: Debian 12's toolchain and -dev packages (see TOOLCHAIN.md; the PostgreSQL server
# and ccache there are for local runs and tests, not needed to build a binary).
FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libboost1.81-dev \
      libpq-dev rapidjson-dev libabsl-dev catch2 libssl-dev libcurl4-openssl-dev libargon2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
 && cmake --build build --target planapi-registry

# ---- runtime: only the shared libraries the binaries link against.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libgrpc++1.51 libprotobuf32 libabsl20220623 libpq5 libssl3 \
      libcurl4 libargon2-1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 planapi \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin planapi
COPY --from=build /src/build/bin/planapi-registry /usr/local/bin/planapi-registry
# Fail the image build, not the pod, when a library the binary needs is missing.
RUN if ldd /usr/local/bin/planapi-registry | grep 'not found'; then exit 1; fi
USER 10001
# Every backend listens on 50051 in a container (their different defaults are for one host).
ENV PLANAPI_GRPC_PORT=50051
EXPOSE 50051
ENTRYPOINT ["/usr/local/bin/planapi-registry"]
