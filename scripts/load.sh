#!/usr/bin/env bash
# Load test: signed-in users reading, downloading papers and recording updates at
# once, against gunicorn on a throwaway PostgreSQL 15 cluster, with production
# settings (DEBUG off). Everything stays on 127.0.0.1 and is removed afterwards.
# Prints requests, requests per second, errors and p50/p95 latency per page, then
# checks that every update written was stored exactly once with its history.
# Exits 0 only if there were no errors, at least one write and the check passed.
# Usage: bash scripts/load.sh [--seconds N] [--users N]   (defaults: 60 s, 8 users)
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=60
users=8
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --users) users=${2:?--users needs a number}; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "Unknown argument: $1 (usage: $0 [--seconds N] [--users N])" >&2; exit 2 ;;
  esac
done
case "$seconds$users" in
  *[!0-9]*|'') echo "--seconds and --users must be whole numbers" >&2; exit 2 ;;
esac

bash scripts/setup.sh >/dev/null || exit 1
source tests/env.sh
source scripts/pg.sh

.venv/bin/python manage.py migrate --noinput -v0 || exit 1
.venv/bin/python manage.py createcachetable -v0 || exit 1
.venv/bin/python manage.py load_seed_plan >/dev/null || exit 1

port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
gunicorn_log=$(mktemp /tmp/ipt-load-gunicorn.XXXXXX)
gunicorn_pid=
stop_all() {
  if [ -n "$gunicorn_pid" ]; then
    kill -TERM "$gunicorn_pid" 2>/dev/null
    wait "$gunicorn_pid" 2>/dev/null
  fi
  rm -f "$gunicorn_log"
  stop_pg
}
trap stop_all EXIT

.venv/bin/gunicorn improvement.wsgi --bind "127.0.0.1:$port" --workers 3 --threads 2 \
  --access-logfile /dev/null 2>"$gunicorn_log" &
gunicorn_pid=$!

# Wait (at most 30 s) for the health check to answer 200.
if ! .venv/bin/python - "$base/health/" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(1)
EOF
then
  echo "gunicorn did not answer $base/health/ within 30 s:" >&2
  cat "$gunicorn_log" >&2
  exit 1
fi

echo "Machine: $(nproc) cores; gunicorn: 3 workers x 2 threads; PostgreSQL 15"
.venv/bin/python -m loadtest.run --base "$base" --seconds "$seconds" --users "$users"
rc=$?

# Anything the server logged as an error (a 500 is logged with its traceback).
if grep -q -E 'ERROR|Traceback|CRITICAL|WORKER TIMEOUT' "$gunicorn_log"; then
  echo
  echo "== The server logged errors (gunicorn's stderr):"
  cat "$gunicorn_log"
fi
exit $rc
