"""Hold Python's cyclic garbage collector while a roster or a preview is built."""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Run the block with the cyclic garbage collector off, then put it back as it was.

    Building a roster or comparing a file allocates a few objects per
    student (tuples, lists of cells) and frees nothing cyclic.  The
    collector, which runs every 700 allocations and re-scans what
    survived, then costs a tenth of the work for nothing.  Reference
    counting still frees everything as usual; only the search for cycles
    waits until the block ends.  The collector is process-wide: in a
    threaded server another thread's cycles wait as long (seconds), and
    when two threads nest, the collector comes back when the first ends.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def collect_young():
    """While the collector is paused, collect the youngest generation now.

    A tuple of strings (a roster's student) leaves the collector's lists
    the first time a collection looks at it.  Paused, that first look
    comes when the pause ends, over every student at once, read back from
    memory: a fifth of a second per 200,000 students.  Called after each
    small batch of students, while their tuples are still in the
    processor's cache, it costs a few microseconds a batch.  With the
    collector running, the youngest generation is collected every few
    hundred allocations anyway, and this does nothing.
    """
    if not gc.isenabled():
        gc.collect(0)
