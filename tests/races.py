"""Races for the tests that need real concurrency: start several callables at the same moment."""
import threading
from collections.abc import Callable, Sequence


def at_once(items: Sequence, go: Callable, *, prepare: Callable | None = None,
            ready_timeout: float = 10, finish_timeout: float = 60) -> list:
    """For each item, in a thread of its own: `prepare(item)` (sign in, fetch a CSRF token: what
    must not be part of the race), then wait until every thread is ready, then `go(item,
    prepared)`, all released together. Returns what each `go` returned, in the items' order; a
    thread that raised has its exception there instead (for the test's assertions to show, not
    lost in the thread), and one still running after `finish_timeout` has None."""
    barrier = threading.Barrier(len(items))
    results: list = [None] * len(items)

    def run(index, item):
        try:
            prepared = prepare(item) if prepare is not None else None
            barrier.wait(timeout=ready_timeout)
            results[index] = go(item, prepared)
        except Exception as error:  # kept for the assertions, not lost in the thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, item)) for index, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=finish_timeout)
    return results
