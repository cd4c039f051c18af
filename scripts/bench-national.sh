#!/usr/bin/env bash
# The benchmark at national scale (about 150 plans, 3,000 areas, 30,000 actions,
# 150,000 milestones, 1,000,000 updates, with history) on a throwaway
# PostgreSQL 15 cluster. Takes some minutes; see BENCHMARKS.md.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null || exit 1
source tests/env.sh
PG_OPTIONS="-c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB -c fsync=off -c synchronous_commit=off -c max_wal_size=4GB" \
  source scripts/pg.sh
.venv/bin/python manage.py migrate --noinput -v0 || exit 1
.venv/bin/python manage.py createcachetable -v0 || exit 1
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -m); $(date -u +%F)"
.venv/bin/python manage.py bench_national "$@"
