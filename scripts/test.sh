#!/usr/bin/env bash
# Runs the whole test suite twice: on SQLite, then on a throwaway PostgreSQL 15
# cluster that this script starts and removes itself. Both must pass.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

# Production-like settings: DEBUG off, as a council's server runs, with the
# hashed static files that production serves.
source tests/env.sh
unset DATABASE_URL
# Build the hashed, compressed static files as production does (and fail here if
# a stylesheet names a missing file).
STATIC_MANIFEST=true .venv/bin/python manage.py collectstatic --noinput -v0 || exit 1

echo; echo "== Lint (ruff)"
.venv/bin/ruff check . || exit 1

echo; echo "== Tests on SQLite"
.venv/bin/pytest "$@"
sqlite_rc=$?

echo; echo "== Tests on PostgreSQL 15"
pg_bin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null)
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL 15 binaries not found (/usr/lib/postgresql/15/bin)" >&2
  exit 1
fi
pg_dir=$(mktemp -d /tmp/ipt-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_pg() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null || exit 1
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || exit 1
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/improvement"
.venv/bin/pytest "$@"
pg_rc=$?

echo
echo "SQLite: $([ $sqlite_rc = 0 ] && echo passed || echo "FAILED (exit $sqlite_rc)")"
echo "PostgreSQL 15: $([ $pg_rc = 0 ] && echo passed || echo "FAILED (exit $pg_rc)")"
[ $sqlite_rc = 0 ] && [ $pg_rc = 0 ]
