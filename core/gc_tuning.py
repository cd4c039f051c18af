"""The garbage collector's settings for a long-running worker (gunicorn.conf.py
calls ``tune_gc`` once a worker has loaded the service; the benchmarks do the
same before timing, so they time what production runs)."""

import gc


def tune_gc() -> None:
    """What is loaded by now lives as long as the process: keep it out of the
    collector's full passes (without this, one request in ten paid for a pass
    over every object the process holds: a 2× spike at p95), and collect the
    youngest objects every 10,000 allocations rather than 700 (a page makes
    hundreds of thousands, nearly all freed when it is sent: about 10 % of a
    large page's time went to collections)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
