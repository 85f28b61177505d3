"""One search box: name, pinyin initials or full pinyin, whole ID or its last digits, phone.

Every branch uses an index (IDs are also stored reversed so a tail is a prefix), so a search over a
million people stays within tens of milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..storage.store import Workspace
from ..text import ids, pinyin
from . import groups as group_order

COLUMNS = "pid AS id, name, village, grp, household, status, prev_outcome AS previous_outcome, phone, relation"
FEW = 500  # up to this many matches are ordered by place; more are listed closest key first


@dataclass(frozen=True)
class Branch:
    """One indexed way a query can match: `column op ?` with `value`; `key` is what an exact match
    holds in that column."""

    column: str
    op: str
    value: str
    key: str


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]])", r"[\1]", text)


def _prefix(column: str, text: str) -> Branch:
    return Branch(column, "GLOB", _glob_escape(text) + "*", text)


def branches(query: str) -> list[Branch]:
    """The indexed conditions a search box query stands for (any of them matches); none for a
    blank query, which stands for everyone."""
    q = (query or "").strip()
    if not q:
        return []
    compact = ids.compact(q)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", compact):
        try:
            number = ids.normalise(compact)
        except ids.IdError:
            number = compact
        return [Branch("pid", "=", number, number)]
    if re.fullmatch(r"\d{4,18}X?", compact):
        return [_prefix("rpid", compact[::-1]), _prefix("phone", compact), Branch("phone", "=", compact, compact)]
    if re.fullmatch(r"[A-Za-z]+", q):
        low = q.lower()
        return [_prefix("py_initials", low), _prefix("py_full", low)]
    # a name's start (surname, full name) or its end (given name): both are indexed prefixes; and
    # the name's sound, so 王明 also finds 王𠮷明 (a rare character has no pinyin key, and nobody
    # can type it) and a name typed with another character of the same sound
    found = [_prefix("name", q), _prefix("rname", q[::-1])]
    if len(q) >= 2 and all("\u3400" <= ch <= "\u9fff" for ch in q):
        full = pinyin.keys(q)[1]
        if full:
            found.append(Branch("py_full", "=", full, full))
    return found


def where_clause(query: str) -> tuple[str, list]:
    """The SQL condition (and parameters) that a search box query stands for."""
    return _condition(branches(query))


def _condition(found: list[Branch]) -> tuple[str, list]:
    if not found:
        return "1", []
    return "(" + " OR ".join(f"{b.column} {b.op} ?" for b in found) + ")", [b.value for b in found]


def search(ws: Workspace, query: str, *, limit: int = 50, village: str | None = None) -> dict:
    """The number of matches and the first `limit` of them.

    A few matches are ordered by place (village, group, household), exact names first. Thousands
    (two pinyin initials, a common surname) would need every match read and sorted: 150 ms for
    21,000 of a million people. Those are listed by the key that matched instead, the closest
    first, each branch walking its index only as far as the page needs."""
    found = branches(query)
    cond, params = _condition(found)
    if village:
        cond += " AND village = ?"
        params.append(village)
    total = ws.scalar(f"SELECT count(*) FROM persons WHERE {cond}", tuple(params))
    if not found and not village:
        rows = ws.query(f"SELECT {COLUMNS} FROM persons ORDER BY village, {group_order.rank_sql(ws.conn)}, household, pid "
                        f"LIMIT ?", (limit,))
        return {"total": total, "results": rows}
    if total <= FEW or village:
        rows = ws.query(f"SELECT {COLUMNS} FROM persons WHERE {cond} ORDER BY (name = ?) DESC, village, "
                        f"{group_order.rank_sql(ws.conn)}, household, pid LIMIT ?", (*params, query.strip(), limit))
        return {"total": total, "results": rows}
    seen: dict[str, tuple] = {}
    for i, b in enumerate(found):
        rows = ws.query(f"SELECT {COLUMNS}, {b.column} AS _key FROM persons WHERE {b.column} {b.op} ? "
                        f"ORDER BY {b.column} LIMIT ?", (b.value, limit))
        for position, row in enumerate(rows):
            rank = (row.pop("_key") != b.key, i, position)  # exact matches first, then index order
            if row["id"] not in seen or rank < seen[row["id"]][0]:
                seen[row["id"]] = (rank, row)
    ranked = sorted(seen.values(), key=lambda item: item[0])
    return {"total": total, "results": [row for _, row in ranked[:limit]]}
