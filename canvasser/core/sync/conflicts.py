"""The review queue: the same national ID created in two villages is never merged silently.

The projection fills `conflicts`; a clerk decides which village the person belongs to, recorded as
a "conflict.resolved" event on the person (payload {"village": chosen}) that travels like any other.
"""

from __future__ import annotations

from ..errors import InputError
from ..rules.visits import resolve_person
from ..storage.projection import version_fields
from ..storage.store import EVENT_COLUMNS, ORDER, Event, Workspace
from ..text import ids


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
    ws.emit("conflict.resolved", f"p:{pid}", {"village": village, "fields": winning_version(ws, pid, village)}, by)
    return {"id": pid, "village": village, "villages": villages}


def _events(ws: Workspace, pid: str) -> list[Event]:
    return [Event.from_row(r) for r in ws.conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE entity=? ORDER BY {ORDER}", (f"p:{pid}",))]


def winning_version(ws: Workspace, pid: str, village: str) -> dict:
    """The person as the chosen village wrote them (created, then edited by that village's copies):
    the resolution carries it whole, so no field of the other village's version survives; that
    version stays in the log (history)."""
    events = _events(ws, pid)
    origins = {ev.origin for ev in events if ev.kind == "person.created" and ev.payload.get("village") == village}
    fields = version_fields(events, origins)
    fields["village"] = village
    return fields


def versions(ws: Workspace, raw_id: str) -> dict:
    """Both (all) versions of a duplicate side by side, for the clerk: per village, the fields its
    copy wrote, who created it and when, and the visits each village recorded."""
    pid = resolve_person(ws, raw_id)
    row = ws.one("SELECT villages, resolved, resolution FROM conflicts WHERE pid=?", (pid,))
    if row is None:
        raise InputError(f"身份证号 {ids.mask(pid)} 的人员不在待核对名单中")
    events = _events(ws, pid)
    out = []
    for village in row["villages"].split(","):
        created = [ev for ev in events if ev.kind == "person.created" and ev.payload.get("village") == village]
        origins = {ev.origin for ev in created}
        fields = version_fields(events, origins)
        visits = [ev for ev in events if ev.kind == "visit.recorded" and ev.origin in origins]
        out.append({"village": village, "fields": {k: fields.get(k, "") for k in SHOWN},
                    "created_by": created[0].author if created else "",
                    "created_at": created[0].recorded_at if created else "", "visits": len(visits)})
    current = ws.one("SELECT village FROM persons WHERE pid=?", (pid,))
    return {"id": pid, "masked_id": ids.mask(pid), "versions": out, "resolved": bool(row["resolved"]),
            "current_village": (current or {}).get("village", "")}


SHOWN = ("name", "sex", "birth", "village", "grp", "household", "relation", "address", "phone", "categories", "note")
SHOWN_LABELS = {"name": "姓名", "sex": "性别", "birth": "出生日期", "village": "村（社区）", "grp": "组",
                "household": "户编号", "relation": "与户主关系", "address": "地址", "phone": "电话",
                "categories": "人员类别", "note": "备注"}
