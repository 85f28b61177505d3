"""Pausing Python's cycle collector around bulk work.

A list import or a township merge makes millions of small objects (rows, payloads, events) with
no reference cycles among them. Each full collection walks every live one again, which costs a
third of such a run; reference counting still frees everything as usual while it is paused.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
