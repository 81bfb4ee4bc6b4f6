# syntax=docker/dockerfile:1
#
# Application Links: one image holding two static binaries.
#   /applinks  the service (default entrypoint): REST API, embedded SPA, workers, SSO
#   /whmsim    the cPanel / WP Squared simulator, for trying the product (docs/simulator.md)
#
#   docker build -t applinks .
#   docker run --rm -p 8080:8080 -v applinks-data:/data applinks          # embedded SQLite
#   docker run --rm --entrypoint /whmsim applinks -help
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
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
# Only what the two binaries compile from: api/, docs/ (the generated OpenAPI package the
# REST server imports to serve /api/docs) and the frontend package's embed.go.
COPY api/ api/
COPY docs/ docs/
COPY frontend/embed.go frontend/
# The built SPA replaces the placeholder dist/ before `go build` embeds it.
COPY --from=web /src/frontend/dist/ frontend/dist/
# CGO off: the SQLite driver is pure Go, so the binaries are static and run on distroless.
ENV CGO_ENABLED=0
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    test -f frontend/dist/index.html && \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags "-s -w" -o /out/applinks ./api/cmd/applinks && \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags "-s -w" -o /out/whmsim ./api/cmd/whmsim && \
    mkdir -p /out/data

# --- 3. Runtime -----------------------------------------------------------------------------
# distroless/static: CA certificates, tzdata, /etc/passwd with the nonroot user (65532) and
# nothing else (no shell, no package manager).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/applinks /out/whmsim /
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
