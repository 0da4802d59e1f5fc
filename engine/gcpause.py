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
