"""What a unit below may write: the scope rule, applied where its events arrive (a village's at the
township, a township's at the county: the same rule one level up, by `Tier.below.unit_column`).

A village's package may carry events only for its own village's people (and its own canvassers).
Anything else — a person of another village (a village that imported the whole township's list),
a move of someone into another village, a settlement of the review queue — is never applied: it is held in `held_events` for the township to accept or
reject. Events the township already holds pass (inserting them changes nothing).

A person belongs to the village the township's projection says, or to each village of an
unsettled review-queue entry; a person the township has never seen belongs to the village its
creation names (a newcomer found at the door). A village that creates a newcomer the township holds
in another village (the same newborn added twice) goes to the review queue (DESIGN §3, rule 4); one
that creates someone the bureau's list places in another village is held (the list outranks a claim).
A campaign change is the sender's only in its own layer (core/layers.py).
"""

from __future__ import annotations

import json

from ..storage.layers import COUNTY_KEY, campaign_rows
from ..storage.store import Event, Workspace, now_iso
from ..tiers import Tier, split_label
from . import merge
from .container import PackageError

RETIRED = "用已作废的旧密钥签名（换钥前导出的数据包）"


def _homes(ws: Workspace, pids: list[str], col: str) -> tuple[dict[str, tuple[str, str]], dict[str, set[str]]]:
    """Each person's unit here (`col`: their village at a township, their township at a county) with
    where they came from (`source`: 'bureau' for a list), and the units of unsettled review-queue entries."""
    home: dict[str, tuple[str, str]] = {}
    disputed: dict[str, set[str]] = {}
    for i in range(0, len(pids), 500):
        chunk = pids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        home.update((pid, (unit, source)) for pid, unit, source in ws.conn.execute(
            f"SELECT pid, {col}, source FROM persons WHERE pid IN ({marks})", chunk))
        for pid, places, township in ws.conn.execute(
                f"SELECT c.pid, c.villages, p.township FROM conflicts c LEFT JOIN persons p ON p.pid = c.pid "
                f"WHERE c.resolved=0 AND c.pid IN ({marks})", chunk):
            disputed[pid] = {_unit_of(place, col, township or "") for place in places.split(",")}
    return home, disputed


def _unit_of(place: str, col: str, township: str) -> str:
    """A review-queue place ("东岳镇/杨柳村" or "杨柳村") as a unit of `col`."""
    town, village = split_label(place)
    return village if col == "village" else (town or township)


def why_out(ev: Event, unit: str, belongs: bool, col: str = "village") -> str:
    """Why one event is outside the sender's scope ('' when it is inside). `unit` is the sender (a
    village at a township, `col` 'village'; a township at a county, `col` 'township'); `belongs`:
    the person (for a "p:" entity) is the unit's here, or created by this package for it."""
    kind, entity, p = ev.kind, ev.entity, ev.payload
    what = "村" if col == "village" else "乡镇"
    if entity[:2] != "p:":  # the campaign is checked apart (campaign_out); canvassers are the village's own
        return ""
    if kind == "conflict.resolved":
        return f"重复建档的归属只能由{'乡镇' if col == 'village' else '县'}决定"
    if kind in ("person.created", "person.updated") and p.get(col) and p.get(col) != unit:
        return f"把人员记到了别的{what}（{str(p.get(col))[:20]}）"
    if kind in ("person.created", "person.updated") and col in p and not p.get(col) and col == "village":
        return f"把人员记到了别的{what}（（空））"
    if not belongs:
        return f"不是本{what}的人员"
    return ""


LISTED = "bureau"  # persons.source of someone from the bureau's list


def campaign_out(ws: Workspace, ev: Event, layer: str) -> str:
    """Why a campaign change from below is outside the sender's layer ('' when inside): a unit
    changes only its own layer (core/layers.py); the drive's layer, where a county leads it, is the
    county's. A change to it that changes nothing (a township joining its county hands the
    county's values back) passes; so does a village's from before layers (no county yet)."""
    if ev.entity != "campaign" or ev.scope == layer:
        return ""
    current = campaign_rows(ws.conn, [""])
    if ev.scope == "" and (COUNTY_KEY not in current and ws.tier is not Tier.COUNTY):
        return ""
    if ev.scope == "" and all(current.get(k, (None,))[0] == json.dumps(v, ensure_ascii=False, sort_keys=True)
                              for k, v in ev.payload.items()):
        return ""
    return "改动了上级或别的乡镇的设置"


def partition(ws: Workspace, unit: str, rows: list, events: list[Event]
              ) -> tuple[list, list[Event], list[tuple[list, str]]]:
    """(rows kept, events kept, [(row held, reason)]) of one unit's package (a village's at a
    township, a township's at a county).

    A person belongs to the unit this workspace places them in, to each unit of an unsettled
    review-queue entry, or (someone new here) to the unit its creation names. A creation naming
    the sender's own unit for someone placed elsewhere goes to the review queue when both are
    newcomers (the same newborn added twice); when the bureau's list places them elsewhere it is
    held: the list outranks a claim, and the person stays where the list put them until the
    clerk decides."""
    col = ws.tier.below.unit_column
    layer = unit if ws.tier is Tier.COUNTY else (ws.meta("township") or "")
    pids = sorted({ev.entity[2:] for ev in events if ev.entity[:2] == "p:"})
    home, disputed = _homes(ws, pids, col)

    def names_sender(ev: Event) -> bool:
        return ev.kind == "person.created" and (ev.payload.get(col) or (unit if col == "township" else "")) == unit

    claimed = {ev.entity for ev in events if names_sender(ev) and ev.entity[2:] not in home}
    out: list[tuple[int, str]] = []
    for n, ev in enumerate(events):
        pid = ev.entity[2:] if ev.entity[:2] == "p:" else ""
        here, source = home.get(pid, ("", ""))
        belongs = bool(pid) and ((pid in home and here == unit) or unit in disputed.get(pid, ()) or ev.entity in claimed
                                 or (names_sender(ev) and source != LISTED))
        why = why_out(ev, unit, belongs, col) or campaign_out(ws, ev, layer)
        if why:
            out.append((n, why))
    if not out:
        return rows, events, []
    known = merge._existing(ws.conn, [rows[n][0] for n, _ in out])
    held = [(rows[n], why) for n, why in out if rows[n][0] not in known]
    drop = {n for n, _ in out}
    keep = [i for i in range(len(rows)) if i not in drop]
    return [rows[i] for i in keep], [events[i] for i in keep], held


def hold(ws: Workspace, peer: str, package_id: str, held: list[tuple[list, str]]) -> int:
    """Keep out-of-scope events for review (a package sent again holds nothing twice); returns how many are new."""
    before = ws.conn.total_changes
    ws.conn.executemany("INSERT OR IGNORE INTO held_events (event_id, peer, package_id, reason, row, held_at) "
                        "VALUES (?,?,?,?,?,?)",
                        [(r[0], peer, package_id, why, json.dumps(r, ensure_ascii=False), now_iso())
                         for r, why in held])
    return ws.conn.total_changes - before


def list_held(ws: Workspace) -> list[dict]:
    """Held events not yet decided, grouped by package and reason (no names or IDs: counts only)."""
    groups: dict[tuple, dict] = {}
    for r in ws.query("SELECT h.package_id, h.reason, h.held_at, p.name AS village, count(*) AS n, "
                      "count(DISTINCT json_extract(h.row, '$[5]')) AS people FROM held_events h "
                      "LEFT JOIN peers p ON p.peer = h.peer WHERE h.decision = '' "
                      "GROUP BY h.package_id, h.reason ORDER BY min(h.held_at), h.package_id, h.reason"):
        g = groups.setdefault((r["package_id"],), {"package_id": r["package_id"], "village": r["village"] or "",
                                                   "held_at": r["held_at"], "events": 0, "reasons": {}})
        g["events"] += r["n"]
        g["reasons"][r["reason"]] = r["n"]
    return list(groups.values())


def decide(ws: Workspace, package_id: str, accept: bool) -> dict:
    """Accept (merge as if received) or reject (keep the record, apply nothing) one package's held
    events; package_id "all" decides every undecided one."""
    where, params = ("decision='' AND package_id=?", (package_id,)) if package_id != "all" else ("decision=''", ())
    with ws.transaction():
        held = ws.conn.execute(f"SELECT h.row, h.reason, p.name FROM held_events h LEFT JOIN peers p ON p.peer = h.peer "
                               f"WHERE {where} ORDER BY h.held_at, h.event_id", params).fetchall()
        if not held:
            raise PackageError("没有这个待审核的数据包" if package_id != "all" else "没有待审核的记录")
        rows = [json.loads(r) for r, _, _ in held]
        applied, still = 0, []
        if accept:
            # a retired key's package is taken as its village's: what lies outside the village stays held
            take = [r for r, (_, why, _) in zip(rows, held) if why != RETIRED]
            for village in sorted({v or "" for _, why, v in held if why == RETIRED}):
                mine = [r for r, (_, why, v) in zip(rows, held) if why == RETIRED and (v or "") == village]
                kept, _, out = partition(ws, village, mine, merge.validate(mine))
                take += kept
                still += out
            if still:
                ws.conn.executemany("UPDATE held_events SET reason=? WHERE event_id=?", [(w, r[0]) for r, w in still])
            new, _ = merge.merge(ws, take, merge.validate(take)) if take else ([], 0)
            applied = len(new)
        ws.conn.execute(f"UPDATE held_events SET decision=? WHERE {where} AND event_id NOT IN "
                        f"({','.join('?' * len(still))})", ("accepted" if accept else "rejected", *params,
                                                             *[r[0] for r, _ in still]))
    return {"events": len(rows), "applied": applied, "accepted": accept, "still_held": len(still)}

