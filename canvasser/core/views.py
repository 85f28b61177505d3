"""What the window shows, as named reads returning plain data (dicts, lists, arrays of row ids).

The window holds no SQL: it calls these on its own read-only connection (`open_reader`) and sends
every write to the one database worker. The sort orders of the people table live here too, so the
CLI, reports and the window order people the same way. See DESIGN §2 and §10.

The people table's reads (`ordered_ids`, `first_ids`, `sort_ids`, `rows_for`) stay raw SQL on
purpose: they run on every keystroke and every scroll over up to a million rows, and a dict per row
(sqlite-utils) costs several times a tuple. The other reads return dicts through sqlite-utils.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path

from .rules.campaign import Campaign
from .rules.dashboard import PeopleFilter, household_members, list_where
from .storage.store import Workspace

# Page caches of the window's two connections, within its 500 MB (DESIGN §9: the window itself takes
# about 220 MB at a million people). An encrypted page read from disk is decrypted and its HMAC
# checked (about 20 µs for 16 KB) where a plain one is copied; kept in the reader's cache, the people
# a cadre searched for and scrolled past cost that once (a million-person township's searches by
# name, initials, ID tail and phone touched some 170 MB).
READER_CACHE_MB = 192
WORKER_CACHE_MB = 64  # the worker's whole lists and figures read covering indexes; a big list import sets its own


def open_reader(path: str | Path) -> Workspace:
    """The window's connection: reads only (`PRAGMA query_only`), so a write there fails loudly."""
    ws = Workspace(path, create=False)
    ws.conn.execute("PRAGMA query_only=ON")
    ws.set_cache(READER_CACHE_MB)
    return ws


def open_worker(path: str | Path) -> Workspace:
    """The database worker's connection (every write of the window goes through it)."""
    ws = Workspace(path)
    ws.set_cache(WORKER_CACHE_MB)
    return ws


def _first(ws: Workspace, sql: str, params: tuple = ()) -> dict | None:
    return next(iter(ws.db.query(sql, params)), None)


# ---- one person, one household --------------------------------------------------------------------
def person(ws: Workspace, pid: str) -> dict | None:
    """Every column of a person's row, by name (None: no such person)."""
    return _first(ws, "SELECT * FROM persons WHERE pid=?", (pid,)) if pid else None


def person_name(ws: Workspace, pid: str) -> str:
    row = _first(ws, "SELECT name FROM persons WHERE pid=?", (pid,))
    return row["name"] if row else ""


def household_of(ws: Workspace, pid: str) -> str:
    """The household id a person belongs to ('' if none or no such person)."""
    row = _first(ws, "SELECT household FROM persons WHERE pid=?", (pid,)) if pid else None
    return row["household"] if row else ""


def household(ws: Workspace, hid: str) -> dict | None:
    """A household (hid, grp, address, head, ...) with its members, head first."""
    row = _first(ws, "SELECT * FROM households WHERE hid=?", (hid,)) if hid else None
    if row is not None:
        row["members"] = household_members(ws, hid)
    return row


def unit_name(ws: Workspace) -> str:
    """Whose workspace this is (某某镇光明村): the window names files and documents after it."""
    from .rules.reports import unit

    return unit(ws)


# ---- lists for the dialogs ------------------------------------------------------------------------
def villages(ws: Workspace) -> list[str]:
    """The villages people live in, in order (the township's target table lists them)."""
    return [r["village"] for r in ws.db.query("SELECT DISTINCT village FROM persons WHERE village != '' ORDER BY 1")]


def canvassers(ws: Workspace) -> list[dict]:
    """The active canvasser profiles (name, phone), by name."""
    return list(ws.db.query("SELECT name, phone FROM canvassers WHERE active=1 ORDER BY name"))


def showcase_person(ws: Workspace) -> str:
    """A person worth showing in a screenshot: visited, in a household of three or more, with a phone
    and a category; else the most visited one ('' in an empty workspace)."""
    row = _first(ws, "SELECT p.pid FROM persons p JOIN households h ON h.hid = p.household "
                     "WHERE p.visit_count >= 1 AND h.members >= 3 AND p.phone != '' AND p.categories != '' "
                     "ORDER BY p.visit_count DESC, p.village, p.grp, p.household LIMIT 1") or \
        _first(ws, "SELECT pid FROM persons ORDER BY visit_count DESC LIMIT 1")
    return row["pid"] if row else ""


# ---- the people table: ordered row ids, rows a block at a time ------------------------------------
SORTS: dict[str, str] = {  # column key -> ORDER BY expression (ascending)
    "name": "py_full", "village": "village", "sex": "sex", "age": "birth DESC", "pid": "rpid", "grp": "grp", "relation": "relation",
    "phone": "phone", "categories": "categories", "status": "status", "last_visit_at": "last_visit_at",
    "last_visit_by": "last_visit_by", "prev_outcome": "prev_outcome",
}
DEFAULT_ORDER = "village, grp, household, rowid"  # the roster's own order: village, group, household
ROW_FIELDS = ("rowid", "pid", "name", "sex", "birth", "grp", "relation", "phone", "categories", "status",
              "last_visit_at", "last_visit_by", "household", "village", "prev_outcome")


def order_by(key: str | None = None, descending: bool = False) -> str:
    """The ORDER BY for sorting by a column (None or unknown: the roster's order); ties keep it."""
    expr = SORTS.get(key or "")
    if expr is None:
        return DEFAULT_ORDER
    if descending:
        expr = expr.replace(" DESC", "") if expr.endswith(" DESC") else f"{expr} DESC"
    return f"{expr}, {DEFAULT_ORDER}"


@dataclass(frozen=True)
class PeopleQuery:
    """A filter and a sort, as the SQL the table's reads run (built once per search)."""

    where: str
    params: tuple
    order: str = DEFAULT_ORDER

    @classmethod
    def of(cls, flt: PeopleFilter, camp: Campaign, order: str = DEFAULT_ORDER,
           ws: Workspace | None = None) -> PeopleQuery:
        """With `ws`, a village's table leaves out people the township assigned elsewhere (`list_where`)."""
        if order != DEFAULT_ORDER and order not in {order_by(k, d) for k in SORTS for d in (False, True)}:
            raise ValueError(f"unknown order: {order}")
        where, params = list_where(ws, flt, camp) if ws is not None else flt.where(camp)
        return cls(where, tuple(params), order)


def _fetch_ids(ws: Workspace, sql: str, params) -> array:
    ids = array("q")  # 8 bytes a person: 8 MB for a million
    cur = ws.conn.execute(sql, params)
    while True:
        chunk = cur.fetchmany(50000)
        if not chunk:
            return ids
        ids.extend(r[0] for r in chunk)


def ordered_ids(ws: Workspace, q: PeopleQuery) -> array:
    """Every matching person's rowid, in the query's order."""
    return _fetch_ids(ws, f"SELECT rowid FROM persons WHERE {q.where} ORDER BY {q.order}", q.params)


def first_ids(ws: Workspace, q: PeopleQuery, limit: int) -> list[int]:
    """Up to `limit` matching rowids in file order: no sort, so a broad search shows at once."""
    return [r[0] for r in ws.conn.execute(
        f"SELECT rowid FROM persons WHERE {q.where} ORDER BY rowid LIMIT {int(limit)}", q.params)]


def sort_ids(ws: Workspace, q: PeopleQuery, ids: list[int]) -> array:
    """`ids` (a small result) in the query's order."""
    if not ids:
        return array("q")
    return _fetch_ids(ws, f"SELECT rowid FROM persons WHERE rowid IN ({','.join('?' * len(ids))}) ORDER BY {q.order}",
                      ids)


def rows_for(ws: Workspace, rowids: list[int]) -> list[tuple]:
    """The table's cells for a block of rowids, as tuples in `ROW_FIELDS` order (any order of rows)."""
    sql = f"SELECT {', '.join(ROW_FIELDS)} FROM persons WHERE rowid IN ({','.join('?' * len(rowids))})"
    return ws.conn.execute(sql, rowids).fetchall()


def rowid_of(ws: Workspace, pid: str) -> int | None:
    row = ws.conn.execute("SELECT rowid FROM persons WHERE pid=?", (pid,)).fetchone()
    return row[0] if row else None


def position(ws: Workspace, ids: array, pid: str) -> int:
    """Where a person stands in a result of rowids (-1: not in it)."""
    rid = rowid_of(ws, pid)
    if rid is None:
        return -1
    try:
        return ids.index(rid)
    except ValueError:
        return -1
