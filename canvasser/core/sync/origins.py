"""Nobody speaks for another: each origin is bound to the peer whose key signs for it.

An origin is the id a workspace file writes its events under (a replica: every copy of a village's
file has its own). The township learns which village each origin belongs to from the first signed
package that carries it, and keeps that (`origin_owners`, local state); its own origins (every file
it has been, `origins`) are its own. From then on, where a package comes up from a lower tier:

- a package carrying a new event of an origin bound to someone else (another village, the
  township) is refused whole: only the township forwards others' events, signed by itself. An event
  the receiver already holds, exactly as held, is a harmless resend (a village that restored a
  backup sends what the township already has) and passes;
- the manifest's replica (whose acknowledgements it carries) must be the sender's own: a village
  cannot acknowledge for another, so it cannot stop the township sending that village its paid list;
- acknowledgements count only up to what the receiver itself holds of each origin (a claim of
  [1, 10^9] is cut to what exists), and only for the sender's replica;
- an origin that arrives with a gap in its sequence numbers is reported with the sender's name; a
  sequence number reused with other content is refused, naming the sender.

Origins the township held before this rule existed and never bound are bound on first use to the
village whose people their events are about; failing that, to the first sender.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ..storage.store import EVENT_COLUMNS, Workspace, now_iso
from . import ranges as rg
from .container import PackageError

SELF = ""  # the peer of the receiver's own origins


def speaks_for_others(ws: Workspace, peer: dict) -> bool:
    """Whether packages from `peer` may carry others' events: only the tier above forwards them (a
    township to its villages; a county to its townships)."""
    above = ws.tier.above
    return above is not None and peer.get("kind") == above.value


def owners(ws: Workspace, origins: set[str]) -> dict[str, str]:
    """The peer bound to each of `origins` (SELF for this workspace's own), for those known."""
    out: dict[str, str] = {}
    items = sorted(origins)
    for i in range(0, len(items), 500):
        chunk = items[i:i + 500]
        marks = ",".join("?" * len(chunk))
        out.update(ws.conn.execute(f"SELECT origin, peer FROM origin_owners WHERE origin IN ({marks})", chunk))
        out.update((o, SELF) for (o,) in ws.conn.execute(f"SELECT origin FROM origins WHERE origin IN ({marks})",
                                                         chunk))
    return out


def _legacy_owner(ws: Workspace, origin: str) -> str | None:
    """Who an origin the township holds events of, but never bound, belongs to: the village whose
    people its events are about (None when it has no events here, or names nobody's village)."""
    villages = Counter(v for (v,) in ws.conn.execute(
        "SELECT p.village FROM events e JOIN persons p ON p.pid = substr(e.entity, 3) "
        "WHERE e.origin = ? AND e.entity LIKE 'p:%' LIMIT 2000", (origin,)) if v)
    if not villages:
        return None
    name = villages.most_common(1)[0][0]
    row = ws.conn.execute("SELECT peer FROM peers WHERE kind='village' AND name=?", (name,)).fetchone()
    return row[0] if row else None


def _name(ws: Workspace, peer: str) -> str:
    if peer == SELF:
        return f"本{ws.tier.label}"
    row = ws.conn.execute("SELECT name FROM peers WHERE peer=?", (peer,)).fetchone()
    return f"“{row[0]}”" if row else "另一个村"


def check(ws: Workspace, sender: dict, replica: str, rows: list, claimed: dict[str, str]) -> dict[str, str]:
    """Refuse (PackageError naming the sender) a package from a lower tier that speaks for another:
    new events under an origin bound to someone else, or a replica not the sender's. `claimed`: the
    origins earlier packages of the same batch bound (origin -> peer), updated. Returns the origins
    this package binds to its sender."""
    if speaks_for_others(ws, sender):
        return {}
    me, who = sender["peer"], f"“{sender['name']}”"
    by_origin: dict[str, list] = defaultdict(list)
    for r in rows:
        by_origin[r[1]].append(r)
    known = owners(ws, set(by_origin) | ({replica} if replica else set()))
    known.update(claimed)
    binds: dict[str, str] = {}
    foreign: dict[str, int] = {}
    for origin, its_rows in by_origin.items():
        owner = known.get(origin)
        if owner is None:
            owner = _legacy_owner(ws, origin)
            if owner is None:
                binds[origin] = me  # a new origin: the first signed package that carries it names it
                continue
            binds[origin] = owner
        if owner == me:
            continue
        fresh = _not_held(ws, its_rows)
        if fresh:
            foreign[owner] = foreign.get(owner, 0) + fresh
    if foreign:
        whose = "、".join(f"{_name(ws, o)}（{n} 条）" for o, n in foreign.items())
        raise PackageError(f"来自{who}的数据包中有以{whose}名义写的、本工作区没有的记录。一个村只能发本村写的记录，"
                           f"别人的记录只由乡镇转发；整个数据包未导入。请{who}用本村自己的工作区重新导出")
    if replica:
        owner = known.get(replica)
        if owner is None:
            owner = binds.get(replica) or _legacy_owner(ws, replica)
        if owner is not None and owner != me:
            raise PackageError(f"来自{who}的数据包自称是{_name(ws, owner)}的副本，替别人确认收到了哪些记录；"
                               "整个数据包未导入")
        binds.setdefault(replica, me)
    claimed.update(binds)
    return binds


def _not_held(ws: Workspace, rows: list) -> int:
    """How many of `rows` the receiver does not hold exactly as they are (same id and content)."""
    ids = [r[0] for r in rows]
    held: dict[str, tuple] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for row in ws.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE event_id IN "
                                   f"({','.join('?' * len(chunk))})", chunk):
            held[row[0]] = tuple(row)
    return sum(1 for r in rows if held.get(r[0]) != tuple(r))


def bind(ws: Workspace, binds: dict[str, str], key_id: str) -> None:
    """Record what a received package bound (inside the receiving transaction)."""
    if binds:
        ws.conn.executemany("INSERT OR IGNORE INTO origin_owners (origin, peer, key_id, bound_at) VALUES (?,?,?,?)",
                            [(o, p, key_id, now_iso()) for o, p in binds.items()])


def clamp(ws: Workspace, acks: dict[str, rg.Ranges]) -> dict[str, rg.Ranges]:
    """Acknowledgements cut to what this workspace holds of each origin (events and held events):
    nobody can claim to hold what does not exist here."""
    out: dict[str, rg.Ranges] = {}
    held_max = dict(ws.conn.execute("SELECT json_extract(row, '$[1]'), max(json_extract(row, '$[2]')) "
                                    "FROM held_events GROUP BY 1")) if acks else {}
    for origin, ranges in acks.items():
        top = ws.conn.execute("SELECT max(seq) FROM events WHERE origin=?", (origin,)).fetchone()[0] or 0
        top = max(top, held_max.get(origin) or 0)
        cut = [[lo, min(hi, top)] for lo, hi in ranges if lo <= top]
        if cut:
            out[origin] = cut
    return out


def gaps(ws: Workspace, sender: str, rows: list) -> list[dict]:
    """Where a package leaves a hole in an origin's sequence numbers (checked after its events are
    in): each origin's numbers it brought, from the first, must follow what is held. Reported with
    the sender's name (a package was lost, or the receiver restored an older backup)."""
    seqs: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        seqs[r[1]].append(r[2])
    out = []
    for origin, its in seqs.items():
        have = rg.from_seqs(its)
        lo = have[0][0]
        below = ws.conn.execute("SELECT max(seq) FROM events WHERE origin=? AND seq < ?", (origin, lo)).fetchone()[0]
        below = max(below or 0, ws.conn.execute(
            "SELECT coalesce(max(json_extract(row, '$[2]')), 0) FROM held_events WHERE json_extract(row, '$[1]') = ? "
            "AND json_extract(row, '$[2]') < ?", (origin, lo)).fetchone()[0] or 0)
        holes = ([[below + 1, lo - 1]] if lo > below + 1 else []) + \
                [[a[1] + 1, b[0] - 1] for a, b in zip(have, have[1:])]
        holes = [h for h in holes if not _held_range(ws, origin, h)]
        if holes:
            out.append({"sender": sender, "origin": origin, "missing": holes})
    return out


def gap_words(gap: dict) -> str:
    """One gap (`gaps`) in the clerk's words, with the sender's name and what to do."""
    holes = "、".join(f"第 {lo}–{hi} 条" if hi > lo else f"第 {lo} 条" for lo, hi in gap["missing"])
    return (f"注意：“{gap['sender']}”的记录（来源 {gap['origin'][:8]}）缺少{holes}：可能有数据包丢失，"
            f"或本工作区恢复过较早的备份。请让“{gap['sender']}”再导出一次。")


def _held_range(ws: Workspace, origin: str, hole: list[int]) -> bool:
    """Whether every number of `hole` is held after all (as an event, or an event held for review)."""
    n = ws.conn.execute("SELECT count(*) FROM events WHERE origin=? AND seq BETWEEN ? AND ?",
                        (origin, hole[0], hole[1])).fetchone()[0]
    n += ws.conn.execute("SELECT count(*) FROM held_events WHERE json_extract(row, '$[1]') = ? "
                         "AND json_extract(row, '$[2]') BETWEEN ? AND ?", (origin, hole[0], hole[1])).fetchone()[0]
    return n >= hole[1] - hole[0] + 1


def conflict(ws: Workspace, sender: str, rows: list) -> str:
    """The message for a sequence number of `rows` reused with other content ('' when none is):
    which origin, which number, who sent it."""
    for r in rows:
        other = ws.conn.execute("SELECT event_id FROM events WHERE origin=? AND seq=?", (r[1], r[2])).fetchone()
        if other and other[0] != r[0]:
            return (f"来自“{sender}”的数据包中，来源 {r[1][:8]} 的第 {r[2]} 条记录与本工作区已有的同号记录内容不同"
                    f"（记录编号冲突），整个数据包未导入")
    return ""
