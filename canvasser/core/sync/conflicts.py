"""The review queue: the same national ID created in two villages is never merged silently.

The projection fills `conflicts`; a clerk decides which village the person belongs to, recorded as
a "conflict.resolved" event on the person (payload {"village": chosen}) that travels like any other.
"""

from __future__ import annotations

from .. import ids
from ..errors import InputError
from ..store import Workspace
from ..visits import resolve_person


def list_conflicts(ws: Workspace, *, include_resolved: bool = False) -> list[dict]:
    sql = ("SELECT c.pid, c.villages, c.origins, c.resolved, c.resolution, p.name, p.village "
           "FROM conflicts c LEFT JOIN persons p ON p.pid = c.pid")
    if not include_resolved:
        sql += " WHERE c.resolved = 0"
    out = []
    for r in ws.query(sql + " ORDER BY c.pid"):
        out.append({"id": r["pid"], "masked_id": ids.mask(r["pid"]), "name": r["name"] or "",
                    "villages": r["villages"].split(","), "current_village": r["village"] or "",
                    "resolved": bool(r["resolved"]), "copies": len(r["origins"].split(","))})
    return out


def resolve_conflict(ws: Workspace, raw_id: str, village: str, *, by: str = "") -> dict:
    """Record which village a doubly-created person belongs to."""
    pid = resolve_person(ws, raw_id)
    row = ws.one("SELECT villages FROM conflicts WHERE pid=?", (pid,))
    if row is None:
        raise InputError(f"身份证号 {ids.mask(pid)} 的人员不在待核对名单中")
    villages = row["villages"].split(",")
    village = (village or "").strip()
    if village not in villages:
        raise InputError(f"应在这些村（社区）中选择一个：{'、'.join(villages)}")
    ws.emit("conflict.resolved", f"p:{pid}", {"village": village}, by)
    return {"id": pid, "village": village, "villages": villages}
