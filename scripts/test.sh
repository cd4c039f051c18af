#!/usr/bin/env bash
# Runs the whole test suite twice: on SQLite and on a throwaway PostgreSQL 15
# cluster that this script starts and removes itself, side by side. Both must pass.
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

echo; echo "== The apps' layers (import-linter, .importlinter)"
.venv/bin/lint-imports --no-cache || exit 1

# The two passes run side by side (the machine has two cores): each writes
# its own log, printed when both are done.
PG_OPTIONS="-c fsync=off" source scripts/pg.sh
logs=$(mktemp -d /tmp/ipt-tests.XXXXXX)
echo; echo "== Tests on SQLite and on PostgreSQL 15, side by side"
# hypothesis tries a fifth of each property test's examples by default;
# HYPOTHESIS_PROFILE=full (the nightly-size run) tries them all.
echo "hypothesis profile: ${HYPOTHESIS_PROFILE:-quick}"
(unset DATABASE_URL; exec .venv/bin/pytest "$@") >"$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
.venv/bin/pytest "$@" >"$logs/pg.log" 2>&1 &
pg_pid=$!
wait $sqlite_pid
sqlite_rc=$?
wait $pg_pid
pg_rc=$?

echo; echo "== Tests on SQLite"
cat "$logs/sqlite.log"
echo; echo "== Tests on PostgreSQL 15"
cat "$logs/pg.log"
rm -rf "$logs"

echo
echo "SQLite: $([ $sqlite_rc = 0 ] && echo passed || echo "FAILED (exit $sqlite_rc)")"
echo "PostgreSQL 15: $([ $pg_rc = 0 ] && echo passed || echo "FAILED (exit $pg_rc)")"
[ $sqlite_rc = 0 ] && [ $pg_rc = 0 ]
