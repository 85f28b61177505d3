"""The order of village groups as people count them: 一组, 二组 … 十组, 十一组, and 2组 before 10组.

One rule for the window's tree and table, the search, the follow-ups, the reports, the ledgers, the
people export and every printed sheet. In SQL it is `group_rank(grp)`, a function `rank_sql`
registers on the connection that runs the query (text order would put 十组 before 二组)."""

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


_RANKS: dict[str, str] = {}  # a township has a few dozen group names: each ranked once


def _rank(grp: str | None) -> str:
    key = grp or ""
    rank = _RANKS.get(key)
    if rank is None:
        rank = _RANKS[key] = group_rank(key)
    return rank


def rank_sql(conn, column: str = "grp") -> str:
    """`group_rank(<column>)` for an ORDER BY on `conn` (the function is registered on it first)."""
    conn.create_function("group_rank", 1, _rank, deterministic=True)
    return f"group_rank({column})"
