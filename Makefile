# clearlist — common tasks. `make help` lists them.
PG ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
ROWS ?= 1000000

.PHONY: help run build test test-postgres bench lint fuzz templ

help:
	@echo "run | build | test | test-postgres | bench | lint | fuzz | templ"

run: ## run the server on 127.0.0.1:8080 with the embedded SQLite database
	go run ./cmd/clearlist serve

build:
	go build -o bin/clearlist ./cmd/clearlist

test: ## every test; PostgreSQL variants run when a server is reachable at $(PG)
	go test ./...

test-postgres: ## every test, failing (not skipping) when PostgreSQL is unreachable
	CLEARLIST_TEST_POSTGRES='$(PG)' CLEARLIST_REQUIRE_POSTGRES=1 go test -count=1 ./...

bench: build ## import, eligibility and check API benchmarks on both engines, then the Go benchmarks (the check runs record 10M entries: long)
	./bin/clearlist --db bench.db bench import --rows $(ROWS)
	./bin/clearlist --db '$(PG)' bench import --rows $(ROWS)
	./bin/clearlist --db bench.db bench eligibility
	./bin/clearlist --db '$(PG)' bench eligibility
	go test -run '^$$' -bench . -benchtime 2x ./internal/store/ ./internal/contact/ ./internal/policy/
	go test -run '^$$' -bench EligibilityBatch -benchtime 3x ./internal/app/
	./bin/clearlist --db bench.db bench check
	./bin/clearlist --db '$(PG)' bench check
	taskset -c 0 go test -run '^$$' -bench 'Bulk10M|Blocked10M|MapBaseline10M' -benchtime 10000000x ./internal/suppress/
	taskset -c 0 go test -run '^$$' -bench 'Hash|ScreenEmail|Canonical|RegistryParse' ./internal/suppress/
	go test -run '^$$' -bench 'Offline|Syntax|BulkDNS' -benchtime 2s ./internal/verify/

templ: ## regenerate the admin UI's pages (internal/web/*.templ -> *_templ.go, which are committed)
	go run github.com/a-h/templ/cmd/templ@v0.3.1118 generate -path internal/web

lint:
	gofmt -l $$(git ls-files '*.go')
	go vet ./...
	staticcheck ./...

fuzz: ## each fuzz target for 30 s
	for t in FuzzCanonicalEmail FuzzCanonicalPhone FuzzRowSource FuzzNormalize FuzzRowLimit; do \
		go test -run '^$$' -fuzz "^$$t$$" -fuzztime 30s -fuzzminimizetime 2x ./internal/contact/ || exit 1; done
	go test -run '^$$' -fuzz '^FuzzAppendJSONString$$' -fuzztime 30s ./internal/store/
	go test -run '^$$' -fuzz '^FuzzCanonical$$' -fuzztime 30s ./internal/suppress/
	go test -run '^$$' -fuzz '^FuzzRegistry$$' -fuzztime 30s ./internal/suppress/
	go test -run '^$$' -fuzz '^FuzzSyntax$$' -fuzztime 30s ./internal/verify/
	go test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime 30s ./internal/webhook/
