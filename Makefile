# Leasehold — `make run` to serve the console, `make test` to prove it works.
# Every tool comes from the Rust crate registry, npm or apt; nothing else is downloaded.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
WASM_BINDGEN_VERSION := 0.2.130
SITE := target/site
PKG := $(SITE)/pkg
WASM_OPT := end2end/node_modules/.bin/wasm-opt
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run build tools wasm-target wasm server-release test lint unit integration e2e e2e-deps bench clean

run: build
	@echo "Leasehold: open http://$${LEASEHOLD_ADDR:-127.0.0.1:3000}"
	./target/release/leasehold serve

build: tools server-release wasm

# ---- tools (idempotent: each step only runs when something is missing) ----
tools: wasm-target end2end/node_modules/.installed
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$" || \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && npm ci --no-audit --no-fund
	touch $@

# ---- artifacts ----
# Views are type-erased in both release builds (far less generic code in the
# wasm). The flag must match on both sides, or hydration fails.
RELEASE_FLAGS := RUSTFLAGS="--cfg erase_components"

server-release:
	$(RELEASE_FLAGS) cargo build --release -p server

# The browser bundle: the frontend crate for wasm32 with the size-optimised
# profile, bound by wasm-bindgen, shrunk by binaryen's wasm-opt (npm; Debian's
# older binaryen breaks hydration), plus the stylesheet; gzip copies for serving.
wasm: tools
	$(RELEASE_FLAGS) cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
	mkdir -p $(PKG)
	wasm-bindgen --target web --no-typescript --out-dir $(PKG) --out-name leasehold \
	  target/wasm32-unknown-unknown/wasm-release/frontend.wasm
	$(WASM_OPT) -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
	  --enable-mutable-globals $(PKG)/leasehold_bg.wasm -o $(PKG)/leasehold_bg.wasm
	cat style/main.css style/dynamic.css > $(PKG)/leasehold.css
	for f in $(PKG)/leasehold_bg.wasm $(PKG)/leasehold.js $(PKG)/leasehold.css; do gzip -9 -k -f $$f; done
	@echo "wasm: $$(stat -c %s $(PKG)/leasehold_bg.wasm) bytes, $$(stat -c %s $(PKG)/leasehold_bg.wasm.gz) gzipped"

# ---- tests ----
test: lint unit integration e2e

lint: wasm-target
	cargo fmt --all -- --check
	cargo clippy -p server -p migrations -p app --features app/ssr --all-targets -- -D warnings
	cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test -p app --features ssr --lib
	cargo test -p server --lib

# Integration tests run on SQLite, then on PostgreSQL when a server answers.
# Providers are tested against real services on loopback: a password-checked
# PostgreSQL cluster on 5433, MariaDB, Redis, RabbitMQ (management API) and moto.
integration:
	bash .ci/pg-scram.sh
	bash .ci/services.sh
	cargo test -p server --test api
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  psql "$(PG_URL)" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'lh_test_%'" | \
	    xargs -r -I{} psql "$(PG_URL)" -qc 'DROP DATABASE IF EXISTS "{}"'; \
	  TEST_DATABASE_URL=$(PG_URL) cargo test -p server --test api; \
	else \
	  echo "!!!!!!!! SKIPPED: integration tests on PostgreSQL — nothing answers on 127.0.0.1:5432 !!!!!!!!"; \
	fi

e2e-deps: end2end/node_modules/.installed
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The dynamic-secret flows lease real credentials from the password-checked
# PostgreSQL cluster on 5433 and try them with psql.
e2e: build e2e-deps
	bash .ci/pg-scram.sh
	cd end2end && npx playwright test

bench: build
	end2end/bench.sh
	bash .ci/pg-scram.sh
	$(RELEASE_FLAGS) cargo run --release -q -p server --example lease_bench

clean:
	cargo clean
	rm -rf end2end/node_modules end2end/test-results
