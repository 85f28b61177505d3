"""Who this workspace is in sync terms, whom it trusts, and what each side is known to hold.

A workspace's peers are the units it coordinates (a township's villages, a county's townships:
`member_peer(s)`) and the one it reports to (`above_peer`); a township under a county has both.

Local state only (tables `meta`, `peers`, `peer_acks`, `sync_replicas`), never events: private keys
and acknowledgements must not travel to other workspaces.

- A township knows each village as a peer (its public keys, revoked keys). Every copy of a village
  file that has sent a package is a *replica* (its origin); the township stores, per replica, the
  seq ranges of every origin that replica holds. A return package carries what a live replica lacks.
- A village knows its township as a peer and stores the ranges the township holds: its unsent
  changes are the events outside them.
"""

from __future__ import annotations

import datetime as dt
import json

from ..errors import InputError
from ..storage.atrest import SYNC_KEYS
from ..storage.store import Workspace, now_iso
from . import ranges as rg
from .crypto import KeyPair, PublicKeys

META_ID = "sync.id"
META_KEYS = SYNC_KEYS  # (a conversion reads it too: storage/convert.py)
# a township that worked alone and joined its county later keeps its own identity toward its villages
# (they trust its keys) and takes the identity the county made for it toward the county
META_ABOVE_ID = "sync.above.id"
META_ABOVE_KEYS = "sync.above.keys"
STALE_DAYS = 30  # a replica silent this long after its village's newest package no longer holds back acks


def require_sync(ws: Workspace, mode: str | None = None) -> None:
    """Sync must be on; `mode` 'coordinator' (a township or a county) or a tier's name narrows it."""
    if not ws.tier.syncs:
        raise InputError("本工作区未启用同步：乡镇请先运行 canvasser init --db 文件 --township 乡镇名；"
                         "村请用乡镇发来的配置包运行 canvasser init --db 文件 --from 配置包")
    if mode == "coordinator":
        if not ws.tier.coordinates:
            raise InputError("这个操作只能在乡镇或县工作区里进行")
    elif mode and ws.mode != mode:
        raise InputError({"township": "这个操作只能在乡镇工作区里进行", "county": "这个操作只能在县工作区里进行"}
                         .get(mode, "这个操作只能在村工作区里进行"))


def self_id(ws: Workspace, above: bool = False) -> str:
    """This workspace's sync id (toward the tier above, when it joined it later with another one)."""
    value = (ws.meta(META_ABOVE_ID) if above else None) or ws.meta(META_ID)
    if not value:
        raise InputError("本工作区没有同步身份（未初始化同步）")
    return value


def own_keys(ws: Workspace, above: bool = False) -> KeyPair:
    """This workspace's key pairs (toward the tier above, when it joined it later with other ones)."""
    text = (ws.meta(META_ABOVE_KEYS) if above else None) or ws.meta(META_KEYS)
    if not text:
        raise InputError("本工作区没有同步密钥（未初始化同步）")
    return KeyPair.loads(text)


def display_name(ws: Workspace) -> str:
    return ws.meta(ws.tier.unit_key) or ""


# ---- peers ------------------------------------------------------------------------------------

def _peer_row(row: dict | None) -> dict | None:
    if row is None:
        return None
    row = dict(row)
    row["revoked_keys"] = json.loads(row.get("revoked_keys") or "[]")
    row["info"] = json.loads(row.get("info") or "{}")
    row["keys"] = PublicKeys(bytes.fromhex(row["sign_key"]), bytes.fromhex(row["box_key"])) \
        if row.get("sign_key") else None
    return row


def get_peer(ws: Workspace, peer_id: str) -> dict | None:
    return _peer_row(ws.one("SELECT * FROM peers WHERE peer=?", (peer_id,)))


def member_kind(ws: Workspace) -> str:
    """The peer kind of the units this workspace coordinates ('village' at a township, 'township'
    at a county; '' elsewhere)."""
    below = ws.tier.below
    return below.value if below else ""


def member_peer(ws: Workspace, name: str) -> dict | None:
    """A unit below this workspace (a township's village, a county's township) by name."""
    return _peer_row(ws.one("SELECT * FROM peers WHERE kind=? AND name=?", (member_kind(ws), name)))


def member_peers(ws: Workspace) -> list[dict]:
    return [_peer_row(r) for r in ws.query("SELECT * FROM peers WHERE kind=? ORDER BY name", (member_kind(ws),))]


def above_peer(ws: Workspace) -> dict | None:
    """The workspace this one reports to (a village's township, a township's county), if it has one."""
    above = ws.tier.above
    return _peer_row(ws.one("SELECT * FROM peers WHERE kind=? LIMIT 1", (above.value,))) if above else None


def village_peer(ws: Workspace, village: str) -> dict | None:
    return member_peer(ws, village)


def village_peers(ws: Workspace) -> list[dict]:
    return member_peers(ws)


def township_peer(ws: Workspace) -> dict:
    """A village's township (the peer above it)."""
    peer = above_peer(ws) if ws.tier.above else None
    if peer is None:
        raise InputError("本村工作区不知道所属乡镇（配置包未导入）")
    return peer


def put_peer(ws: Workspace, peer_id: str, kind: str, name: str, keys: PublicKeys, *,
             revoked: list[str] = (), info: dict | None = None) -> None:
    ws.conn.execute(
        "INSERT INTO peers (peer, kind, name, sign_key, box_key, revoked_keys, info) VALUES (?,?,?,?,?,?,?) "
        "ON CONFLICT(peer) DO UPDATE SET kind=excluded.kind, name=excluded.name, sign_key=excluded.sign_key, "
        "box_key=excluded.box_key, revoked_keys=excluded.revoked_keys, info=excluded.info",
        (peer_id, kind, name, keys.sign_pk.hex(), keys.box_pk.hex(), json.dumps(sorted(set(revoked))),
         json.dumps(info or {}, ensure_ascii=False, sort_keys=True)))


def touch_peer(ws: Workspace, peer_id: str, column: str) -> None:
    assert column in ("last_received_at", "last_sent_at")
    ws.conn.execute(f"UPDATE peers SET {column}=? WHERE peer=?", (now_iso(), peer_id))


# ---- what each side holds ---------------------------------------------------------------------

def have_ranges(ws: Workspace) -> dict[str, rg.Ranges]:
    """Every origin's seqs this workspace holds, as ranges (gaps-and-islands in SQL). Events held
    for review (sync/scope.py) count as received: the village need not send them again."""
    out: dict[str, rg.Ranges] = {}
    for origin, lo, hi in ws.conn.execute(
            "SELECT origin, min(seq), max(seq) FROM (SELECT origin, seq, seq - row_number() OVER "
            "(PARTITION BY origin ORDER BY seq) AS g FROM events) GROUP BY origin, g ORDER BY origin, 2"):
        out.setdefault(origin, []).append([lo, hi])
    held: dict[str, list[int]] = {}
    for origin, seq in ws.conn.execute("SELECT json_extract(row, '$[1]'), json_extract(row, '$[2]') FROM held_events"):
        held.setdefault(origin, []).append(seq)
    for origin, seqs in held.items():
        out[origin] = rg.union(out.get(origin, []), rg.from_seqs(seqs))
    return out


def acks_of(ws: Workspace, holder: str) -> dict[str, rg.Ranges]:
    return {o: json.loads(r) for o, r in ws.conn.execute("SELECT origin, ranges FROM peer_acks WHERE peer=?",
                                                          (holder,))}


def add_acks(ws: Workspace, holder: str, acks: dict[str, rg.Ranges]) -> None:
    """Record that `holder` holds these seq ranges (acknowledgements only ever grow)."""
    current = acks_of(ws, holder)
    rows = []
    for origin, new in acks.items():
        if not new:
            continue
        merged = rg.union(current.get(origin, []), new)
        if merged != current.get(origin):
            rows.append((holder, origin, json.dumps(merged, separators=(",", ":"))))
    if rows:
        ws.conn.executemany("INSERT OR REPLACE INTO peer_acks VALUES (?,?,?)", rows)


def sent_holder(peer_id: str) -> str:
    """Under this holder `peer_acks` keeps what was exported to `peer_id` (not yet what it has)."""
    return f"sent:{peer_id}"


def note_sent(ws: Workspace, peer_id: str, ranges: dict[str, rg.Ranges]) -> None:
    """An export to `peer_id` carried everything held (`ranges`): its events are now waiting for the
    peer's acknowledgement, not unsent (the window's "2 条走访已导出，等乡镇确认")."""
    add_acks(ws, sent_holder(peer_id), ranges)


def replica_holder(replica: str) -> str:
    return f"r:{replica}"


def note_replica(ws: Workspace, peer_id: str, replica: str) -> None:
    at = now_iso()
    ws.conn.execute("INSERT INTO sync_replicas (replica, peer, first_at, last_at, packages) VALUES (?,?,?,?,1) "
                    "ON CONFLICT(replica) DO UPDATE SET last_at=excluded.last_at, packages=packages+1, "
                    "peer=excluded.peer", (replica, peer_id, at, at))


def live_replicas(ws: Workspace, peer_id: str) -> list[str]:
    """The copies of a village that still count: not retired, heard from within STALE_DAYS of the newest."""
    rows = ws.query("SELECT replica, last_at FROM sync_replicas WHERE peer=? AND retired=0", (peer_id,))
    if not rows:
        return []
    newest = max(dt.datetime.fromisoformat(r["last_at"]) for r in rows)
    cutoff = newest - dt.timedelta(days=STALE_DAYS)
    return sorted(r["replica"] for r in rows if dt.datetime.fromisoformat(r["last_at"]) >= cutoff)


def retire_replicas(ws: Workspace, peer_id: str) -> None:
    """After a re-key the old copies are gone: forget what they held."""
    for (replica,) in ws.conn.execute("SELECT replica FROM sync_replicas WHERE peer=?", (peer_id,)).fetchall():
        ws.conn.execute("DELETE FROM peer_acks WHERE peer=?", (replica_holder(replica),))
    ws.conn.execute("UPDATE sync_replicas SET retired=1 WHERE peer=?", (peer_id,))
