#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster (apt creates it; containers have no init system to start it)
# and makes the throwaway role and database the platform tests use. Idempotent; run as root.
set -euo pipefail
read -r ver cluster < <(pg_lsclusters --no-header | awk 'NR==1 {print $1, $2}')
if [ -z "${ver:-}" ]; then
  ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
  cluster=main
  pg_createcluster "$ver" "$cluster"
fi
pg_ctlcluster "$ver" "$cluster" start 2>/dev/null || true
for _ in $(seq 1 60); do
  su postgres -c "pg_isready -q" && break
  sleep 0.5  # polling readiness with a bound, not synchronising on a guess
done
su postgres -c "pg_isready"
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'daybook'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE daybook LOGIN PASSWORD 'daybook' CREATEDB\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'daybook_test'\"" | grep -q 1 ||
  su postgres -c "createdb -O daybook daybook_test"
echo "PostgreSQL $ver/$cluster ready for the platform tests"
