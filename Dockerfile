# syntax=docker/dockerfile:1
#
# Application Links: two images from one Dockerfile, each one static binary.
#   default target   /applinks, the service: REST API, embedded SPA, workers, SSO. The release
#                    build: no simulator inside (/__sim/ answers 404), no demo
#   target whmsim    /whmsim, the cPanel / WP Squared simulator, for trying the product
#                    (docs/simulator.md, docker-compose.yml)
#
#   docker build -t applinks .
#   docker run --rm -p 8080:8080 -v applinks-data:/data applinks          # embedded SQLite
#   docker build --target whmsim -t applinks-whmsim . && docker run --rm applinks-whmsim -help
#
# Needs BuildKit (the default builder since Docker 23). The first two stages run on the
# build machine's platform and cross-compile, so `docker buildx build --platform
# linux/amd64,linux/arm64` needs no emulation.

ARG NODE_VERSION=20
ARG GO_VERSION=1.26

# --- 1. The SPA: frontend/dist ------------------------------------------------------------
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION} AS web
WORKDIR /src/frontend
# The manifests alone first, so that `npm ci` is cached until a dependency changes.
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- 2. The Go binaries ---------------------------------------------------------------------
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS gosrc
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY api/ api/
# CGO off: the SQLite driver is pure Go, so the binaries are static and run on distroless.
ENV CGO_ENABLED=0

# The service, without -tags demo: the simulator is not compiled in.
FROM gosrc AS build
ARG TARGETOS
ARG TARGETARCH
# Besides api/: docs/ (the OpenAPI package the REST server imports to serve /api/docs) and
# the frontend package's embed.go.
COPY docs/ docs/
COPY frontend/embed.go frontend/
# The built SPA replaces the placeholder dist/ before `go build` embeds it.
COPY --from=web /src/frontend/dist/ frontend/dist/
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    test -f frontend/dist/index.html && \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags "-s -w" -o /out/applinks ./api/cmd/applinks && \
    mkdir -p /out/data

# The simulator, built only for the whmsim target.
FROM gosrc AS build-whmsim
ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags "-s -w" -o /out/whmsim ./api/cmd/whmsim

# --- 3. Runtime -----------------------------------------------------------------------------
# distroless/static: CA certificates, tzdata, /etc/passwd with the nonroot user (65532) and
# nothing else (no shell, no package manager).

# The simulator's image (docker build --target whmsim); the compose file runs it beside the
# service.
FROM gcr.io/distroless/static-debian12:nonroot AS whmsim
COPY --from=build-whmsim /out/whmsim /
USER 65532:65532
ENTRYPOINT ["/whmsim"]

# The service's image: the last stage, so the default target.
FROM gcr.io/distroless/static-debian12:nonroot AS applinks
COPY --from=build /out/applinks /
# /data belongs to the nonroot user so that a fresh named volume mounted there is writable
# (Docker copies the image directory's ownership into an empty volume).
COPY --from=build --chown=65532:65532 /out/data /data
ENV APPLINKS_ADDR=:8080 \
    APPLINKS_DATA_DIR=/data
# With the embedded SQLite default, the database and the generated secret.key live here.
# With MySQL (APPLINKS_DATABASE_URL) nothing is written to it.
VOLUME ["/data"]
EXPOSE 8080
# GET /metrics has a listener of its own, APPLINKS_METRICS_ADDR, by default 127.0.0.1:9100:
# inside the container only. Where a scraper must reach it, set 0.0.0.0:9100 and publish
# 9100 (docker-compose.yml and deploy/kubernetes do).
USER 65532:65532
# No HEALTHCHECK: distroless has no shell, curl or wget to run one, and the binary has no
# self-check mode. Orchestrators probe the HTTP endpoints instead: GET /healthz (the process
# is alive) and GET /readyz (the database answers). See deploy/kubernetes/deployment.yaml;
# docker-compose.yml explains why it has none for this service.
ENTRYPOINT ["/applinks"]
