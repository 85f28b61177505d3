"""Hybrid logical clock: orders events across laptops whose clocks are wrong.

An HLC value is the larger of the wall clock and the last value seen (local or received), plus a
counter for ties. It is stored as a fixed-width string so that text order is time order.
"""

from __future__ import annotations

import time

MAX_COUNTER = 99999
ZERO = "0000000000000.00000"  # before every value a clock produces


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
        return self.ticks(1)[0]

    def ticks(self, n: int) -> list[str]:
        """n new values in increasing order (one wall-clock read for a whole batch).

        The counter has five digits; past 99999 the clock borrows the next millisecond, so the
        text order stays the time order however many events one millisecond holds."""
        now = self._wall()
        if now > self._ms:
            self._ms, self._counter = now, -1
        out = []
        ms, counter = self._ms, self._counter
        while len(out) < n:
            room = min(n - len(out), MAX_COUNTER - counter)
            if room <= 0:
                ms, counter = ms + 1, -1
                continue
            prefix = f"{ms:013d}."
            out.extend(f"{prefix}{c:05d}" for c in range(counter + 1, counter + 1 + room))
            counter += room
        self._ms, self._counter = ms, counter
        return out

    def observe(self, remote: str) -> None:
        """Move past a value received from another workspace."""
        ms, counter = decode(remote)
        if (ms, counter) > (self._ms, self._counter):
            self._ms, self._counter = ms, counter
