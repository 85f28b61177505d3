"""The review queue: the same national ID created in two villages is never merged silently.

The projection fills `conflicts`; a clerk decides which village the person belongs to, recorded as
a "conflict.resolved" event on the person (payload {"village": chosen}) that travels like any other.
The same transaction adopts what the chosen village sent about the person and the township held
while the person was disputed (`scope.adopt`); what other villages sent is marked not adopted, and
the return packages tell them so.
"""

from __future__ import annotations

from ..errors import InputError
from ..rules.visits import resolve_person
from ..storage.projection import version_fields
from ..storage.store import EVENT_COLUMNS, ORDER, Event, Workspace
from ..text import ids
from ..tiers import Tier, split_label
from . import scope


def list_conflicts(ws: Workspace, *, include_resolved: bool = False) -> list[dict]:
    sql = ("SELECT c.pid, c.villages, c.origins, c.resolved, c.resolution, p.name, p.village, p.township "
           "FROM conflicts c LEFT JOIN persons p ON p.pid = c.pid")
    if not include_resolved:
        sql += " WHERE c.resolved = 0"
    out = []
    for r in ws.query(sql + " ORDER BY c.pid"):
        places = r["villages"].split(",")
        out.append({"id": r["pid"], "masked_id": ids.mask(r["pid"]), "name": r["name"] or "",
                    "villages": places, "townships": sorted({split_label(u)[0] or r["township"] or "" for u in places}),
                    "current_village": r["village"] or "", "current_township": r["township"] or "",
                    "resolved": bool(r["resolved"]), "copies": len(r["origins"].split(","))})
    return out


def resolve_conflict(ws: Workspace, raw_id: str, village: str = "", *, township: str = "", by: str = "") -> dict:
    """Record which village (at a county: which township, and its village when it names several) a
    doubly-created person belongs to."""
    pid = resolve_person(ws, raw_id)
    row = ws.one("SELECT villages FROM conflicts WHERE pid=?", (pid,))
    if row is None:
        raise InputError(f"身份证号 {ids.mask(pid)} 的人员不在待核对名单中")
    places = row["villages"].split(",")
    village, township = (village or "").strip(), (township or "").strip()
    if "/" in village and not township:  # a place as the queue names it ("东岳镇/杨柳村")
        township, village = split_label(village)
    choice = [u for u in places if (not township or split_label(u)[0] == township)
              and (not village or split_label(u)[1] == village)]
    if not village and not township or len(choice) != 1:
        shown = "、".join(places)
        if township and len(choice) > 1:
            raise InputError(f"“{township}”有几个村新增了此人，请再用 --village 指定：{shown}")
        raise InputError(f"应在这些{'乡镇/村' if any('/' in u for u in places) else '村（社区）'}中选择一个：{shown}")
    town, village = split_label(choice[0])
    payload = {"village": village, "fields": winning_version(ws, pid, village, town)}
    if town:
        payload["township"] = town
    with ws.transaction():
        ws.emit("conflict.resolved", f"p:{pid}", payload, by)
        # the unit whose records wait for this: the village at a township, the township at a county
        taken = scope.adopt(ws, pid, town if ws.tier is Tier.COUNTY and town else village)
    return {"id": pid, "village": village, "township": town, "villages": places, **taken}


def _events(ws: Workspace, pid: str) -> list[Event]:
    return [Event.from_row(r) for r in ws.conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE entity=? ORDER BY {ORDER}", (f"p:{pid}",))]


def _created_in(events: list[Event], village: str, township: str = "") -> list[Event]:
    """The creations that name a place (a village, of `township` when given)."""
    return [ev for ev in events if ev.kind == "person.created" and ev.payload.get("village") == village
            and (not township or ev.payload.get("township") == township)]


def winning_version(ws: Workspace, pid: str, village: str, township: str = "") -> dict:
    """The person as the chosen village wrote them (created, then edited by that village's copies):
    the resolution carries it whole, so no field of the other village's version survives; that
    version stays in the log (history)."""
    events = _events(ws, pid)
    origins = {ev.origin for ev in _created_in(events, village, township)}
    fields = version_fields(events, origins)
    fields["village"] = village
    if township:
        fields["township"] = township
    return fields


def versions(ws: Workspace, raw_id: str) -> dict:
    """Both (all) versions of a duplicate side by side, for the clerk: per place, the fields its
    copy wrote, who created it and when, and the visits each recorded."""
    pid = resolve_person(ws, raw_id)
    row = ws.one("SELECT villages, resolved, resolution FROM conflicts WHERE pid=?", (pid,))
    if row is None:
        raise InputError(f"身份证号 {ids.mask(pid)} 的人员不在待核对名单中")
    events = _events(ws, pid)
    waiting = {r["village"]: r["n"] for r in ws.query(
        "SELECT p.name AS village, count(*) AS n FROM held_events h JOIN peers p ON p.peer = h.peer "
        "WHERE h.entity = ? AND h.decision = '' AND json_extract(h.row, '$[4]') = 'visit.recorded' GROUP BY p.name",
        (f"p:{pid}",))}
    out = []
    for place in row["villages"].split(","):
        township, village = split_label(place)
        created = _created_in(events, village, township)
        origins = {ev.origin for ev in created}
        fields = version_fields(events, origins)
        # the unit's visits: recorded there (an event's scope is the village it was written for),
        # applied here or waiting for the assignment (held from the unit's package: by its name)
        unit = township if ws.tier is Tier.COUNTY and township else village
        applied = sum(1 for ev in events if ev.kind == "visit.recorded" and ev.scope == village)
        out.append({"village": village, "township": township, "place": place,
                    "fields": {k: fields.get(k, "") for k in SHOWN},
                    "created_by": created[0].author if created else "",
                    "created_at": created[0].recorded_at if created else "",
                    "visits": applied + waiting.get(unit, 0), "visits_waiting": waiting.get(unit, 0)})
    current = ws.one("SELECT village, township FROM persons WHERE pid=?", (pid,)) or {}
    return {"id": pid, "masked_id": ids.mask(pid), "versions": out, "resolved": bool(row["resolved"]),
            "current_village": current.get("village", ""), "current_township": current.get("township", "")}


def assignment_line(res: dict) -> str:
    """What an assignment did (`resolve_conflict`'s result), in words: the window and the CLI."""
    place = f"{res['township']}{res['village']}" if res.get("township") else res["village"]
    unit = res.get("township") or res["village"]
    what = "乡镇" if res.get("township") else "村"
    others = "别的乡镇" if res.get("township") else "别村"
    text = f"已确定归属：{place}"
    if res.get("adopted"):
        text += f"，采用了{unit}暂存的 {res['adopted']} 条记录"
    if res.get("not_adopted"):
        text += f"；{others}的 {res['not_adopted']} 条记录未采用（回传包会告诉该{what}）"
    return text + f"（下次给各{what}发回传包时一并送达）。"


SHOWN = ("name", "sex", "birth", "township", "village", "grp", "household", "relation", "address", "phone", "categories", "note")
SHOWN_LABELS = {"name": "姓名", "sex": "性别", "birth": "出生日期", "township": "乡镇（街道）", "village": "村（社区）", "grp": "组",
                "household": "户编号", "relation": "与户主关系", "address": "地址", "phone": "电话",
                "categories": "人员类别", "note": "备注"}
