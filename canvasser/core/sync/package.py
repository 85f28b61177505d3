"""Update packages: export what the other side lacks, receive what it sent.

A package (`.ccpkg`, see container.py) holds parts, each encrypted with a fresh random key that is
sealed to the receiver's public key; the whole file is signed by the sender:

    key       the package key, sealed to the receiver (SealedBox)
    manifest  JSON: format, version, package id, sender (id, name, replica), receiver (id, name),
              counts, SHA-256 of the events part and of each photo, and the sender's acknowledgement
              ranges (every origin's seqs it holds)
    events    zlib-compressed JSON list of event rows (the `events` table's columns)
    photo.N   one evidence photo each

Export always holds everything the receiver is not known to have, so a lost package is covered by
the next. Receive is one transaction: verify, decrypt, validate, insert-or-ignore by event id,
re-project, record acknowledgements; a bad package changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ..errors import InputError
from ..storage import bounds
from ..storage.gcpause import no_cycle_collection
from ..storage.store import Event, Workspace, now_iso
from ..tiers import Tier, unit_label
from . import container, crypto, merge, origins, peers, photos, scope
from . import ranges as rg
from .container import PackageError

FORMAT = "canvasser.ccpkg"
VERSION = 2  # the newest this version reads: 2 is a township's setup package from its county
WRITE_VERSION = 1  # what it writes (an older village reads it), except a township's setup package


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_rows(rows: list) -> bytes:
    """Compact UTF-8 JSON, zlib-compressed (orjson: the export of a township-sized package is big)."""
    return zlib.compress(orjson.dumps(rows), 6)


def decode_rows(blob: bytes) -> list:
    """The events part, inflated within its bound (bounds.inflate: a zlib bomb is refused, not read)."""
    try:
        return orjson.loads(bounds.inflate(blob))
    except bounds.TooBig as exc:
        raise PackageError(str(exc)) from exc
    except (InputError, orjson.JSONDecodeError) as exc:
        raise PackageError("数据包内容无法读取（已损坏），未导入任何内容") from exc


def header(kind: str, package_id: str, sender: str, sender_key: str, receiver: str, receiver_key: str,
           version: int = WRITE_VERSION) -> dict:
    """The clear-text envelope: ids and key fingerprints only, never a name."""
    return {"format": FORMAT, "version": version, "kind": kind, "package_id": package_id, "created": now_iso(),
            "sender": sender, "sender_key": sender_key, "receiver": receiver, "receiver_key": receiver_key}


def check_format(h: dict) -> None:
    if h.get("format") != FORMAT:
        raise PackageError("这不是本程序的数据包（.ccpkg），未导入任何内容")
    if not isinstance(h.get("version"), int) or h["version"] > VERSION:
        raise PackageError("数据包由更新版本的程序生成，请先升级本程序再接收")


# ---- what to send ------------------------------------------------------------------------------

def _missing_for(rows: list[tuple], holders: list[dict[str, rg.Ranges]]) -> list[tuple]:
    """Rows that at least one holder lacks (all rows when nobody is known)."""
    if not holders:
        return rows
    members = [{o: rg.Membership(r) for o, r in h.items()} for h in holders]
    out = []
    for r in rows:
        for m in members:
            got = m.get(r[1])
            if got is None or r[2] not in got:
                out.append(r)
                break
    return out


def village_rows(ws: Workspace, village: str) -> list[tuple]:
    """Everything the township holds that a village needs: every event of each person with any event
    in the village's scope (so moves and same-ID conflicts converge on both sides), and the campaign."""
    return merge.event_rows(ws, "WHERE entity IN (SELECT entity FROM events WHERE scope=?) OR entity='campaign'",
                            (village,))


def township_rows(ws: Workspace, township: str) -> list[tuple]:
    """Everything the county holds that a township needs: every event of each person the county
    places in the township or whose review-queue entry names it (so a duplicate across townships
    converges on both sides), the drive's campaign and the township's own layer of it (never
    another township's: core/layers.py)."""
    people = merge.event_rows(
        ws, "WHERE entity IN (SELECT 'p:' || pid FROM persons WHERE township=? "
            "UNION SELECT 'p:' || pid FROM conflicts WHERE ',' || villages || ',' LIKE ?)",
        (township, f"%,{unit_label(township, '')}%"))
    camp = merge.event_rows(ws, "WHERE entity='campaign' AND scope IN ('', ?)", (township,))
    return sorted([*people, *camp], key=lambda r: (r[1], r[2]))


def unit_rows(ws: Workspace, unit: str) -> list[tuple]:
    """What a unit below this workspace needs (a township's village, a county's township)."""
    return township_rows(ws, unit) if ws.tier is Tier.COUNTY else village_rows(ws, unit)


def pending_rows(ws: Workspace, village: str | None = None) -> list[tuple]:
    """The events an export would carry now: to the unit below named (`village`: a township's
    village or a county's township), else up to the tier above."""
    peers.require_sync(ws)
    if village and ws.tier.coordinates:
        peer = _member(ws, village)
        holders = [peers.acks_of(ws, peers.replica_holder(r)) for r in peers.live_replicas(ws, peer["peer"])]
        return _missing_for(unit_rows(ws, village), holders)
    above = _above(ws)
    return _missing_for(merge.event_rows(ws), [peers.acks_of(ws, above["peer"])])


def _member(ws: Workspace, unit: str | None) -> dict:
    below = ws.tier.below
    flag = "--township" if ws.tier is Tier.COUNTY else "--village"
    if not unit:
        raise PackageError(f"{ws.tier.label}导出数据包时要用 {flag} 指定发给哪个{below.label}")
    peer = peers.member_peer(ws, unit)
    if peer is None:
        known = "、".join(p["name"] for p in peers.member_peers(ws)) or "（还没有）"
        raise PackageError(f"还没有为“{unit}”生成配置包，不能给它发数据包。已配置的{below.label}：{known}")
    return peer


def _above(ws: Workspace) -> dict:
    """The peer above (a village's township, a township's county); a coordinator without one is told
    to name the unit below."""
    peer = peers.above_peer(ws)
    if peer is not None:
        return peer
    if ws.tier.coordinates:
        return _member(ws, None)
    raise PackageError("本工作区不知道所属乡镇（配置包未导入）")


def export_package(ws: Workspace, out: str | Path, *, village: str | None = None,
                   township: str | None = None) -> dict:
    """Write one package holding every event the other side is not known to have: down to the
    unit named (a township's `village`, a county's `township`), else up to the tier above (a
    village to its township, a township to its county: every event of its scope, its villages'
    included, signed by the township)."""
    peers.require_sync(ws)
    unit = _unit_named(ws, village, township)
    up = unit is None
    peer = _above(ws) if up else _member(ws, unit)
    rows = pending_rows(ws, unit)
    wanted = photos.referenced(Event.from_row(r) for r in rows if r[4] == "visit.recorded")
    found, missing = photos.collect(ws, wanted)
    keys = peers.own_keys(ws, above=up)
    key = crypto.new_key()
    blob = encode_rows(rows)
    package_id = uuid.uuid4().hex
    photo_parts = {f"photo.{i:04d}": name for i, name in enumerate(sorted(found))}
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r[4]] = kinds.get(r[4], 0) + 1
    manifest = {
        "format": FORMAT, "version": WRITE_VERSION, "kind": "update", "package_id": package_id, "created": now_iso(),
        "sender": {"id": peers.self_id(ws, above=up), "name": peers.display_name(ws), "mode": ws.mode,
                   "replica": ws.origin},
        "receiver": {"id": peer["peer"], "name": peer["name"]},
        "counts": {"events": len(rows), "photos": len(found), "missing_photos": len(missing), "kinds": kinds},
        "hashes": {"events": _sha(blob), "photos": {p: _sha(found[n]) for p, n in photo_parts.items()}},
        "photos": photo_parts,
        "acks": peers.have_ranges(ws),
    }
    if not up:  # what this tier did not take of the unit's records, and why
        manifest["held"] = scope.returned_for(ws, peer["peer"])
    parts = {"key": crypto.seal_key(key, peer["keys"]),
             "manifest": crypto.seal(key, json.dumps(manifest, ensure_ascii=False).encode("utf-8")),
             "events": crypto.seal(key, blob)}
    for part, name in photo_parts.items():
        parts[part] = crypto.seal(key, found[name])
    h = header("update", package_id, manifest["sender"]["id"], keys.public.key_id, peer["peer"], peer["keys"].key_id)
    size = container.write(out, h, parts, keys.sign)
    peers.touch_peer(ws, peer["peer"], "last_sent_at")
    peers.note_sent(ws, peer["peer"], manifest["acks"])
    return {"events": len(rows), "photos": len(found), "missing_photos": len(missing), "bytes": size,
            "file": str(out), "package_id": package_id, "receiver": peer["name"], "kinds": kinds,
            "direction": "up" if up else "down"}


def _unit_named(ws: Workspace, village: str | None, township: str | None) -> str | None:
    """The unit below an export is for (None: up to the tier above), from the flags given."""
    if ws.tier is Tier.VILLAGE:
        if township or (village and village != ws.meta("village")):
            raise PackageError(f"本村工作区只能给乡镇导出数据包（--village 不需要，或应为“{ws.meta('village')}”）")
        return None
    if ws.tier is Tier.COUNTY:
        if village:
            raise PackageError("县导出数据包时用 --township 指定乡镇（村的数据包由乡镇转发）")
        return township or None
    if township:
        raise PackageError("乡镇导出数据包时用 --village 指定发给哪个村；不加 --village 即是上报县里的数据包")
    return village or None


# ---- receiving ---------------------------------------------------------------------------------

def _sender(ws: Workspace, h: dict) -> dict:
    """The peer that sent a package (with `from_below` and `above`: which of this workspace's
    identities it was sent to), or PackageError."""
    above_id = peers.self_id(ws, above=True)
    if h.get("receiver") not in (peers.self_id(ws), above_id):
        other = peers.get_peer(ws, str(h.get("receiver")))
        whom = f"“{other['name']}”" if other else "另一个县、乡镇或村"
        raise PackageError(f"这个数据包是发给{whom}的，不是发给本工作区（{peers.display_name(ws)}）的，未导入任何内容")
    peer = peers.get_peer(ws, str(h.get("sender")))
    expected = {t.value for t in (ws.tier.above, ws.tier.below) if t}
    if peer is None or peer["kind"] not in expected or peer["keys"] is None:
        raise PackageError("数据包来自本工作区不认识的发送方，拒绝接收，未导入任何内容")
    from_below = peer["kind"] == peers.member_kind(ws)
    keys = peers.own_keys(ws, above=not from_below)
    if h.get("receiver") != peers.self_id(ws, above=not from_below):
        raise PackageError("数据包的收件方与发送方不相配（文件被改动），拒绝接收，未导入任何内容")
    if h.get("receiver_key") != keys.public.key_id:
        raise PackageError("这个数据包是用本工作区以前的密钥加密的，无法打开；请对方重新导出一个数据包")
    peer = {**peer, "from_below": from_below}
    if h.get("sender_key") in peer["revoked_keys"]:
        retired = _retired_key(peer, h)
        if retired is not None:  # exported before the re-key: held for the township to accept or reject
            return {**peer, "keys": crypto.PublicKeys.from_dict(retired), "retired_at": retired["at"]}
        raise PackageError(f"这个数据包由“{peer['name']}”已作废的旧密钥签名（该村已重新配置密钥，"
                           f"旧电脑可能已丢失），拒绝接收，未导入任何内容")
    if h.get("sender_key") != peer["keys"].key_id:
        raise PackageError(f"数据包的签名密钥与本工作区记录的“{peer['name']}”的密钥不一致，拒绝接收，未导入任何内容")
    return peer


def _retired_key(peer: dict, h: dict) -> dict | None:
    """The retired key a package names, if the package was made before that key was retired."""
    retired = (peer["info"].get("retired") or {}).get(h.get("sender_key"))
    try:
        made = dt.datetime.fromisoformat(str(h.get("created")))
        return retired if retired and made <= dt.datetime.fromisoformat(retired["at"]) else None  # (to the second)
    except (TypeError, ValueError, KeyError):
        return None


def _open(keys: crypto.KeyPair, c: container.Container) -> tuple[bytes, dict, bytes]:
    try:
        key = keys.unseal_key(c.parts["key"])
        manifest = json.loads(crypto.unseal(key, c.parts["manifest"]).decode("utf-8"))
        blob = crypto.unseal(key, c.parts["events"])
    except (KeyError, crypto.CryptoError, ValueError) as exc:
        raise PackageError("数据包无法解密（已损坏或不是发给本工作区的），未导入任何内容") from exc
    if not isinstance(manifest, dict):
        raise PackageError("数据包清单格式不对，未导入任何内容")
    return key, manifest, blob


def _acks(value) -> dict[str, rg.Ranges]:
    if not isinstance(value, dict):
        raise ValueError("acks")
    return {str(o): rg.normalise(r) for o, r in value.items()}


@dataclass
class Incoming:
    """A package verified, decrypted and validated, not yet applied."""

    path: Path
    package_id: str
    peer: dict
    replica: str = ""
    rows: list = field(default_factory=list)
    events: list = field(default_factory=list)
    acks: dict = field(default_factory=dict)
    photos: dict = field(default_factory=dict)
    duplicate: int | None = None  # events it held, when it was received before
    returned: list | None = None  # from the tier above: our records it did not take (scope.note_returned)
    key_id: str = ""  # the key that signed it


def _wrong(path: Path, exc: PackageError, many: bool) -> PackageError:
    return PackageError(f"{path.name}：{exc}") if many else exc


def prepare(ws: Workspace, path: str | Path) -> Incoming:
    """Everything short of writing: read, verify the signature, decrypt, check the manifest, validate."""
    peers.require_sync(ws)
    path = Path(path)
    c = container.read(path)
    h = c.header
    check_format(h)
    if h.get("kind") == "setup":
        raise PackageError("这是配置包，不是数据包：请用 canvasser init --db 新工作区 --from 配置包 建立村工作区")
    if h.get("kind") != "update":
        raise PackageError("不认识的数据包类型，未导入任何内容")
    peer = _sender(ws, h)
    if not peer["keys"].verify(c.signed, c.signature):
        raise PackageError("数据包签名不符：文件在传送中被改动或已损坏，未导入任何内容。请让对方重新导出")
    package_id = str(h.get("package_id"))
    seen = ws.one("SELECT applied, already_known FROM receipts WHERE package_id=?", (package_id,))
    if seen:
        return Incoming(path, package_id, peer, duplicate=(seen["applied"] or 0) + (seen["already_known"] or 0))
    key, manifest, blob = _open(peers.own_keys(ws, above=not peer["from_below"]), c)
    try:
        if (manifest["package_id"] != package_id or manifest["sender"]["id"] != h["sender"]
                or manifest["receiver"]["id"] != h["receiver"] or manifest["format"] != FORMAT):
            raise PackageError("数据包清单与信封不一致（文件被改动），未导入任何内容")
        if manifest["hashes"]["events"] != _sha(blob):
            raise PackageError("数据包内容与清单的校验值不符，未导入任何内容")
        acks = _acks(manifest["acks"])
        replica = str(manifest["sender"].get("replica") or "")
        photo_parts = dict(manifest.get("photos") or {})
        photo_hashes = manifest["hashes"].get("photos") or {}
        expected = int(manifest["counts"]["events"])
        returned = manifest.get("held") if not peer["from_below"] else None  # ours the tier above did not take
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PackageError("数据包清单格式不对，未导入任何内容") from exc
    if peer["from_below"] and not merge._TOKEN.fullmatch(replica):
        raise PackageError("数据包清单缺少发送方副本编号，未导入任何内容")
    rows = decode_rows(blob)
    if not isinstance(rows, list) or len(rows) != expected:
        raise PackageError("数据包中的记录数与清单不符，未导入任何内容")
    events = merge.validate(rows)
    received: dict[str, bytes] = {}
    try:
        for part, name in photo_parts.items():
            data = crypto.unseal(key, c.parts[part])
            if photo_hashes.get(part) != _sha(data) or not merge._PHOTO.fullmatch(str(name)):
                raise PackageError("数据包中的照片与清单不符，未导入任何内容")
            received[str(name)] = data
    except (KeyError, crypto.CryptoError) as exc:
        raise PackageError("数据包中的照片无法解密（已损坏），未导入任何内容") from exc
    photos.check(received, events)
    held: dict[str, list[int]] = {}
    for ev in events:
        held.setdefault(ev.origin, []).append(ev.seq)
    for origin, seqs in held.items():
        acks[origin] = rg.union(acks.get(origin, []), rg.from_seqs(seqs))
    return Incoming(path, package_id, peer, replica, rows, events, acks, received, returned=returned,
                    key_id=str(h.get("sender_key")))


def receive_packages(ws: Workspace, paths: list[str | Path]) -> list[dict]:
    """Import several packages in one transaction (the township's daily merge).

    Every file is verified and validated first; if any is refused, nothing is imported and the
    error names the file. Packages received before (or twice in the list) change nothing."""
    with no_cycle_collection():
        return _receive_packages(ws, paths)


CHUNK_EVENTS = 400_000  # packages merged together at most (a county's twenty townships' are merged a few at a time)
# a county's merge (a hundred megabytes of packages: millions of events over a million people) touches
# pages all over a gigabyte file: SQLite's page cache is raised for it (a third less time measured)
BIG_MERGE_BYTES = 20 << 20
MERGE_CACHE_MB = 512


def _receive_packages(ws: Workspace, paths: list[str | Path]) -> list[dict]:
    """One transaction for all the packages; they are read and merged a few at a time (about
    CHUNK_EVENTS events), so a county taking its townships' millions of events never holds them all
    in memory at once. A refused package anywhere rolls back every one."""
    many = len(paths) > 1
    out: list[dict] = []
    ids_in_batch: set[str] = set()
    claimed: dict[str, str] = {}  # origins bound by the packages of this batch so far
    queue = [Path(p) for p in paths]
    big = sum(p.stat().st_size for p in queue if p.is_file()) > BIG_MERGE_BYTES
    with ws.page_cache(MERGE_CACHE_MB if big else None), ws.transaction():
        while queue:
            todo: list[Incoming] = []
            size = 0
            while queue and (not todo or size < CHUNK_EVENTS):
                path = queue.pop(0)
                try:
                    todo.append(prepare(ws, path))
                except PackageError as exc:
                    raise _wrong(path, exc, many) from exc
                size += len(todo[-1].rows)
            out += _apply(ws, todo, ids_in_batch, claimed, many)
    return out


def _apply(ws: Workspace, todo: list[Incoming], ids_in_batch: set[str], claimed: dict[str, str],
           many: bool) -> list[dict]:
    """Merge packages already prepared (inside the caller's transaction); one result each.
    `claimed`: the origins the batch's packages bound so far (origins.check)."""
    fresh = []
    for inc in todo:
        if inc.duplicate is None and inc.package_id in ids_in_batch:
            inc.duplicate = len(inc.rows)
        ids_in_batch.add(inc.package_id)
        if inc.duplicate is None:
            fresh.append(inc)
    results: dict[int, dict] = {}
    if fresh:
        binds = {}
        for inc in fresh:  # nobody speaks for another (origins.py): refused whole before anything
            try:
                binds[id(inc)] = origins.check(ws, inc.peer, inc.replica, inc.rows, claimed)
            except PackageError as exc:
                raise _wrong(inc.path, exc, many) from exc
        held = _hold_out_of_scope(ws, fresh)
        try:
            new, _ = merge.merge(ws, [r for inc in fresh for r in inc.rows],
                                 [e for inc in fresh for e in inc.events])
        except merge.SeqConflict as exc:  # say whose package reused a number
            for inc in fresh:
                if why := origins.conflict(ws, inc.peer["name"], inc.rows):
                    raise _wrong(inc.path, PackageError(why), many) from exc
            raise _wrong(fresh[0].path, exc, many) from exc
        except PackageError as exc:
            raise _wrong(fresh[0].path, exc, many) from exc
        unclaimed = {ev.event_id for ev in new}
        for inc in fresh:  # each new event counts for the first package that held it
            before = len(unclaimed)
            unclaimed.difference_update([r[0] for r in inc.rows])
            applied = before - len(unclaimed)
            known = len(inc.rows) - applied
            saved = photos.save(ws, inc.photos)
            origins.bind(ws, binds[id(inc)], inc.key_id)
            if inc.peer["from_below"]:
                peers.note_replica(ws, inc.peer["peer"], inc.replica)
                holder = peers.replica_holder(inc.replica)
            else:
                holder = inc.peer["peer"]
            peers.add_acks(ws, holder, origins.clamp(ws, inc.acks))  # only what exists here
            gaps = [] if origins.speaks_for_others(ws, inc.peer) else \
                origins.gaps(ws, inc.peer["name"], inc.rows)
            ws.conn.execute("INSERT INTO receipts VALUES (?,?,?,?,?)",
                            (inc.package_id, inc.peer["peer"], now_iso(), applied, known))
            peers.touch_peer(ws, inc.peer["peer"], "last_received_at")
            scope.note_returned(ws, inc.returned)
            got = held.get(id(inc)) or {"waiting": {}, "barred": {}}
            results[id(inc)] = {"applied": applied, "already_known": known,
                                "held": sum(got["waiting"].values()) + sum(got["barred"].values()),
                                "held_reasons": got["waiting"], "held_refused": got["barred"], "photos": saved,
                                "gaps": gaps, "sender": inc.peer["name"], "package_id": inc.package_id,
                                "duplicate": False, "file": str(inc.path)}
        for inc in fresh:  # done with: let the next packages have the memory
            inc.rows, inc.events, inc.photos = [], [], {}
    return [results.get(id(inc)) or {"applied": 0, "already_known": inc.duplicate, "held": 0, "held_reasons": {},
                                     "held_refused": {}, "photos": 0, "gaps": [],
                                     "sender": inc.peer["name"], "package_id": inc.package_id, "duplicate": True,
                                     "file": str(inc.path)} for inc in todo]


def _hold_out_of_scope(ws: Workspace, fresh: list[Incoming]) -> dict[int, dict[str, dict[str, int]]]:
    """At a township (a county): set aside each village's (township's) package's events outside that
    unit (scope.py), held for review (or refused) instead of applied; returns how many each package
    had held, by reason."""
    counts: dict[int, dict[str, dict[str, int]]] = {}
    batch = scope.creations(ws, ((inc.peer["name"], inc.events) for inc in fresh
                                 if inc.peer["from_below"] and not inc.peer.get("retired_at")))
    for inc in fresh:
        if not inc.peer["from_below"]:
            continue
        if inc.peer.get("retired_at"):  # signed with a key retired since: the clerk decides, all of it
            known = merge._existing(ws.conn, [r[0] for r in inc.rows])
            kept_rows, kept_events = [], []
            out = [(r, scope.RETIRED, scope.WAITING) for r in inc.rows if r[0] not in known]
        else:
            kept_rows, kept_events, out = scope.partition(ws, inc.peer["name"], inc.rows, inc.events, batch)
        if out:
            counts[id(inc)] = scope.hold(ws, inc.peer["peer"], inc.package_id, out)
            inc.rows, inc.events = kept_rows, kept_events
    return counts


def receive_package(ws: Workspace, path: str | Path) -> dict:
    """Import one package from the other side; importing it again changes nothing."""
    return receive_packages(ws, [path])[0]
