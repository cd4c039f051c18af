"""gunicorn settings: `gunicorn -c gunicorn.conf.py improvement.wsgi`.

A stop or restart must not drop a save in flight: on SIGTERM (a stop) or
SIGHUP (a reload, e.g. after deploying), gunicorn stops taking new requests and
lets each worker finish the ones it has, for up to ``graceful_timeout`` seconds,
before it exits. Keep the service manager's stop timeout longer than that.
"""

import os

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.getenv("WEB_CONCURRENCY", "3"))
# A request longer than this is stuck (the slowest, a PDF paper, takes ~1 s).
timeout = int(os.getenv("GUNICORN_TIMEOUT", "60"))
# How long a stopping worker may finish the requests it has (saves included).
graceful_timeout = int(os.getenv("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Errors to stderr, where the service manager's journal keeps them.
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker):
    """Tune the garbage collector once the worker has loaded the service
    (core/gc_tuning.py, measured in BENCHMARKS.md): what is
    loaded now lives as long as the worker and is kept out of full passes, and
    the youngest objects are collected less often."""
    from core.gc_tuning import tune_gc

    tune_gc()
