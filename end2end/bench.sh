#!/usr/bin/env bash
# Prints the figures the foundation is measured by: the release wasm size
# (gzipped), the server's RSS at idle, and the median time to render an app
# page (against /healthz on the same server as the floor). Not a test: numbers
# on a shared 2-core machine vary, so they are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${BENCH_PORT:-3191}
BASE=http://127.0.0.1:$PORT
N=${BENCH_N:-200}

wasm=target/site/pkg/leasehold_bg.wasm
printf 'wasm (release): %d bytes, %d bytes gzipped (goal <= 250 KB)\n' "$(stat -c %s $wasm)" "$(gzip -9 -c $wasm | wc -c)"

data=$(mktemp -d /tmp/leasehold-bench.XXXXXX)
LEASEHOLD_DATA_DIR=$data LEASEHOLD_ADDR=127.0.0.1:$PORT RUST_LOG=warn ./target/release/leasehold serve >"$data/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf $BASE/readyz >/dev/null && break; sleep 0.1; done
sleep 2
echo "server RSS at idle: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"

json() { curl -sf -H 'content-type: application/json' "$@"; }
json -X POST $BASE/api/v1/auth/signup -d '{"email":"bench@example.com","password":"benchmark password","name":"Bench"}' >/dev/null
token=$(json -X POST $BASE/api/v1/auth/login -d '{"email":"bench@example.com","password":"benchmark password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth=(-H "authorization: Bearer $token")
org=$(json "${auth[@]}" -X POST $BASE/api/v1/orgs -d '{"name":"Bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
app=$(json "${auth[@]}" -X POST $BASE/api/v1/orgs/$org/apps -d '{"name":"bench-app"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

median() { # URL [curl args…] → median seconds over N requests
  local url=$1; shift
  for _ in $(seq 1 "$N"); do curl -s -o /dev/null -w '%{time_total}\n' "$@" "$url"; done |
    sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
page=$(median $BASE/apps/$app -H "cookie: leasehold_session=$token" -H 'accept: text/html')
floor=$(median $BASE/healthz)
python3 - "$page" "$floor" "$N" <<'PY'
import sys
page, floor, n = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print(f"app page render, median of {n}: {page*1000:.2f} ms (GET /healthz: {floor*1000:.2f} ms, ratio {page/floor:.1f}x)")
PY
