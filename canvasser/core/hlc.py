"""Hybrid logical clock: orders events across laptops whose clocks are wrong.

An HLC value is the larger of the wall clock and the last value seen (local or received), plus a
counter for ties. It is stored as a fixed-width string so that text order is time order.
"""

from __future__ import annotations

import time


def encode(ms: int, counter: int) -> str:
    return f"{ms:013d}.{counter:05d}"


def decode(value: str) -> tuple[int, int]:
    ms, counter = value.split(".")
    return int(ms), int(counter)


class Clock:
    def __init__(self, last: str | None = None, wall=None):
        self._wall = wall or (lambda: int(time.time() * 1000))
        self._ms, self._counter = decode(last) if last else (0, 0)

    @property
    def last(self) -> str:
        return encode(self._ms, self._counter)

    def tick(self) -> str:
        """A new value, later than every value this clock has produced or seen."""
        now = self._wall()
        if now > self._ms:
            self._ms, self._counter = now, 0
        else:
            self._counter += 1
        return self.last

    def observe(self, remote: str) -> None:
        """Move past a value received from another workspace."""
        ms, counter = decode(remote)
        if (ms, counter) > (self._ms, self._counter):
            self._ms, self._counter = ms, counter
