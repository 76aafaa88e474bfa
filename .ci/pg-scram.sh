#!/usr/bin/env bash
# A password-checked PostgreSQL listener for the provider tests: the main
# cluster trusts every local connection, which ignores passwords and
# VALID UNTIL. This cluster (port 5433) checks both. Idempotent.
set -euo pipefail
PORT=5433
PASSWORD=leasehold-root
VERSION="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n1)"
[ -n "$VERSION" ] || { echo "PostgreSQL is not installed" >&2; exit 1; }
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx scram; then
  pg_createcluster "$VERSION" scram --port "$PORT" -- --auth-host=scram-sha-256 --auth-local=peer >/dev/null
fi
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" scram start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PORT" && break; sleep 1; done
fi
runuser -u postgres -- psql -q -p "$PORT" -c "ALTER ROLE postgres PASSWORD '$PASSWORD'"
echo "password-checked PostgreSQL on 127.0.0.1:$PORT (postgres / $PASSWORD)"
