# Sourced by test.sh and bench.sh: start a throwaway PostgreSQL 15 cluster on a
# free loopback port, export DATABASE_URL for it, and remove it on exit.
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
pg_port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_pg() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null || exit 1
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 ${PG_OPTIONS:-}" start >/dev/null || exit 1
"${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres improvement || exit 1
export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/improvement"
