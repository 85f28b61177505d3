"""What a village may write: the scope rule, applied where a village's events arrive (the township).

A village's package may carry events only for its own village's people (and its own canvassers).
Anything else — a person of another village (a village that imported the whole township's list),
a move of someone into another village, a settlement of the review queue — is never applied: it is held in `held_events` for the township to accept or
reject. Events the township already holds pass (inserting them changes nothing).

A person belongs to the village the township's projection says, or to each village of an
unsettled review-queue entry; a person the township has never seen belongs to the village its
creation names (a newcomer found at the door). A village that creates someone the township holds
in another village goes to the review queue as before (DESIGN §3, rule 4): that creation names the
sender's own village, so it is in scope.
"""

from __future__ import annotations

import json

from ..storage.store import Event, Workspace, now_iso
from . import merge
from .container import PackageError

RETIRED = "用已作废的旧密钥签名（换钥前导出的数据包）"


def _homes(ws: Workspace, pids: list[str]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Each person's village at the township, and the villages of unsettled review-queue entries."""
    home: dict[str, str] = {}
    disputed: dict[str, set[str]] = {}
    for i in range(0, len(pids), 500):
        chunk = pids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        home.update(ws.conn.execute(f"SELECT pid, village FROM persons WHERE pid IN ({marks})", chunk).fetchall())
        for pid, villages in ws.conn.execute(
                f"SELECT pid, villages FROM conflicts WHERE resolved=0 AND pid IN ({marks})", chunk):
            disputed[pid] = set(villages.split(","))
    return home, disputed


def why_out(ev: Event, village: str, belongs: bool) -> str:
    """Why one event is outside `village`'s scope ('' when it is inside). `belongs`: the person
    (for a "p:" entity) is the village's at the township, or created by this package for it."""
    kind, entity, p = ev.kind, ev.entity, ev.payload
    if entity[:2] != "p:":  # the campaign is everyone's (DESIGN §6), canvassers are the village's own
        return ""
    if kind == "conflict.resolved":
        return "重复建档的归属只能由乡镇决定"
    if kind in ("person.created", "person.updated") and "village" in p and p.get("village") != village:
        return f"把人员记到了别的村（{str(p.get('village') or '（空）')[:20]}）"
    if not belongs:
        return "不是本村的人员"
    return ""


def partition(ws: Workspace, village: str, rows: list, events: list[Event]
              ) -> tuple[list, list[Event], list[tuple[list, str]]]:
    """(rows kept, events kept, [(row held, reason)]) of one village's package."""
    pids = sorted({ev.entity[2:] for ev in events if ev.entity[:2] == "p:"})
    home, disputed = _homes(ws, pids)
    claimed = {ev.entity for ev in events if ev.kind == "person.created" and ev.payload.get("village") == village
               and ev.entity[2:] not in home}
    out: list[tuple[int, str]] = []
    for n, ev in enumerate(events):
        pid = ev.entity[2:] if ev.entity[:2] == "p:" else ""
        belongs = bool(pid) and (home.get(pid) == village or village in disputed.get(pid, ())
                                 or ev.entity in claimed
                                 or (ev.kind == "person.created" and ev.payload.get("village") == village))
        why = why_out(ev, village, belongs)
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

