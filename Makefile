.PHONY: run test test-full setup bench bench-reporting

# Set up everything (packages, database, seed plan, demo accounts) and serve
# the app at http://127.0.0.1:8000 on SQLite.
run:
	bash scripts/setup.sh --with-data
	DEBUG=true .venv/bin/python manage.py runserver 127.0.0.1:8000

# The whole test suite, on SQLite and on a throwaway PostgreSQL 15 cluster.
test:
	bash scripts/test.sh

# The same, with every property test's full number of examples (nightly).
test-full:
	HYPOTHESIS_PROFILE=full bash scripts/test.sh

setup:
	bash scripts/setup.sh

# Time the dashboard, papers and downloads on 50,000 updates (PostgreSQL).
bench-reporting:
	bash scripts/bench.sh

# The benchmark at national scale (1,000,000 updates with history; PostgreSQL).
bench:
	bash scripts/bench-national.sh
