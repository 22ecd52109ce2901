# clearlist — common tasks. `make help` lists them.
PG ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
ROWS ?= 1000000

.PHONY: help run build test test-postgres bench lint fuzz

help:
	@echo "run | build | test | test-postgres | bench | lint | fuzz"

run: ## run the server on 127.0.0.1:8080 with the embedded SQLite database
	go run ./cmd/clearlist serve

build:
	go build -o bin/clearlist ./cmd/clearlist

test: ## every test; PostgreSQL variants run when a server is reachable at $(PG)
	go test ./...

test-postgres: ## every test, failing (not skipping) when PostgreSQL is unreachable
	CLEARLIST_TEST_POSTGRES='$(PG)' CLEARLIST_REQUIRE_POSTGRES=1 go test -count=1 ./...

bench: build ## import and eligibility-API benchmarks on both engines, then the Go benchmarks
	./bin/clearlist --db bench.db bench import --rows $(ROWS)
	./bin/clearlist --db '$(PG)' bench import --rows $(ROWS)
	./bin/clearlist --db bench.db bench eligibility
	./bin/clearlist --db '$(PG)' bench eligibility
	go test -run '^$$' -bench . -benchtime 2x ./internal/store/ ./internal/contact/ ./internal/policy/
	go test -run '^$$' -bench EligibilityBatch -benchtime 3x ./internal/app/

lint:
	gofmt -l $$(git ls-files '*.go')
	go vet ./...
	staticcheck ./...

fuzz: ## each fuzz target for 30 s
	for t in FuzzCanonicalEmail FuzzCanonicalPhone FuzzRowSource FuzzNormalize FuzzRowLimit; do \
		go test -run '^$$' -fuzz "^$$t$$" -fuzztime 30s -fuzzminimizetime 2x ./internal/contact/ || exit 1; done
	go test -run '^$$' -fuzz '^FuzzAppendJSONString$$' -fuzztime 30s ./internal/store/
