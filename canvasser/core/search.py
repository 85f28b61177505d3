"""One search box: name, pinyin initials or full pinyin, whole ID or its last digits, phone.

Every branch uses an index (IDs are also stored reversed so a tail is a prefix), so a search over a
million people stays within tens of milliseconds.
"""

from __future__ import annotations

import re

from . import ids
from .store import Workspace

COLUMNS = "pid AS id, name, village, grp, household, status, phone, relation"


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]])", r"[\1]", text)


def where_clause(query: str) -> tuple[str, list]:
    """The SQL condition (and parameters) that a search box query stands for."""
    q = (query or "").strip()
    if not q:
        return "1", []
    compact = ids.compact(q)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", compact):
        try:
            return "pid = ?", [ids.normalise(compact)]
        except ids.IdError:
            return "pid = ?", [compact]
    if re.fullmatch(r"\d{4,18}X?", compact):
        tail = _glob_escape(compact[::-1]) + "*"
        return "(rpid GLOB ? OR phone GLOB ? OR phone = ?)", [tail, _glob_escape(compact) + "*", compact]
    if re.fullmatch(r"[A-Za-z]+", q):
        low = q.lower()
        return "(py_initials GLOB ? OR py_full GLOB ?)", [_glob_escape(low) + "*", _glob_escape(low) + "*"]
    # a name's start (surname, full name) or its end (given name): both are indexed prefixes
    return "(name GLOB ? OR rname GLOB ?)", [_glob_escape(q) + "*", _glob_escape(q[::-1]) + "*"]


def search(ws: Workspace, query: str, *, limit: int = 50, village: str | None = None) -> dict:
    cond, params = where_clause(query)
    if village:
        cond += " AND village = ?"
        params.append(village)
    total = ws.scalar(f"SELECT count(*) FROM persons WHERE {cond}", tuple(params))
    rows = ws.query(f"SELECT {COLUMNS} FROM persons WHERE {cond} ORDER BY (name = ?) DESC, village, grp, household, pid "
                    f"LIMIT ?", (*params, query.strip(), limit))
    return {"total": total, "results": rows}
