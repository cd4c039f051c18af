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
PG_OPTIONS="-c fsync=off" source scripts/pg.sh
.venv/bin/pytest "$@"
pg_rc=$?

echo
echo "SQLite: $([ $sqlite_rc = 0 ] && echo passed || echo "FAILED (exit $sqlite_rc)")"
echo "PostgreSQL 15: $([ $pg_rc = 0 ] && echo passed || echo "FAILED (exit $pg_rc)")"
[ $sqlite_rc = 0 ] && [ $pg_rc = 0 ]
