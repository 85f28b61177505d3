"""Sets of sequence numbers as sorted, merged inclusive ranges: [[1, 40], [42, 57]].

Acknowledgements ("peer P holds seqs 1..40 and 42..57 of origin O") are stored and carried in
packages in this form: an origin's events are numbered 1, 2, 3 ... so the lists stay short.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

Ranges = list[list[int]]


def normalise(ranges: Iterable[Iterable[int]]) -> Ranges:
    """Sorted, merged (touching ranges joined), each [lo, hi] with 1 <= lo <= hi."""
    items = sorted((int(a), int(b)) for a, b in ranges)
    out: Ranges = []
    for lo, hi in items:
        if lo > hi or lo < 1:
            raise ValueError(f"bad range {lo}..{hi}")
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def from_seqs(seqs: Iterable[int]) -> Ranges:
    out: Ranges = []
    for s in sorted(set(seqs)):
        if out and s == out[-1][1] + 1:
            out[-1][1] = s
        else:
            out.append([s, s])
    return out


def union(a: Ranges, b: Ranges) -> Ranges:
    return normalise([*a, *b])


def count(ranges: Ranges) -> int:
    return sum(hi - lo + 1 for lo, hi in ranges)


class Membership:
    """Fast `seq in ranges` for one normalised range list."""

    def __init__(self, ranges: Ranges):
        self._lo = [r[0] for r in ranges]
        self._hi = [r[1] for r in ranges]

    def __contains__(self, seq: int) -> bool:
        i = bisect.bisect_right(self._lo, seq) - 1
        return i >= 0 and seq <= self._hi[i]
