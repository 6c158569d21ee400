"""Python's cyclic garbage collector, paused while the program registers its
resources.

Registration builds a graph that lives until the program ends: every resource
with its Outputs, their asyncio futures and tasks (about 60 Outputs per
resource). The collector's passes walk that graph again and again as it grows:
under mocks, 20 peer orgs of 4 peers (783 resources) cost about 1,100
collections and a quarter to a third of the evaluation's CPU time. Reference
counting frees nearly all of the program's garbage; what only the collector
would free is a few percent of the peak memory (figures in docs/benchmarks.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def pause_for_program() -> None:
    """For the program's own process (``__main__.py``): registration goes on
    after the module returns, until the process ends."""
    gc.disable()


@contextmanager
def paused() -> Iterator[None]:
    """Around one evaluation in a process that goes on (tests, benchmarks):
    the collector runs again afterwards, as it did before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
