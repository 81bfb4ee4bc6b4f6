# applinks: the two commands are `make run` and `make test`.
GO      ?= go
NPM     ?= npm
SWAG    := $(GO) tool swag init -q -g server.go -d api/rest,api/links -o docs --outputTypes json --requiredByDefault
FE      := frontend
STAMP   := $(FE)/node_modules/.installed

.PHONY: run build binaries spa docs docs-check lint lint-go lint-frontend test test-go test-frontend e2e bench reliability clean

## run: build the SPA and the binaries, then start the demo binary on SQLite with the demo (simulated
## servers, clients, services), on loopback only: the simulator's pages at /__sim/ sign anyone in
RUN_PORT ?= 8080
run: build
	APPLINKS_ADDR=127.0.0.1:$(RUN_PORT) APPLINKS_PUBLIC_URL=http://localhost:$(RUN_PORT) \
		APPLINKS_DEMO=true APPLINKS_ALLOW_LOOPBACK_SERVERS=true ./bin/applinks-demo

## build: the SPA, then bin/applinks (the release: SPA embedded, no simulator), bin/applinks-demo
## (the same with the demo built in, -tags demo) and bin/whmsim
build: spa binaries

binaries:
	$(GO) build -o bin/applinks ./api/cmd/applinks
	$(GO) build -tags demo -o bin/applinks-demo ./api/cmd/applinks
	$(GO) build -o bin/whmsim ./api/cmd/whmsim

$(STAMP): $(FE)/package.json $(FE)/package-lock.json
	cd $(FE) && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

spa: $(STAMP)
	cd $(FE) && $(NPM) run build

## docs: regenerate the OpenAPI spec from the swag annotations (docs/swagger.json, served at /api/docs),
## its one OpenAPI 3 conversion (docs/openapi3.json), and from that the Go client and the frontend's types
docs: $(STAMP)
	$(SWAG)
	$(GO) run ./api/cmd/openapi3 -in docs/swagger.json -out docs/openapi3.json
	$(GO) generate ./api/apiclient
	cd $(FE) && $(NPM) run gen:api

## docs-check: fail when docs/ or the generated frontend types are stale
docs-check: docs
	@if [ -n "$$(git status --porcelain -- docs $(FE)/src/api/schema.d.ts api/apiclient)" ]; then \
		git --no-pager diff --stat -- docs $(FE)/src/api/schema.d.ts api/apiclient; git status --short -- docs $(FE)/src/api api/apiclient; \
		echo "docs/, frontend/src/api/schema.d.ts or api/apiclient is stale: run 'make docs' and commit the result"; exit 1; fi

lint: lint-go lint-frontend

lint-go:
	@unformatted=$$(gofmt -l api frontend/embed.go docs/docs.go); if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags demo ./api/cmd/applinks
	$(GO) tool staticcheck ./...
	$(GO) tool staticcheck -tags demo ./api/cmd/applinks

lint-frontend: $(STAMP)
	cd $(FE) && $(NPM) run typecheck && $(NPM) run lint

## test-go: Go tests on SQLite, and on MySQL/MariaDB when APPLINKS_TEST_MYSQL_DSN is set; the service's
## command once more with the demo built in
test-go:
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=1 -tags demo ./api/cmd/applinks

test-frontend: $(STAMP)
	cd $(FE) && $(NPM) test

## e2e: browser journeys in Debian's chromium against the real (demo) binary and the simulator
e2e: build
	cd $(FE) && APPLINKS_BIN=$(CURDIR)/bin/applinks-demo WHMSIM_BIN=$(CURDIR)/bin/whmsim $(NPM) run e2e

## test: everything CI runs
test: docs-check lint test-go test-frontend e2e

clean:
	rm -rf bin data $(FE)/dist/assets $(FE)/dist/index.html

## bench: provisioning (latency- and throughput-bound, batching), SSO and status polling against the
## simulator on loopback, on SQLite and MariaDB (127.0.0.1:3306, root); writes bench/report.md and .json
BENCH_FLAGS ?=
bench: binaries
	$(GO) run ./api/cmd/bench -bin bin/applinks -out bench $(BENCH_FLAGS)

## reliability: kill -9 (enable, bulk add, webhook delivery), drift, rotation, panel faults, replicas, SSO abuse and a bad-input sweep against the real binary;
## RELIABILITY_SIZE=small is the reduced run CI does (full size writes bench/reliability.md)
RELIABILITY_SIZE ?= full
reliability:
	RELIABILITY=1 RELIABILITY_SIZE=$(RELIABILITY_SIZE) $(GO) test -count=1 -timeout 60m -v ./api/reliability/
