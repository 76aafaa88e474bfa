#!/usr/bin/env bash
# Starts the release server for the browser tests on a data dir that is wiped
# at every start (under target/, so nothing leaks into /tmp between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
data=target/e2e-data
rm -rf "$data"
export LEASEHOLD_DATA_DIR="$data" LEASEHOLD_ADDR="127.0.0.1:${1:-3111}" LEASEHOLD_SITE_ROOT=target/site
unset DATABASE_URL LEASEHOLD_MASTER_KEY
exec ./target/release/leasehold serve
