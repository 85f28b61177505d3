"""A forgotten village passphrase: the township answers with a recovery package.

A village made from a setup package keeps its data key sealed to the township's box key (in its
sidecar, `wraps.township`, with the village's and township's key ids). When the passphrase is
forgotten, the village brings the sidecar `村.db.keys` (a few hundred bytes; nothing in it is
readable without the township's private key) to the township. `recovery_package` opens the sealed
key with the township's private key, checks that the village's keys are the current ones (after
`rekey` the old laptop's keys are revoked, so its data key is retired: no recovery for a lost
laptop) and writes the key again under a fresh one-time code, signed by the township. The code is
told to the village by another channel (a phone call), so the package alone opens nothing. The
village's `recover` unwraps the key with the code, opens the workspace, checks the township's
signature against the township it knows, and sets a new passphrase (the database is not rewritten).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from ..storage import atrest, backup, recoverycode
from ..storage.store import Workspace, now_iso
from . import peers

FORMAT = "canvasser-recovery"


def seal_to_township(ws: Workspace) -> None:
    """Keep this village workspace's data key sealed to its township (from the setup package)."""
    town = peers.township_peer(ws)
    own = peers.own_keys(ws)
    atrest.seal_for_township(ws.path, ws.key, town["keys"].box_pk, village=ws.meta("village") or "",
                             village_key=own.public.key_id, township_key=town["keys"].key_id)


def _body(data: dict) -> bytes:
    return json.dumps({k: v for k, v in data.items() if k != "signature"}, sort_keys=True,
                      ensure_ascii=False).encode("utf-8")


def recovery_package(town: Workspace, village_keys: str | Path, out: str | Path) -> dict:
    """Township: a recovery package for the village whose sidecar is `village_keys`; returns the code."""
    peers.require_sync(town, "township")
    try:
        data = json.loads(Path(village_keys).read_text(encoding="utf-8"))
        sealed = data["wraps"]["township"]
        key_id = str(data["key_id"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{Path(village_keys).name} 不是村工作区的密钥文件（村.db.keys）") from exc
    own = peers.own_keys(town)
    if sealed.get("township_key") != own.public.key_id:
        raise InputError("这个村的密钥不是交给本乡镇保管的（乡镇密钥不符），无法生成恢复包")
    village = str(sealed.get("village") or "")
    peer = peers.village_peer(town, village)
    if peer is None:
        raise InputError(f"本乡镇没有“{village}”")
    if sealed.get("village_key") in peer["revoked_keys"]:
        raise InputError(f"“{village}”的这台电脑的密钥已作废（换过密钥），不能恢复：请用新配置包重建村工作区")
    if peer["keys"] is None or sealed.get("village_key") != peer["keys"].key_id:
        raise InputError(f"密钥文件与“{village}”当前的密钥不符，无法生成恢复包")
    try:
        key = atrest.unseal_with(sealed["sealed"], own.box_sk)
    except Exception as exc:  # noqa: BLE001 — nacl raises CryptoError and others on tampering
        raise InputError("密钥文件已损坏，无法打开其中的密钥") from exc
    if atrest.key_id(key) != key_id:
        raise InputError("密钥文件已损坏（密钥标识不符）")
    code = atrest.new_recovery_code()
    pkg = {"format": FORMAT, "version": 1, "village": village, "key_id": key_id, "created": now_iso(),
           "township_key": own.public.key_id, "wrap": atrest.wrap_secret(key, atrest.norm_code(code))}
    pkg["signature"] = own.sign(_body(pkg)).hex()
    target = Path(out)
    target.write_text(json.dumps(pkg, ensure_ascii=False, indent=1), encoding="utf-8")
    with town.transaction():
        town.set_meta(f"recovery.{village}", json.dumps({"at": pkg["created"], "key_id": key_id}))
    return {"village": village, "file": str(target), "code": code, "key_id": key_id}


def ways(db_path: str | Path) -> dict:
    """How a forgotten passphrase of this workspace is recovered (the window's 忘记口令 asks for what
    applies): `code`, its own recovery code (standalone, township); `package`, the township's
    recovery package and the code told with it (a village, whose key the township keeps; `keys` is
    the sidecar to bring to the township)."""
    kf = atrest.KeyFile.load(db_path)
    town = kf.wraps.get("township") or {}
    return {"code": "recovery" in kf.wraps, "package": bool(town), "village": str(town.get("village") or ""),
            "keys": str(atrest.sidecar(db_path))}


def recover(db_path: str | Path, code: str, new_passphrase: str, package: str | Path | None = None, *,
            sleep=None) -> dict:
    """Village (with the township's package) or standalone (with its own recovery code): a new passphrase.
    `sleep` replaces the wait after wrong tries (the window counts it down itself)."""
    db_path = Path(db_path)
    atrest.check_new_passphrase(new_passphrase)
    kf = atrest.KeyFile.load(db_path)
    if package is None:
        key = atrest.unlock_with_recovery_code(db_path, code, **({"sleep": sleep} if sleep else {}))
        pkg = None
    else:
        try:
            pkg = json.loads(Path(package).read_text(encoding="utf-8"))
            if pkg.get("format") != FORMAT:
                raise ValueError
        except (OSError, ValueError) as exc:
            raise InputError(f"{Path(package).name} 不是恢复包") from exc
        if pkg.get("key_id") != kf.data.get("key_id"):
            raise InputError("这个恢复包不是给这个工作区的（密钥标识不符）")
        if why := recoverycode.problem(code):
            raise atrest.PassphraseError(why)
        key = atrest.unwrap_code(pkg.get("wrap") or {}, code)
        if key is None:
            atrest.note_failure(db_path)
            raise atrest.PassphraseError("恢复码不对（请核对乡镇告知的恢复码）")
    if atrest.key_id(key) != kf.data.get("key_id"):
        raise InputError("恢复出的密钥与工作区不符")
    with Workspace(db_path, key=key) as ws:
        if pkg is not None:
            town = peers.township_peer(ws)
            try:
                good = town["keys"].verify(_body(pkg), bytes.fromhex(pkg.get("signature") or ""))
            except ValueError:
                good = False
            if not good or pkg.get("township_key") != town["keys"].key_id:
                raise InputError("恢复包的签名不是本村所属乡镇的，已拒绝")
        ws.scalar("SELECT count(*) FROM events")
    backup.change_passphrase(db_path, key, new_passphrase)  # the kept backups follow
    return {"workspace": str(db_path), "recovered": True, "via": "township" if pkg else "recovery-code"}


__all__ = ["seal_to_township", "recovery_package", "recover", "ways"]
