#!/usr/bin/env bash
# Starts the release server on a fresh, throw-away data dir for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d /tmp/leasehold-e2e.XXXXXX)
export LEASEHOLD_DATA_DIR="$data" LEASEHOLD_ADDR="127.0.0.1:${1:-3111}" LEASEHOLD_SITE_ROOT=target/site
unset DATABASE_URL LEASEHOLD_MASTER_KEY
exec ./target/release/leasehold serve
