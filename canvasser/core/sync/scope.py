"""What a lower tier may write, applied where its events arrive (a village's at its township, a
township's at its county: the same rule one level up, by `Tier.below.unit_column`), and what becomes
of what it may not: held records, decided in the window, adopted on an assignment, reported back.

A unit's package may carry events only for its own people (and its own canvassers). Anything else
is never applied: it is held in `held_events` with its reason. Events the receiver already holds
pass (inserting them changes nothing).

- **Outside the unit** — a person of another village (a village that imported the whole
  township's list), a move of someone into another village, a township's record about another
  township's person: held for the clerk to accept or reject.
- **Someone the bureau's list places in another township** (at a county, `list_places`) — a
  township's creation of a person the county's list puts in another township: held with everything
  it sent about them (the bureau's list decides the township; the person stays there until the
  bureau accepts). Within a township, a village's claim to someone listed in another village is a
  duplicate for the review queue (below).
- **What the tier above decides** (`authority.held_reason`) — a settings change, a new year, an
  official payment: refused at once (never applied, never forwarded, never adoptable), and the
  receiver writes its own values again so the sender's copy converges (`_reassert`). A township's
  change to what it decides (its villages' task numbers, in its own layer of the campaign:
  core/storage/layers.py) is its own and passes; so does a change that changes nothing.
- **A settlement of the review queue** (`conflict.resolved`): only the coordinator assigns: refused.
- **A disputed person** — a newcomer two units created (DESIGN §3 rule 4), now or by this very batch
  of packages: the creations go to the review queue, every other record about that person waits
  until the clerk assigns the person to a unit. The assignment adopts what that unit sent
  (`adopt`) and marks what the others sent as not adopted.

A person belongs to the unit the receiver's projection says; a person it has never seen belongs to
the unit its creation names (a newcomer found at the door). Held records count as received in the
acknowledgements, so the unit stops re-sending them; the return package tells the unit which of its
records were not adopted and why (`returned_for` → `note_returned`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from .. import authority
from ..rules import campaign as campaign_mod
from ..rules.history import describe_event
from ..storage.layers import campaign_rows
from ..storage.projection import coverage_year
from ..storage.store import Event, Workspace, now_iso
from ..tiers import Tier, split_label
from . import merge
from .container import PackageError

RETIRED = "用已作废的旧密钥签名（换钥前导出的数据包）"
LISTED = "bureau"  # persons.source of someone from the bureau's list


def _what(col: str) -> str:
    return "村" if col == "village" else "乡镇"


def settled_above(col: str) -> str:
    return f"重复建档的归属只能由{'乡镇' if col == 'village' else '县'}决定"


def others(col: str) -> str:
    return f"不是本{_what(col)}的人员"


SETTLED_ABOVE = settled_above("village")
OTHERS = others("village")

# decisions on a held record ('' = waiting for the clerk)
WAITING, ACCEPTED, REJECTED = "", "accepted", "rejected"
REFUSED = "barred"  # what the tier above decides: refused, never applied, never adoptable
ADOPTED, NOT_ADOPTED = "adopted", "not_adopted"  # by an assignment of a disputed person
DECISION_LABELS = {WAITING: "待审核", ACCEPTED: "已采用", REJECTED: "未采用（上级拒绝）", REFUSED: "未采用（由上级决定的事项）",
                   ADOPTED: "已采用（确定归属后）", NOT_ADOPTED: "未采用（此人归属别处）"}
NOT_TAKEN = (WAITING, REJECTED, REFUSED, NOT_ADOPTED)  # what a return package reports to the unit


def disputed_reason(units: Iterable[str]) -> str:
    return f"此人待核对（{'、'.join(sorted(units))}都报了此人），确定归属后再采用"


def _col(ws: Workspace) -> str:
    """The persons column naming the units that send to this workspace (its tier below's)."""
    below = ws.tier.below
    return below.unit_column if below else "village"


def _unit_of(place: str, col: str, township: str) -> str:
    """A review-queue place ("东岳镇/杨柳村" or "杨柳村") as a unit of `col`."""
    town, village = split_label(place)
    return village if col == "village" else (town or township)


def _homes(ws: Workspace, pids: list[str]
           ) -> tuple[dict[str, tuple[str, str]], dict[str, set[str]], set[str]]:
    """Each person's unit here (their village at a township, their township at a county) with where
    they came from (`source`: 'bureau' for a list), the units of unsettled review-queue entries, and
    the people whose review-queue entry is settled."""
    col = _col(ws)
    home: dict[str, tuple[str, str]] = {}
    disputed: dict[str, set[str]] = {}
    settled: set[str] = set()
    for i in range(0, len(pids), 500):
        chunk = pids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        home.update((pid, (unit, source)) for pid, unit, source in ws.conn.execute(
            f"SELECT pid, {col}, source FROM persons WHERE pid IN ({marks})", chunk))
        for pid, places, resolved, township in ws.conn.execute(
                f"SELECT c.pid, c.villages, c.resolved, p.township FROM conflicts c "
                f"LEFT JOIN persons p ON p.pid = c.pid WHERE c.pid IN ({marks})", chunk):
            if resolved:
                settled.add(pid)
            else:
                disputed[pid] = {_unit_of(u, col, township or "") for u in places.split(",")}
    return home, disputed, settled


def _names(ev: Event, unit: str, col: str) -> bool:
    """Whether a creation names the sender's own unit (a township's creation without a township
    name is its own: an older village wrote none)."""
    return ev.kind == "person.created" and (ev.payload.get(col) or ("" if col == "village" else unit)) == unit


def creations(ws: Workspace, packages: Iterable[tuple[str, list[Event]]]) -> dict[str, set[str]]:
    """pid -> the units that create the person in this batch of packages (each its own unit), except
    someone the bureau's list places in another unit here (held, not disputed: `partition`)."""
    col = _col(ws)
    out: dict[str, set[str]] = {}
    for unit, events in packages:
        for ev in events:
            if _names(ev, unit, col):
                out.setdefault(ev.entity[2:], set()).add(unit)
    if not list_places(ws):
        return out
    home, _, _ = _homes(ws, sorted(out))
    return {pid: units for pid, units in out.items()
            if not (pid in home and home[pid][1] == LISTED and home[pid][0] not in units)}


def list_places(ws: Workspace) -> bool:
    """Whether the bureau's list decides which unit a listed person belongs to here: at a county (the
    bureau's own list names each person's township; a township's claim to someone it places in
    another township is held for the bureau), not at a township (a village's claim to someone listed
    in another village is a duplicate for the review queue)."""
    return ws.tier is Tier.COUNTY


def why_out(ev: Event, unit: str, belongs: bool, col: str = "village") -> str:
    """Why one person event is outside the sender's scope ('' when it is inside). `unit` is the
    sender (a village at a township, `col` 'village'; a township at a county, `col` 'township');
    `belongs`: the person is the unit's here, or created by this package for it."""
    kind, p = ev.kind, ev.payload
    if kind == "conflict.resolved":
        return settled_above(col)
    if kind in ("person.created", "person.updated") and col in p and p.get(col) != unit \
            and (p.get(col) or col == "village"):
        return f"把人员记到了别的{_what(col)}（{str(p.get(col) or '（空）')[:20]}）"
    if not belongs:
        return others(col)
    return ""


def campaign_ok(ws: Workspace, ev: Event, unit: str) -> bool:
    """Whether a campaign change from below may be applied although `authority.held_reason` would
    hold it: a township's change, in its own layer, to what a township decides (its villages' task
    numbers); or a change that changes nothing here (a township joining its county hands the
    county's values back)."""
    if ws.tier is Tier.COUNTY and ev.scope == unit and ev.kind == "campaign.set" and ev.payload and all(
            authority.coordinator_decides(Tier.TOWNSHIP, k) for k in ev.payload):
        return True
    current = campaign_rows(ws.conn, campaign_mod.layers(ws) if ev.scope == "" else [ev.scope])
    return ev.kind == "campaign.set" and bool(ev.payload) and all(
        current.get(k, (None,))[0] == json.dumps(v, ensure_ascii=False, sort_keys=True) for k, v in ev.payload.items())


_ROUTINE = frozenset({"visit.recorded", "visit.voided", "person.updated"})
_NOBODY: frozenset = frozenset()


def partition(ws: Workspace, unit: str, rows: list, events: list[Event],
              batch: dict[str, set[str]] | None = None) -> tuple[list, list[Event], list[tuple[list, str, str]]]:
    """(rows kept, events kept, [(row held, reason, decision)]) of one unit's package (a village's at
    a township, a township's at a county). `batch`: `creations` of every package received with it (a
    person two of them create is disputed)."""
    col = _col(ws)
    pids = sorted({ev.entity[2:] for ev in events if ev.entity[:2] == "p:"})
    home, disputed, settled = _homes(ws, pids)
    batch = batch or {}
    claimed = {ev.entity for ev in events if _names(ev, unit, col) and ev.entity[2:] not in home}
    labels = {**campaign_mod.LABELS}
    places = list_places(ws)
    out: list[tuple[int, str, str]] = []
    for n, ev in enumerate(events):
        # the usual record (a visit or an edit of one of the unit's own people, nobody disputing them,
        # no move): in scope without asking more (a county's merge has millions of them)
        kind, entity = ev.kind, ev.entity
        if kind in _ROUTINE and entity[:2] == "p:" and col not in ev.payload:
            pid = entity[2:]
            if home.get(pid, ("",))[0] == unit and pid not in disputed and batch.get(pid, _NOBODY) <= {unit}:
                continue
        why = authority.held_reason(ws, ev.kind, ev.entity, ev.payload, labels)
        if why and not (ev.entity == "campaign" and campaign_ok(ws, ev, unit)):
            out.append((n, why, REFUSED))
            continue
        if ev.entity[:2] != "p:":  # canvassers are the village's own
            continue
        pid = ev.entity[2:]
        if ev.kind == "conflict.resolved":
            out.append((n, settled_above(col), REFUSED))
            continue
        here, source = home.get(pid, ("", ""))
        listed_elsewhere = pid in home and source == LISTED and here != unit and places
        rivals = disputed.get(pid) or (
            set() if pid in settled or listed_elsewhere else {v for v in (here, *batch.get(pid, ())) if v})
        belongs = (here == unit or unit in rivals or ev.entity in claimed
                   or (_names(ev, unit, col) and not listed_elsewhere))
        why = why_out(ev, unit, belongs, col)
        if why == others(col) and listed_elsewhere:
            why = f"名单上此人属于{here}"
        if not why and ev.kind != "person.created" and len(rivals) > 1:
            why = disputed_reason(rivals)
        if why:
            out.append((n, why, WAITING))
    if not out:
        return rows, events, []
    known = merge._existing(ws.conn, [rows[n][0] for n, _, _ in out])
    held = [(rows[n], why, decision) for n, why, decision in out if rows[n][0] not in known]
    drop = {n for n, _, _ in out}
    keep = [i for i in range(len(rows)) if i not in drop]
    return [rows[i] for i in keep], [events[i] for i in keep], held


def hold(ws: Workspace, peer: str, package_id: str, held: list[tuple[list, str, str]]) -> dict[str, dict[str, int]]:
    """Keep records for review (a package sent again holds nothing twice); returns how many this
    package had held, by reason: {"waiting": {...}, "barred": {...}}. The township's own values are
    written again over what a record it refused would have changed."""
    fresh = {r[0] for r, _, _ in held} - _held_ids(ws, [r[0] for r, _, _ in held])
    at = now_iso()
    ws.conn.executemany("INSERT OR IGNORE INTO held_events (event_id, peer, package_id, reason, row, held_at, "
                        "decision, entity, decided_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        [(r[0], peer, package_id, why, json.dumps(r, ensure_ascii=False), at, decision, r[5],
                          at if decision else "") for r, why, decision in held])
    _reassert(ws, [r for r, _, decision in held if decision == REFUSED and r[0] in fresh])
    return {"waiting": dict(Counter(why for _, why, decision in held if decision != REFUSED)),
            "barred": dict(Counter(why for _, why, decision in held if decision == REFUSED))}


def _held_ids(ws: Workspace, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        found.update(r[0] for r in ws.conn.execute(
            f"SELECT event_id FROM held_events WHERE event_id IN ({','.join('?' * len(chunk))})", chunk))
    return found


def _reassert(ws: Workspace, rows: list[list]) -> None:
    """Write this tier's own values again over what refused records would have changed, later than
    they are, so the sender's copy converges on them: the settings they touched, and for an official
    payment this tier never confirmed, "not paid" for that year."""
    if not rows:
        return
    ws.clock.observe(max(r[3] for r in rows))
    keys: set[str] = set()
    people: set[tuple[str, int]] = set()
    for r in rows:
        payload = json.loads(r[6])
        if r[5] == "campaign":
            keys.update(k for k in payload if authority.decider(k) is not authority.Decides.OWN
                        and authority.decides(ws, k))  # (a county writes no township's villages' targets)
        elif r[4] == authority.OFFICIAL_KIND and payload.get("paid", True):
            people.add((r[5], int(payload.get("year") or coverage_year(ws.conn))))
    stored = {k: json.loads(v) for k, (v, _) in campaign_rows(ws.conn, campaign_mod.layers(ws)).items()}
    values = {**campaign_mod.load(ws).values, **stored}
    again = {k: values[k] for k in sorted(keys) if k in values}
    with ws.writing() as batch:
        if again:
            batch.emit("campaign.set", "campaign", again)
        for entity, year in sorted(people):
            if not ws.scalar("SELECT 1 FROM official_payments WHERE pid=? AND year=?", (entity[2:], year)):
                batch.emit(authority.OFFICIAL_KIND, entity, {"year": year, "paid": False,
                                                             "source": "未经医保局确认（下级导入的名单不作为确认）"})


# ---- the township decides --------------------------------------------------------------------

def list_held(ws: Workspace) -> list[dict]:
    """Held events not yet decided, grouped by package and reason (no names or IDs: counts only)."""
    groups: dict[tuple, dict] = {}
    for r in ws.query("SELECT h.package_id, h.reason, h.held_at, p.name AS village, count(*) AS n, "
                      "count(DISTINCT h.entity) AS people FROM held_events h "
                      "LEFT JOIN peers p ON p.peer = h.peer WHERE h.decision = '' "
                      "GROUP BY h.package_id, h.reason ORDER BY min(h.held_at), h.package_id, h.reason"):
        g = groups.setdefault((r["package_id"],), {"package_id": r["package_id"], "village": r["village"] or "",
                                                   "held_at": r["held_at"], "events": 0, "reasons": {}})
        g["events"] += r["n"]
        g["reasons"][r["reason"]] = r["n"]
    return list(groups.values())


def held_records(ws: Workspace, *, decided: bool = False) -> list[dict]:
    """The held records one by one, for the 待审核 screen: who sent it, what it is, whom it is about,
    why it was held and what became of it (undecided ones only, unless `decided`)."""
    where = "" if decided else "WHERE h.decision = ''"
    out = []
    for r in ws.query(f"SELECT h.event_id, h.package_id, h.reason, h.held_at, h.decision, h.decided_at, h.row, "
                      f"h.entity, p.name AS village, s.name AS person FROM held_events h "
                      f"LEFT JOIN peers p ON p.peer = h.peer "
                      f"LEFT JOIN persons s ON h.entity LIKE 'p:%' AND s.pid = substr(h.entity, 3) "
                      f"{where} ORDER BY h.held_at, h.package_id, h.event_id"):
        row = json.loads(r["row"])
        payload = json.loads(row[6]) if isinstance(row[6], str) else {}
        out.append({"event_id": r["event_id"], "package_id": r["package_id"], "village": r["village"] or "",
                    "kind": row[4], "what": describe(row[4], payload), "author": row[7], "recorded_at": row[8],
                    "entity": r["entity"], "id": r["entity"][2:] if r["entity"].startswith("p:") else "",
                    "name": r["person"] or (payload.get("name") or ""), "reason": r["reason"],
                    "held_at": r["held_at"], "decision": r["decision"], "decided_at": r["decided_at"],
                    "state": DECISION_LABELS.get(r["decision"], r["decision"])})
    return out


def describe(kind: str, payload: dict) -> str:
    """A held record in words (the window and the village's view of what was not adopted)."""
    if kind == "campaign.set":
        return "修改设置：" + "、".join(campaign_mod.LABELS.get(k, k) for k in payload)[:80]
    if kind == "campaign.year_started":
        return f"开始 {payload.get('coverage_year', '')} 年度"
    if kind == "canvasser.set":
        return "走访人档案"
    return describe_event({"kind": kind, "payload": payload})


def decide(ws: Workspace, package_id: str, accept: bool, event_ids: list[str] | None = None) -> dict:
    """Accept (merge as if received) or reject (keep the record, apply nothing) one package's held
    events (package_id "all": every undecided one; `event_ids`: only those)."""
    where, params = ("decision='' AND package_id=?", (package_id,)) if package_id != "all" else ("decision=''", ())
    if event_ids is not None:
        marks = ",".join("?" * len(event_ids)) or "''"
        where += f" AND event_id IN ({marks})"
        params = (*params, *event_ids)
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
            for r, why, decision in still:
                ws.conn.execute("UPDATE held_events SET reason=?, decision=?, decided_at=? WHERE event_id=?",
                                (why, decision, now_iso() if decision else "", r[0]))
            applied = _merge(ws, take)
        skip = [r[0] for r, _, _ in still]
        ws.conn.execute(f"UPDATE held_events SET decision=?, decided_at=? WHERE {where} AND event_id NOT IN "
                        f"({','.join('?' * len(skip))})", (ACCEPTED if accept else REJECTED, now_iso(), *params, *skip))
    return {"events": len(rows), "applied": applied, "accepted": accept, "still_held": len(still)}


def _merge(ws: Workspace, rows: list[list]) -> int:
    if not rows:
        return 0
    new, _ = merge.merge(ws, rows, merge.validate(rows))
    return len(new)


def adopt(ws: Workspace, pid: str, village: str) -> dict:
    """A disputed person was assigned to `village` (in the caller's transaction, after the
    assignment): the records that village sent about them and the township held are adopted (those
    still outside its scope stay held); what other villages sent about them is not adopted."""
    rows = ws.conn.execute("SELECT h.event_id, h.row, p.name FROM held_events h LEFT JOIN peers p ON p.peer = h.peer "
                           "WHERE h.entity = ? AND h.decision = '' ORDER BY h.held_at, h.event_id",
                           (f"p:{pid}",)).fetchall()
    mine = [json.loads(r) for _, r, name in rows if name == village]
    others = [eid for eid, _, name in rows if name != village]
    at = now_iso()
    kept, _, still = partition(ws, village, mine, merge.validate(mine)) if mine else ([], [], [])
    applied = _merge(ws, kept)
    ws.conn.executemany("UPDATE held_events SET decision=?, decided_at=? WHERE event_id=?",
                        [(ADOPTED, at, r[0]) for r in kept])
    ws.conn.executemany("UPDATE held_events SET reason=?, decision=?, decided_at=? WHERE event_id=?",
                        [(why, decision, at if decision else "", r[0]) for r, why, decision in still])
    ws.conn.executemany("UPDATE held_events SET reason=?, decision=?, decided_at=? WHERE event_id=?",
                        [(f"此人已确定归属{village}", NOT_ADOPTED, at, eid) for eid in others])
    return {"adopted": len(kept), "applied": applied, "not_adopted": len(others), "still_held": len(still)}


# ---- telling the village ---------------------------------------------------------------------

def returned_for(ws: Workspace, peer: str) -> list[dict]:
    """What a return package tells one village: each of its records the township has not taken
    (waiting, rejected, refused or not adopted), with the reason."""
    marks = ",".join("?" * len(NOT_TAKEN))
    return [{"event_id": r["event_id"], "kind": json.loads(r["row"])[4], "entity": r["entity"],
             "reason": r["reason"], "decision": r["decision"], "held_at": r["held_at"],
             "decided_at": r["decided_at"]}
            for r in ws.query(f"SELECT event_id, row, entity, reason, decision, held_at, decided_at FROM held_events "
                              f"WHERE peer = ? AND decision IN ({marks}) ORDER BY held_at, event_id",
                              (peer, *NOT_TAKEN))]


_RETURNED_KEYS = ("event_id", "kind", "entity", "reason", "decision", "held_at", "decided_at")


def note_returned(ws: Workspace, items: object) -> int:
    """At the village: replace what it knows of its records the tier above did not take with the
    return package's list (None: an older township said nothing, keep what was known). Only records
    of this workspace's own log are kept, with text fields cut to size."""
    if items is None:
        return -1
    if not isinstance(items, list):
        raise PackageError("数据包清单格式不对（未采用的记录），未导入任何内容")
    rows = []
    for item in items[:100000]:
        if not isinstance(item, dict) or not all(isinstance(item.get(k, ""), str) for k in _RETURNED_KEYS):
            raise PackageError("数据包清单格式不对（未采用的记录），未导入任何内容")
        rows.append(tuple(str(item.get(k, ""))[:300] for k in _RETURNED_KEYS))
    ours = merge._existing(ws.conn, [r[0] for r in rows])
    ws.conn.execute("DELETE FROM returned_held")
    at = now_iso()
    ws.conn.executemany("INSERT OR REPLACE INTO returned_held (event_id, kind, entity, reason, decision, held_at, "
                        "decided_at, received_at) VALUES (?,?,?,?,?,?,?,?)",
                        [(*r, at) for r in rows if r[0] in ours and r[4] in NOT_TAKEN])
    return ws.scalar("SELECT count(*) FROM returned_held")


def returned(ws: Workspace) -> list[dict]:
    """At the village: its records the tier above has not taken, in words (banner, sync screen)."""
    out = []
    for r in ws.query("SELECT r.event_id, r.reason, r.decision, r.held_at, r.decided_at, e.kind, e.payload, "
                      "e.author, e.recorded_at, r.entity, s.name FROM returned_held r "
                      "JOIN events e ON e.event_id = r.event_id "
                      "LEFT JOIN persons s ON r.entity LIKE 'p:%' AND s.pid = substr(r.entity, 3) "
                      "ORDER BY r.held_at, e.recorded_at"):
        payload = json.loads(r["payload"])
        out.append({"event_id": r["event_id"], "what": describe(r["kind"], payload), "kind": r["kind"],
                    "name": r["name"] or payload.get("name") or "", "id": r["entity"][2:] if r["entity"].startswith("p:") else "",
                    "author": r["author"], "recorded_at": r["recorded_at"], "reason": r["reason"],
                    "decision": r["decision"], "state": DECISION_LABELS.get(r["decision"], r["decision"]),
                    "decided_at": r["decided_at"]})
    return out


def returned_counts(ws: Workspace) -> dict[str, int]:
    """At the village: how many of its records wait at the tier above and how many it did not take."""
    waiting = ws.scalar("SELECT count(*) FROM returned_held WHERE decision = ''") or 0
    total = ws.scalar("SELECT count(*) FROM returned_held") or 0
    return {"waiting": waiting, "not_taken": total - waiting}


def held_line(res: dict) -> str:
    """What a receive held and why (a receive's result), in words ('' when nothing): the CLI and the
    window say the same. Records waiting for the clerk are named apart from those refused outright."""
    waiting, refused = res.get("held_reasons") or {}, res.get("held_refused") or {}
    if not waiting and not refused:
        return ""

    def listed(group: dict[str, int]) -> str:
        return "；".join(f"{why} {n} 条" for why, n in sorted(group.items(), key=lambda kv: -kv[1]))

    parts = [f"{sum(waiting.values()) + sum(refused.values())} 条记录未采用"]
    if waiting:
        parts.append(f"暂存待审核 {sum(waiting.values())} 条（见“待审核”）：{listed(waiting)}")
    if refused:
        parts.append(f"不采用 {sum(refused.values())} 条（只能由乡镇决定，已告知该村）：{listed(refused)}")
    return "。".join(parts)


def returned_line(ws: Workspace) -> str:
    """At the village: what the tier above has not taken of its records, in one line ('' if nothing)."""
    c = returned_counts(ws)
    parts = []
    if c["not_taken"]:
        parts.append(f"乡镇未采用本村 {c['not_taken']} 条记录")
    if c["waiting"]:
        parts.append(f"{c['waiting']} 条在乡镇待审核")
    return "，".join(parts)


__all__ = ["RETIRED", "adopt", "decide", "hold", "list_held", "held_records", "note_returned",
           "partition", "returned", "returned_for", "returned_counts", "held_line", "returned_line"]
