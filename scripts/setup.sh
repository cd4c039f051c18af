#!/usr/bin/env bash
# Installs what the project needs, idempotently: Debian packages (when run as
# root), the Python virtual environment, the npm packages and the stylesheet.
# With --with-data it also migrates the SQLite database and loads the seed plan
# and demo accounts. Each step is skipped when its inputs have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

with_data=false
[ "${1:-}" = "--with-data" ] && with_data=true

say() { printf '\n== %s\n' "$*"; }

# Debian packages: Chromium for the browser tests, PostgreSQL 15 for the second
# test run, Pango and a metric-compatible Arial (Liberation) for PDF papers,
# poppler for looking at PDFs, and Java for the Nu HTML checker (vnu-jar, from
# npm) unless some Java is installed already.
debian_packages=(chromium postgresql-15 libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation poppler-utils)
command -v java >/dev/null || debian_packages+=(default-jre-headless)
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages (install them as root): ${missing[*]}" >&2
  fi
fi

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
  say "Creating the virtual environment (.venv)"
  rm -rf .venv
  "$python" -m venv .venv
fi
stamp=.venv/.requirements.sha
if [ "$(sha256sum requirements.txt)" != "$(cat "$stamp" 2>/dev/null)" ]; then
  say "Installing Python packages"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  sha256sum requirements.txt > "$stamp"
fi

stamp=node_modules/.lock.sha
if [ "$(sha256sum package-lock.json)" != "$(cat "$stamp" 2>/dev/null)" ]; then
  say "Installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json > "$stamp"
fi

# The stylesheet's RAG colours come from the one RAG table (core/rag.py): its
# Sass partial is rewritten first, and only when the table changed.
DEBUG=${DEBUG:-true} .venv/bin/python manage.py write_rag_scss -v0
if [ ! -f static/build/application.css ] || [ -n "$(find static/scss -newer static/build/application.css)" ] \
   || [ package-lock.json -nt static/build/application.css ]; then
  say "Building the stylesheet"
  npm run --silent build:css
fi

if $with_data; then
  say "Preparing the database and the seed plan"
  export DEBUG=${DEBUG:-true}
  .venv/bin/python manage.py migrate --noinput -v0
  .venv/bin/python manage.py createcachetable -v0  # the cache of rendered papers
  .venv/bin/python manage.py load_seed_plan
  .venv/bin/python manage.py create_demo_accounts
fi
