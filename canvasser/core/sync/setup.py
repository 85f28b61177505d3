"""Township mode and the bootstrap of village workspaces (setup packages, re-keying).

The township generates each village's key pairs when it makes the village's setup package, so it
knows the village's public keys from the start and keeps no private key of the village. The setup
package carries the village's people, the campaign, the village's private keys and the township's
public keys. The village has no key yet, so the setup package cannot be sealed to it:

- by default with a code the program makes (codes.py: 4 groups of 4 letters and digits, given to the
  village by another channel, e.g. a phone call), or one the clerk types that is as strong: the
  package is sealed with a key derived from the code by Argon2id (`nacl.pwhash`), so a file sent over
  chat is useless without the code;
- only when explicitly asked (`no_code`, CLI `--no-code`, warned) with a random key written in the
  file itself. That stops casual reading (a search of the file finds no name or ID) but not someone
  who knows this format: such a file must be handed over in person, and the CLI says so.

Re-keying (a lost laptop) gives the village new keys and a new setup package; the old keys go to
the village's revoked list and packages signed with them are refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from pathlib import Path

from .. import authority
from ..errors import InputError
from ..storage import listorder
from ..storage.layers import COUNTY_KEY, campaign_rows, campaign_value
from ..storage.opening import open_workspace
from ..storage.projection import project
from ..storage.store import Event, Workspace, WorkspaceError, now_iso
from ..tiers import Tier
from . import codes, container, crypto, merge, peers, photos
from . import ranges as rg
from .container import PackageError
from .package import (
    FORMAT,
    VERSION,
    WRITE_VERSION,
    _sha,
    check_format,
    decode_rows,
    encode_rows,
    header,
    pending_rows,
    unit_rows,
)


def _set_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InputError(f"{what}名称不能为空")
    return name


def init_township(ws: Workspace, township: str) -> dict:
    """Make this (new or list-only) workspace the township's: identity and keys."""
    return _init_coordinator(ws, Tier.TOWNSHIP, township)


def init_county(ws: Workspace, county: str) -> dict:
    """Make this (new or list-only) workspace the county bureau's: identity and keys, and the
    drive's `county` setting, which tells every tier below that the county decides the drive's
    rules (core/layers.py)."""
    return _init_coordinator(ws, Tier.COUNTY, county)


def _init_coordinator(ws: Workspace, tier: Tier, name: str) -> dict:
    name = _set_name(name, tier.label)
    if ws.tier is not Tier.STANDALONE:
        raise InputError(f"此工作区已是{ws.tier.label}工作区"
                         f"（{peers.display_name(ws)}），不能再次初始化")
    pair = crypto.KeyPair.generate()
    with ws.transaction():
        ws.set_meta("mode", tier.value)
        ws.set_meta(tier.unit_key, name)
        ws.set_meta(peers.META_ID, uuid.uuid4().hex)
        ws.set_meta(peers.META_KEYS, pair.dumps())
        for key in ("village", "township", "county"):
            if key != tier.unit_key:
                ws.conn.execute("DELETE FROM meta WHERE key=?", (key,))
        if tier is Tier.COUNTY:
            ws.emit("campaign.set", "campaign", {COUNTY_KEY: name}, "")
    return {"mode": tier.value, tier.unit_key: name, "fingerprint": pair.public.key_id,
            "people": ws.scalar("SELECT count(*) FROM persons")}


def villages_in(ws: Workspace) -> dict[str, int]:
    return units_in(ws, "village")


def units_in(ws: Workspace, col: str | None = None) -> dict[str, int]:
    """The units on this workspace's list with their people (villages at a township, townships at a county)."""
    col = col or ws.tier.below.unit_column
    return {r[0]: r[1] for r in ws.conn.execute(
        f"SELECT {col}, count(*) FROM persons WHERE {col} != '' GROUP BY {col} ORDER BY {col}")}


def make_setup_package(ws: Workspace, village: str, out: str | Path, *, code: str | None = None,
                       rekey: bool = False, no_code: bool = False) -> dict:
    """Write a unit's setup package (a township's for a village, a county's for a township: new keys
    for the unit, its people, the campaign); with `rekey`, revoke its old keys. Without `code` (and
    without `no_code`) a code is made; the result's "code" is to be read to the unit by phone."""
    peers.require_sync(ws, "coordinator")
    member = ws.tier.below
    what = "村（社区）" if member is Tier.VILLAGE else "乡镇（街道）"
    flag = "--village" if member is Tier.VILLAGE else "--township"
    unit = _set_name(village, what)
    known = units_in(ws)
    if unit not in known:
        raise InputError(f"名单中没有“{unit}”。名单中的{what}：{'、'.join(known) or '（名单为空，请先导入）'}")
    old = peers.member_peer(ws, unit)
    if old and not rekey:
        raise InputError(f"已经为“{unit}”生成过配置包。如果{member.label}里的电脑丢失或需要重新配置，请用 "
                         f"canvasser rekey --db {ws.tier.label}工作区 {flag} {unit} --out 新配置包（旧密钥将作废）")
    if rekey and not old:
        raise InputError(f"还没有为“{unit}”生成过配置包，请用 canvasser setup-package")
    if code is not None and no_code:
        raise InputError("--code 和 --no-code 只能选一个")
    if code is not None:
        code = codes.check(code)
    elif not no_code:
        code = codes.new_code()
    own = peers.own_keys(ws)
    pair = crypto.KeyPair.generate()
    unit_id = old["peer"] if old else uuid.uuid4().hex
    revoked = list(old["revoked_keys"]) + [old["keys"].key_id] if old else []
    rows = unit_rows(ws, unit)
    wanted = photos.referenced(Event.from_row(r) for r in rows if r[4] == "visit.recorded")
    found, missing = photos.collect(ws, wanted)
    package_id = uuid.uuid4().hex
    blob = encode_rows(rows)
    photo_parts = {f"photo.{i:04d}": name for i, name in enumerate(sorted(found))}
    me = peers.display_name(ws)
    version = WRITE_VERSION if member is Tier.VILLAGE else VERSION
    payload = {
        "manifest": {"format": FORMAT, "version": version, "kind": "setup", "package_id": package_id,
                     "created": now_iso(),
                     "sender": {"id": peers.self_id(ws), "name": me, "mode": ws.mode},
                     "receiver": {"id": unit_id, "name": unit},
                     "counts": {"events": len(rows), "people": known[unit], "photos": len(found),
                                "missing_photos": len(missing)},
                     "hashes": {"events": _sha(blob), "photos": {p: _sha(found[n]) for p, n in photo_parts.items()}}},
        "tier": member.value,
        "member": {"id": unit_id, "name": unit, "keys": json.loads(pair.dumps())},
        "coordinator": {"id": peers.self_id(ws), "name": me, "tier": ws.mode, "keys": own.public.as_dict()},
        "photos": photo_parts,
        "list_order": listorder.for_village(ws, unit, member.unit_column),  # the bureau's 序号 for its feedback sheet
    }
    if member is Tier.VILLAGE:  # the names an older village reads
        payload["village"], payload["township"] = payload["member"], payload["coordinator"]
    h = header("setup", package_id, peers.self_id(ws), own.public.key_id, unit_id, pair.public.key_id, version)
    if code:
        salt = crypto.new_salt()
        h["protection"] = "code"
        h["kdf"] = {"alg": "argon2id", "salt": salt.hex(), "ops": crypto.KDF_OPS, "mem": crypto.KDF_MEM,
                    "code": codes.NORMALISED}
        key = crypto.derive_key(codes.normalise(code), salt)
    else:
        key = crypto.new_key()
        h["protection"] = "file-key"
        h["key"] = key.hex()
    parts = {"payload": crypto.seal(key, json.dumps(payload, ensure_ascii=False).encode("utf-8")),
             "events": crypto.seal(key, blob)}
    for part, name in photo_parts.items():
        parts[part] = crypto.seal(key, found[name])
    with ws.transaction():
        peers.put_peer(ws, unit_id, member.value, unit, pair.public, revoked=revoked,
                       info={"setup_at": now_iso(), "setups": (old["info"].get("setups", 0) if old else 0) + 1,
                             "retired": _retired(old)})
        if old:
            peers.retire_replicas(ws, unit_id)
        size = container.write(out, h, parts, own.sign)
    return {member.unit_key: unit, "tier": member.value, "people": known[unit], "events": len(rows),
            "photos": len(found), "file": str(out), "bytes": size, "protected": "code" if code else "file-key",
            "fingerprint": pair.public.key_id, "township_fingerprint": own.public.key_id,
            "coordinator_fingerprint": own.public.key_id, "revoked": revoked, "package_id": package_id,
            "code": code or ""}


def _retired(old: dict | None) -> dict:
    """The village's retired public keys and when each was retired: a package it signed with one
    before that moment is held for the township to review (package.py), not lost."""
    if not old:
        return {}
    at = dt.datetime.now().astimezone().isoformat()
    return {**(old["info"].get("retired") or {}), old["keys"].key_id: {**old["keys"].as_dict(), "at": at}}


def rekey_village(ws: Workspace, village: str, out: str | Path, *, code: str | None = None,
                  no_code: bool = False) -> dict:
    """A village laptop was lost: new keys, a new setup package; the old keys are refused from now on."""
    return make_setup_package(ws, village, out, code=code, rekey=True, no_code=no_code)


def _open_setup(path: str | Path, code: str | None) -> tuple[dict, dict, list, dict[str, bytes]]:
    c = container.read(path)
    h = c.header
    check_format(h)
    if h.get("kind") != "setup":
        raise PackageError("这不是配置包（是数据包），请用 canvasser receive 接收")
    if h.get("protection") == "code" and not code:
        raise InputError("这个配置包设有口令，请用 --code 输入乡镇告知的口令（工作区未建立）")
    try:
        if h.get("protection") == "code":
            kdf = h["kdf"]
            if kdf.get("alg") != "argon2id":
                raise PackageError("配置包的加密方式不认识，请升级程序")
            typed = codes.normalise(code) if kdf.get("code") == codes.NORMALISED else code
            key = crypto.derive_key(typed, bytes.fromhex(kdf["salt"]), int(kdf["ops"]), int(kdf["mem"]))
        elif h.get("protection") == "file-key":
            key = bytes.fromhex(h["key"])
        else:
            raise PackageError("配置包的保护方式不认识，请升级程序")
    except (KeyError, TypeError, ValueError) as exc:
        raise PackageError("配置包头部已损坏，无法读取") from exc
    try:
        payload = json.loads(crypto.unseal(key, c.parts["payload"]).decode("utf-8"))
        blob = crypto.unseal(key, c.parts["events"])
    except (KeyError, crypto.CryptoError, ValueError) as exc:
        if h.get("protection") == "code":
            raise PackageError("口令不对，或配置包已损坏，无法打开（工作区未建立）") from exc
        raise PackageError("配置包已损坏，无法打开（工作区未建立）。请让乡镇重新生成") from exc
    try:
        manifest = payload["manifest"]
        coordinator, member = _parts(payload)
        town_keys = crypto.PublicKeys.from_dict(coordinator["keys"])
        if not town_keys.verify(c.signed, c.signature) or town_keys.key_id != h["sender_key"]:
            raise PackageError("配置包签名不符：文件被改动或已损坏（工作区未建立）")
        if manifest["package_id"] != h["package_id"] or manifest["hashes"]["events"] != _sha(blob) \
                or member["id"] != h["receiver"] or manifest["format"] != FORMAT:
            raise PackageError("配置包内容与清单不符（工作区未建立）")
        rows = decode_rows(blob)
        if not isinstance(rows, list) or len(rows) != int(manifest["counts"]["events"]):
            raise PackageError("配置包中的记录数与清单不符（工作区未建立）")
        received = {}
        for part, name in (payload.get("photos") or {}).items():
            data = crypto.unseal(key, c.parts[part])
            if manifest["hashes"]["photos"].get(part) != _sha(data) or not merge._PHOTO.fullmatch(name):
                raise PackageError("配置包中的照片与清单不符（工作区未建立）")
            received[name] = data
    except (KeyError, TypeError, ValueError, AttributeError, crypto.CryptoError) as exc:
        raise PackageError("配置包内容格式不对（工作区未建立）") from exc
    photos.check(received, merge.validate(rows) if received else ())
    return h, payload, rows, received


def _parts(payload: dict) -> tuple[dict, dict]:
    """(coordinator, member) of a setup payload (a village's package from before tiers names them
    "township" and "village")."""
    return payload.get("coordinator") or payload["township"], payload.get("member") or payload["village"]


def setup_tier(payload: dict) -> Tier:
    """Which tier a setup package makes: a village (from a township) or a township (from a county)."""
    tier = Tier.of(payload.get("tier") or "village")
    if tier not in (Tier.VILLAGE, Tier.TOWNSHIP):
        raise PackageError("配置包内容格式不对（工作区未建立）")
    return tier


def _identity(h: dict, payload: dict) -> tuple[str, str, crypto.KeyPair, crypto.PublicKeys, str]:
    """(the unit's name, its coordinator's name, the unit's keys, the coordinator's public keys, the
    coordinator's id)."""
    try:
        tier = setup_tier(payload)
        coordinator, member = _parts(payload)
        unit = _set_name(member["name"], tier.label)
        above = _set_name(coordinator["name"], tier.above.label)
        pair = crypto.KeyPair(bytes.fromhex(member["keys"]["sign_sk"]), bytes.fromhex(member["keys"]["box_sk"]))
        town_keys = crypto.PublicKeys.from_dict(coordinator["keys"])
        town_id = str(coordinator["id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PackageError("配置包内容格式不对（工作区未建立）") from exc
    if pair.public.key_id != h["receiver_key"]:
        raise PackageError("配置包中的密钥与清单不符（工作区未建立）")
    return unit, above, pair, town_keys, town_id


def _become_member(ws: Workspace, h: dict, payload: dict, rows: list, events: list[Event], *,
                   joined: bool = False) -> None:
    """This workspace takes the unit's identity and keys (a township joining later keeps its own
    toward its villages and takes these toward its county) and knows its coordinator has the
    setup's events (inside the caller's transaction)."""
    tier = setup_tier(payload)
    unit, above, pair, town_keys, town_id = _identity(h, payload)
    _, member = _parts(payload)
    if joined and tier is Tier.TOWNSHIP:
        ws.set_meta(peers.META_ABOVE_ID, member["id"])
        ws.set_meta(peers.META_ABOVE_KEYS, pair.dumps())
    else:
        ws.set_meta("mode", tier.value)
        ws.set_meta(tier.unit_key, unit)
        ws.set_meta(peers.META_ID, member["id"])
        ws.set_meta(peers.META_KEYS, pair.dumps())
    ws.set_meta(tier.above.unit_key, above)
    peers.put_peer(ws, town_id, tier.above.value, above, town_keys)
    peers.add_acks(ws, town_id, {o: rg.from_seqs(e.seq for e in events if e.origin == o)
                                 for o in {e.origin for e in events}})
    ws.conn.execute("INSERT INTO receipts VALUES (?,?,?,?,?)", (h["package_id"], town_id, now_iso(), len(rows), 0))


def _become_village(ws: Workspace, h: dict, payload: dict, rows: list, events: list[Event]) -> None:
    _become_member(ws, h, payload, rows, events)


def init_village(path: str | Path, setup_file: str | Path, *, code: str | None = None,
                 passphrase: str | None = None) -> dict:
    """Make a workspace from its coordinator's setup package: a village's from its township, a
    township's from its county. The file may be new, or a workspace that already holds work, which
    then joins keeping that work: a standalone village its township (`join_township`), a township
    that worked alone its county (`join_county`)."""
    path = Path(path)
    h, payload, rows, received = _open_setup(setup_file, code)
    tier = setup_tier(payload)
    if path.exists() and path.stat().st_size > 0:
        with contextlib.closing(open_workspace(path, passphrase=passphrase)) as existing:
            current = existing.tier
            name = peers.display_name(existing)
            has_work = bool(existing.event_count())
        if tier is Tier.TOWNSHIP and current is Tier.TOWNSHIP:
            return join_county(path, setup_file, code=code, opened=(h, payload, rows, received))
        if current is not Tier.STANDALONE:
            raise InputError(f"这个工作区已经是{current.label}工作区（{name}），不能再用这个配置包"
                             + ("加入县" if tier is Tier.TOWNSHIP else "加入"))
        if has_work:
            if tier is Tier.TOWNSHIP:
                raise InputError("这是县里给乡镇的配置包：单机工作区不能加入县。请用乡镇工作区（canvasser init "
                                 "--township）或新文件")
            return join_township(path, setup_file, code=code)
    events = merge.validate(rows)
    unit, above, pair, town_keys, town_id = _identity(h, payload)
    created = not path.exists()
    # a village's key is sealed to its township (a recovery package) instead of a recovery code;
    # a township keeps its own recovery code, as one made alone does
    ws = open_workspace(path, recovery=tier is Tier.TOWNSHIP, passphrase=passphrase)
    try:
        with ws.transaction():
            if rows:
                ws.conn.executemany("INSERT INTO events (event_id, origin, seq, hlc, kind, entity, payload, author, "
                                    "recorded_at, scope) VALUES (?,?,?,?,?,?,?,?,?,?)", [tuple(r) for r in rows])
                project(ws.conn, events, new_entities={e.entity for e in events})
                ws.clock.observe(max(e.hlc for e in events))
            photos.save(ws, received)
            _become_member(ws, h, payload, rows, events)
            listorder.remember(ws, payload.get("list_order"))
        if ws.key is not None and tier is Tier.VILLAGE:
            from .recovery import seal_to_township
            seal_to_township(ws)
        result = {"mode": tier.value, tier.unit_key: unit, tier.above.unit_key: above, "events": len(rows),
                  "people": ws.scalar(f"SELECT count(*) FROM persons WHERE {tier.unit_column}=?", (unit,)),
                  "photos": len(received), "fingerprint": pair.public.key_id,
                  "township_fingerprint": town_keys.key_id, "coordinator_fingerprint": town_keys.key_id}
        if ws.recovery_code:
            result["recovery_code"] = ws.recovery_code
    except BaseException:
        ws.close()
        if created:
            for suffix in ("", "-wal", "-shm", ".keys"):
                with contextlib.suppress(OSError):
                    Path(str(path) + suffix).unlink()
        raise
    ws.close()
    return result


# ---- joining later ------------------------------------------------------------------------------

LIST_FIELDS = ("name", "village", "grp", "household", "relation", "address", "phone", "categories")


def _shown(field: str, value) -> str:
    """A value as the review shows it: phones only by their last four digits (the result is printed)."""
    text = str(value or "")
    return f"尾号{text[-4:]}" if field == "phone" and text else text


def _created_payloads(events) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for ev in events:
        if ev.kind == "person.created":
            out.setdefault(ev.entity, {}).update(ev.payload)
    return out


def join_township(path: str | Path, setup_file: str | Path, *, code: str | None = None) -> dict:
    """A standalone workspace with work in it joins its township with the township's setup package.

    Nothing made before is lost or rewritten: the township's events are merged into the log (people
    matched by ID, as any merge does), the workspace takes the village's identity and keys, and its
    own earlier events (imports, visits, edits) stay unacknowledged, so the next export carries them
    all up. Where the township's list and the local one disagree on a person, both versions stay in
    the person's history and the result lists each difference for review. Campaign settings made
    alone are handed back to the township's (its rules decide the county's standards), by one new
    event, so both sides agree. A workspace holding another village's people cannot join."""
    path = Path(path)
    h, payload, rows, received = _open_setup(setup_file, code)
    events = merge.validate(rows)
    village, township, _pair, _keys, _town = _identity(h, payload)
    with contextlib.closing(open_workspace(path, create=False)) as ws:
        if ws.tier is not Tier.STANDALONE:
            raise InputError("只有单机工作区可以加入乡镇")
        others = {v: n for v, n in villages_in(ws).items() if v != village}
        if others:
            shown = "、".join(f"{v}（{n} 人）" for v, n in list(others.items())[:5])
            raise InputError(f"本工作区的名单里有其他村（社区）的人：{shown}。配置包是“{village}”的，"
                             "只能加入本村的名单（工作区未改变）")
        mine = _created_payloads(Event.from_row(r) for r in merge.event_rows(
            ws, "WHERE kind='person.created'"))
        local_campaign = {k for ev in (Event.from_row(r) for r in merge.event_rows(ws, "WHERE entity='campaign'"))
                          for k in ev.payload}
        theirs = _created_payloads(events)
        differences = _differences(mine, theirs, LIST_FIELDS, ("本村", "乡镇"))
        before = _settings_shown(ws, local_campaign)
        with ws.transaction():
            merge.merge(ws, [list(r) for r in rows], events)
            photos.save(ws, received)
            _become_village(ws, h, payload, rows, events)
            listorder.remember(ws, payload.get("list_order"))
            _hand_back(ws, local_campaign, events, "加入乡镇")
        if ws.key is not None:  # from now on the township can send a recovery package for this laptop
            from .recovery import seal_to_township
            seal_to_township(ws)
        local_only = len(set(mine) - set(theirs))
        after = _settings_shown(ws, local_campaign)
        replaced = [{"key": k, "label": label, "本村": before[k][1], "乡镇": after[k][1]}
                    for k, (label, _v) in before.items() if before[k][1] != after[k][1]]
        result = {"mode": "village", "village": village, "township": township, "joined": True,
                  "events": len(rows), "people": ws.scalar("SELECT count(*) FROM persons WHERE village=?", (village,)),
                  "local_only": local_only, "township_only": len(set(theirs) - set(mine)),
                  "shared": len(set(mine) & set(theirs)), "no_overlap": bool(mine and theirs and not set(mine) & set(theirs)),
                  "replaced_settings": replaced,
                  "differences": differences, "pending": len(pending_rows(ws)),
                  "photos": len(received), "fingerprint": _pair.public.key_id, "township_fingerprint": _keys.key_id}
    return result


def _hand_back(ws: Workspace, local: set[str], theirs: list[Event], author: str) -> None:
    """Campaign settings made alone are handed back, by new events, so both sides agree: what this
    workspace decides as a coordinator (a township's villages' targets) again with its own values, in
    its own layer, so they travel on their own; what the tier above decides with the coordinator's
    values: where a county leads the drive in the drive's layer (the county takes such a change only
    because it changes nothing), else in this workspace's own layer (core/storage/layers.py)."""
    drive: dict = {}
    view: dict = {}
    for ev in sorted((e for e in theirs if e.entity == "campaign"), key=lambda e: e.key):
        view.update(ev.payload)
        if ev.scope == "":
            drive.update(ev.payload)
    county = COUNTY_KEY in drive
    local = {k for k in local if k != COUNTY_KEY and authority.decider(k) is not authority.Decides.OWN}
    own = {k for k in local if authority.coordinator_decides(ws.tier, k)}
    mine = campaign_rows(ws.conn)
    kept = {k: json.loads(mine[k][0]) for k in sorted(own) if k in mine}
    back = {k: (drive if county else view).get(k, campaign_defaults(k)) for k in sorted(local - own)}
    with ws.writing(author) as batch:
        if back:
            batch.emit("campaign.set", "campaign", back, **({"scope": ""} if county else {}))
        if kept:
            batch.emit("campaign.set", "campaign", kept)


def join_county(path: str | Path, setup_file: str | Path, *, code: str | None = None,
                opened: tuple | None = None) -> dict:
    """A township that worked alone joins its county with the county's setup package, keeping its
    work and its villages.

    As a village joins its township: the county's events are merged (people matched by ID), the
    township's own events stay unacknowledged (its first package up carries them all), differences
    between the two lists are listed for review. The township keeps its identity and keys toward
    its villages (they trust them) and takes the ones the county made toward the county. Its own
    settings are handed back (`_hand_back`); people its list named by another township name (or
    none) are named by the county's, so the county counts them as this township's."""
    path = Path(path)
    h, payload, rows, received = opened or _open_setup(setup_file, code)
    if setup_tier(payload) is not Tier.TOWNSHIP:
        raise InputError("这是乡镇给村的配置包，乡镇工作区不能用它加入县")
    events = merge.validate(rows)
    township, county, pair, keys, _county = _identity(h, payload)
    with contextlib.closing(open_workspace(path, create=False)) as ws:
        if ws.tier is not Tier.TOWNSHIP:
            raise InputError("只有乡镇工作区可以加入县")
        if peers.above_peer(ws) is not None:
            raise InputError(f"本乡镇工作区已经加入县（{ws.meta('county') or ''}），不能再次加入")
        own = ws.meta("township") or ""
        if own != township:
            raise InputError(f"本乡镇工作区是“{own}”的，这个配置包是给“{township}”的（工作区未改变）")
        mine = _created_payloads(Event.from_row(r) for r in merge.event_rows(ws, "WHERE kind='person.created'"))
        local_campaign = {k for ev in (Event.from_row(r) for r in merge.event_rows(ws, "WHERE entity='campaign'"))
                          for k in ev.payload}
        theirs = _created_payloads(events)
        differences = _differences(mine, theirs, ("township", *LIST_FIELDS), ("本乡镇", "县"))
        with ws.transaction():
            merge.merge(ws, [list(r) for r in rows], events)
            photos.save(ws, received)
            _become_member(ws, h, payload, rows, events, joined=True)
            _hand_back(ws, local_campaign, events, "加入县")
            elsewhere = [r[0] for r in ws.conn.execute("SELECT pid FROM persons WHERE township != ?", (township,))]
            if elsewhere:
                with ws.writing("加入县") as batch:
                    for pid in elsewhere:
                        batch.emit("person.updated", f"p:{pid}", {"township": township})
        result = {"mode": "township", "township": township, "county": county, "joined": True,
                  "events": len(rows), "people": ws.scalar("SELECT count(*) FROM persons WHERE township=?", (township,)),
                  "local_only": len(set(mine) - set(theirs)), "county_only": len(set(theirs) - set(mine)),
                  "renamed": len(elsewhere), "differences": differences, "pending": len(pending_rows(ws)),
                  "villages": len(peers.member_peers(ws)), "photos": len(received),
                  "fingerprint": pair.public.key_id, "county_fingerprint": keys.key_id}
    return result


def _differences(mine: dict, theirs: dict, fields: tuple, sides: tuple[str, str]) -> list[dict]:
    """Each person both lists hold whose listed fields differ, for review (phones by their tail)."""
    out = []
    for entity, t in theirs.items():
        m = mine.get(entity)
        if m is None:
            continue
        diff = {f: {sides[0]: _shown(f, m.get(f)), sides[1]: _shown(f, t.get(f))} for f in fields
                if (m.get(f) or "") != (t.get(f) or "") and f in m and f in t}
        if diff:
            out.append({"id": entity[2:], "name": t.get("name") or m.get("name", ""), "fields": diff})
    return out


def _settings_shown(ws: Workspace, keys: set[str]) -> dict[str, tuple[str, str]]:
    """The workspace's current value of each campaign key, as a cadre reads it (label, text): what
    joining replaced is said afterwards ("缴费链接：本村 … / 乡镇 …")."""
    from ..rules.campaign import LABELS, TEMPLATE_PREFIX, load

    values = load(ws).values
    out = {}
    for k in sorted(keys):
        if k.startswith(TEMPLATE_PREFIX):  # a printed text: which one is used, not the text itself
            text = campaign_value(ws.conn, k, "") or ""
            out[k] = (f"“{k.removeprefix(TEMPLATE_PREFIX)}”的文字",
                      f"改过的文字（{len(text)} 字）" if text else "程序自带的文字")
        else:
            v = values.get(k, "")
            shown = "、".join(map(str, v)) if isinstance(v, list) else json.dumps(v, ensure_ascii=False) \
                if isinstance(v, dict) else str(v)
            out[k] = (LABELS.get(k, k), shown or "（未设置）")
    return out


def campaign_defaults(key: str):
    """A campaign key's value when the township never set it (templates: the bundled text, '')."""
    from ..rules.campaign import DEFAULTS, TEMPLATE_PREFIX

    if key.startswith(TEMPLATE_PREFIX):
        return ""
    return DEFAULTS.get(key, "")


__all__ = ["join_township", "join_county", "init_county", "init_township", "make_setup_package", "rekey_village", "init_village", "villages_in", "WorkspaceError"]
