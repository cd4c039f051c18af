#!/usr/bin/env bash
# Times the dashboard, papers and downloads on a plan with a long history
# (default 50,000 updates), on a throwaway PostgreSQL 15 cluster.
# Usage: bash scripts/bench.sh [--updates N] [--runs N]
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null || exit 1
source tests/env.sh
source scripts/pg.sh
.venv/bin/python manage.py migrate --noinput -v0 || exit 1
.venv/bin/python manage.py createcachetable -v0 || exit 1
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -m)"
.venv/bin/python manage.py bench_reporting "$@"
