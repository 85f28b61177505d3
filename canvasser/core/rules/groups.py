"""The order of village groups as people count them: 一组, 二组 … 十组, 十一组, and 2组 before 10组.

One rule for the window's tree, the reports, the ledgers and every printed sheet."""

from __future__ import annotations

import re
from functools import lru_cache

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_LEADING_NUMBER = re.compile(r"^(?:第)?([0-9]+|[零〇一二两三四五六七八九十百]+)")


def _number(s: str) -> int:
    """12 from "12", 11 from "十一", 120 from "一百二十"."""
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in "十百":
            total += (cur or 1) * (10 if ch == "十" else 100)
            cur = 0
        else:
            cur = _CN_DIGITS[ch]
    return total + cur


@lru_cache(maxsize=4096)
def group_key(grp: str | None) -> tuple[int, int, str]:
    """Sort key of a group name: numbered groups (第)一组 / 1组 first in numeric order, then the rest by name."""
    grp = grp or ""
    m = _LEADING_NUMBER.match(grp)
    return (0, _number(m.group(1)), grp) if m else (1, 0, grp)


def group_rank(grp: str | None) -> str:
    """`group_key` as one string that sorts the same (an SQL function: ORDER BY group_rank(grp))."""
    flag, n, name = group_key(grp)
    return f"{flag}{n:09d}{name}"
