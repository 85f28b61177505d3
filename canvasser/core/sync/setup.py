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

from ..errors import InputError
from ..storage import listorder
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
    _sha,
    check_format,
    decode_rows,
    encode_rows,
    header,
    pending_rows,
    village_rows,
)


def _set_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InputError(f"{what}名称不能为空")
    return name


def init_township(ws: Workspace, township: str) -> dict:
    """Make this (new or list-only) workspace the township's: identity and keys."""
    township = _set_name(township, "乡镇")
    if ws.tier is not Tier.STANDALONE:
        raise InputError(f"此工作区已是{ws.tier.label}工作区"
                         f"（{peers.display_name(ws)}），不能再次初始化")
    pair = crypto.KeyPair.generate()
    with ws.transaction():
        ws.set_meta("mode", Tier.TOWNSHIP.value)
        ws.set_meta("township", township)
        ws.set_meta(peers.META_ID, uuid.uuid4().hex)
        ws.set_meta(peers.META_KEYS, pair.dumps())
        ws.conn.execute("DELETE FROM meta WHERE key='village'")
    return {"mode": "township", "township": township, "fingerprint": pair.public.key_id,
            "people": ws.scalar("SELECT count(*) FROM persons")}


def villages_in(ws: Workspace) -> dict[str, int]:
    return {r["village"]: r["n"] for r in ws.query(
        "SELECT village, count(*) AS n FROM persons WHERE village != '' GROUP BY village ORDER BY village")}


def make_setup_package(ws: Workspace, village: str, out: str | Path, *, code: str | None = None,
                       rekey: bool = False, no_code: bool = False) -> dict:
    """Write a village's setup package (new keys for the village); with `rekey`, revoke its old keys.
    Without `code` (and without `no_code`) a code is made; the result's "code" is to be read to the village."""
    peers.require_sync(ws, "township")
    village = _set_name(village, "村（社区）")
    known = villages_in(ws)
    if village not in known:
        raise InputError(f"名单中没有“{village}”。名单中的村（社区）：{'、'.join(known) or '（名单为空，请先导入）'}")
    old = peers.village_peer(ws, village)
    if old and not rekey:
        raise InputError(f"已经为“{village}”生成过配置包。如果村里的电脑丢失或需要重新配置，请用 "
                         f"canvasser rekey --db 乡镇工作区 --village {village} --out 新配置包（旧密钥将作废）")
    if rekey and not old:
        raise InputError(f"还没有为“{village}”生成过配置包，请用 canvasser setup-package")
    if code is not None and no_code:
        raise InputError("--code 和 --no-code 只能选一个")
    if code is not None:
        code = codes.check(code)
    elif not no_code:
        code = codes.new_code()
    own = peers.own_keys(ws)
    pair = crypto.KeyPair.generate()
    village_id = old["peer"] if old else uuid.uuid4().hex
    revoked = list(old["revoked_keys"]) + [old["keys"].key_id] if old else []
    rows = village_rows(ws, village)
    wanted = photos.referenced(Event.from_row(r) for r in rows if r[4] == "visit.recorded")
    found, missing = photos.collect(ws, wanted)
    package_id = uuid.uuid4().hex
    blob = encode_rows(rows)
    photo_parts = {f"photo.{i:04d}": name for i, name in enumerate(sorted(found))}
    payload = {
        "manifest": {"format": FORMAT, "version": VERSION, "kind": "setup", "package_id": package_id,
                     "created": now_iso(),
                     "sender": {"id": peers.self_id(ws), "name": ws.meta("township"), "mode": "township"},
                     "receiver": {"id": village_id, "name": village},
                     "counts": {"events": len(rows), "people": known[village], "photos": len(found),
                                "missing_photos": len(missing)},
                     "hashes": {"events": _sha(blob), "photos": {p: _sha(found[n]) for p, n in photo_parts.items()}}},
        "village": {"id": village_id, "name": village, "keys": json.loads(pair.dumps())},
        "township": {"id": peers.self_id(ws), "name": ws.meta("township"), "keys": own.public.as_dict()},
        "photos": photo_parts,
        "list_order": listorder.for_village(ws, village),  # the bureau's 序号 for the village's feedback sheet
    }
    h = header("setup", package_id, peers.self_id(ws), own.public.key_id, village_id, pair.public.key_id)
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
        peers.put_peer(ws, village_id, "village", village, pair.public, revoked=revoked,
                       info={"setup_at": now_iso(), "setups": (old["info"].get("setups", 0) if old else 0) + 1,
                             "retired": _retired(old)})
        if old:
            peers.retire_replicas(ws, village_id)
        size = container.write(out, h, parts, own.sign)
    return {"village": village, "people": known[village], "events": len(rows), "photos": len(found),
            "file": str(out), "bytes": size, "protected": "code" if code else "file-key",
            "fingerprint": pair.public.key_id, "township_fingerprint": own.public.key_id,
            "revoked": revoked, "package_id": package_id, "code": code or ""}


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
        town_keys = crypto.PublicKeys.from_dict(payload["township"]["keys"])
        if not town_keys.verify(c.signed, c.signature) or town_keys.key_id != h["sender_key"]:
            raise PackageError("配置包签名不符：文件被改动或已损坏（工作区未建立）")
        if manifest["package_id"] != h["package_id"] or manifest["hashes"]["events"] != _sha(blob) \
                or payload["village"]["id"] != h["receiver"] or manifest["format"] != FORMAT:
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


def _identity(h: dict, payload: dict) -> tuple[str, str, crypto.KeyPair, crypto.PublicKeys, str]:
    """(village, township, the village's keys, the township's public keys, the township's id)."""
    try:
        village = _set_name(payload["village"]["name"], "村（社区）")
        township = _set_name(payload["township"]["name"], "乡镇")
        pair = crypto.KeyPair(bytes.fromhex(payload["village"]["keys"]["sign_sk"]),
                              bytes.fromhex(payload["village"]["keys"]["box_sk"]))
        town_keys = crypto.PublicKeys.from_dict(payload["township"]["keys"])
        town_id = str(payload["township"]["id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PackageError("配置包内容格式不对（工作区未建立）") from exc
    if pair.public.key_id != h["receiver_key"]:
        raise PackageError("配置包中的密钥与清单不符（工作区未建立）")
    return village, township, pair, town_keys, town_id


def _become_village(ws: Workspace, h: dict, payload: dict, rows: list, events: list[Event]) -> None:
    """This workspace takes the village's identity and keys and knows the township has the setup's events
    (inside the caller's transaction)."""
    village, township, pair, town_keys, town_id = _identity(h, payload)
    ws.set_meta("mode", Tier.VILLAGE.value)
    ws.set_meta("village", village)
    ws.set_meta("township", township)
    ws.set_meta(peers.META_ID, payload["village"]["id"])
    ws.set_meta(peers.META_KEYS, pair.dumps())
    peers.put_peer(ws, town_id, "township", township, town_keys)
    peers.add_acks(ws, town_id, {o: rg.from_seqs(e.seq for e in events if e.origin == o)
                                 for o in {e.origin for e in events}})
    ws.conn.execute("INSERT INTO receipts VALUES (?,?,?,?,?)", (h["package_id"], town_id, now_iso(), len(rows), 0))


def init_village(path: str | Path, setup_file: str | Path, *, code: str | None = None,
                 passphrase: str | None = None) -> dict:
    """Make a village workspace from the township's setup package: a new file, or a standalone
    workspace that already holds work, which then joins its township keeping that work (`join_township`)."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        with contextlib.closing(open_workspace(path)) as existing:
            if existing.tier is not Tier.STANDALONE:
                raise InputError(f"这个工作区已经是{existing.tier.label}工作区"
                                 f"（{peers.display_name(existing)}），不能再用配置包加入")
            has_work = bool(existing.event_count())
        if has_work:
            return join_township(path, setup_file, code=code)
    h, payload, rows, received = _open_setup(setup_file, code)
    events = merge.validate(rows)
    village, township, pair, town_keys, town_id = _identity(h, payload)
    created = not path.exists()
    # a village's key is sealed to its township (a recovery package) instead of a recovery code
    ws = open_workspace(path, recovery=False, passphrase=passphrase)
    try:
        with ws.transaction():
            if rows:
                ws.conn.executemany("INSERT INTO events (event_id, origin, seq, hlc, kind, entity, payload, author, "
                                    "recorded_at, scope) VALUES (?,?,?,?,?,?,?,?,?,?)", [tuple(r) for r in rows])
                project(ws.conn, events, new_entities={e.entity for e in events})
                ws.clock.observe(max(e.hlc for e in events))
            photos.save(ws, received)
            _become_village(ws, h, payload, rows, events)
            listorder.remember(ws, payload.get("list_order"))
        if ws.key is not None:
            from .recovery import seal_to_township
            seal_to_township(ws)
        result = {"mode": "village", "village": village, "township": township, "events": len(rows),
                  "people": ws.scalar("SELECT count(*) FROM persons WHERE village=?", (village,)),
                  "photos": len(received), "fingerprint": pair.public.key_id,
                  "township_fingerprint": town_keys.key_id}
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
        differences = []
        for entity, t in theirs.items():
            m = mine.get(entity)
            if m is None:
                continue
            fields = {f: {"本村": _shown(f, m.get(f)), "乡镇": _shown(f, t.get(f))} for f in LIST_FIELDS
                      if (m.get(f) or "") != (t.get(f) or "") and f in m and f in t}
            if fields:
                differences.append({"id": entity[2:], "name": t.get("name") or m.get("name", ""), "fields": fields})
        before = _settings_shown(ws, local_campaign)
        with ws.transaction():
            merge.merge(ws, [list(r) for r in rows], events)
            photos.save(ws, received)
            _become_village(ws, h, payload, rows, events)
            listorder.remember(ws, payload.get("list_order"))
            town_campaign = {}
            for ev in events:
                if ev.entity == "campaign":
                    town_campaign.update(ev.payload)
            back = {k: town_campaign.get(k, campaign_defaults(k)) for k in sorted(local_campaign)}
            if back:
                ws.emit("campaign.set", "campaign", back, "加入乡镇")
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


def _settings_shown(ws: Workspace, keys: set[str]) -> dict[str, tuple[str, str]]:
    """The workspace's current value of each campaign key, as a cadre reads it (label, text): what
    joining replaced is said afterwards ("缴费链接：本村 … / 乡镇 …")."""
    from ..rules.campaign import LABELS, TEMPLATE_PREFIX, load

    values = load(ws).values
    out = {}
    for k in sorted(keys):
        if k.startswith(TEMPLATE_PREFIX):  # a printed text: which one is used, not the text itself
            text = json.loads(ws.scalar("SELECT value FROM campaign WHERE key=?", (k,)) or '""')
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


__all__ = ["join_township", "init_township", "make_setup_package", "rekey_village", "init_village", "villages_in", "WorkspaceError"]
