"""Converting an old plain workspace into an encrypted one, on its first open with a passphrase.

The plain file is made self-contained (WAL folded in), exported by `sqlcipher_export` into
`X.db.converting`, migrated and `check`ed there; only then the old plain backups are removed, the
new sidecar is put in place and the encrypted copy is renamed over the plain file (one atomic
rename). A crash at any moment leaves one complete workspace: the plain file as it was (the next
open starts over and removes the leftovers), or the encrypted one with its sidecar. The rename
overwrites the plain file's name, not its disk blocks: a forensic copy of the old disk may still
hold them (there is no secure erase on SSDs); the design note says so.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from ..tiers import Tier
from . import atrest, evidence, files
from .location import sqlite_uri
from .sqlcipher import attach, sqlite3
from .store import Workspace, WorkspaceError, now_iso


def _stage(name: str) -> None:
    """A named point of the conversion (tests kill the process here)."""


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def leftovers(path: Path) -> list[Path]:
    return [Path(str(path) + ".converting"), Path(str(atrest.sidecar(path)) + ".converting"),
            Path(str(path) + ".converting-journal"), Path(str(atrest.sidecar(path)) + ".converting.part")]


def convert(path: str | Path, passphrase: str) -> tuple[bytes, str | None]:
    """Encrypt a plain workspace in place; returns its new data key and a recovery code (None for a
    village, whose key is sealed to its township instead)."""
    from .integrity import check

    path = Path(path)
    atrest.check_new_passphrase(passphrase)
    part, keys_part = leftovers(path)[0], leftovers(path)[1]
    for p in leftovers(path):
        p.unlink(missing_ok=True)
    _stage("start")
    Workspace(path, key=None).close()  # an old schema is brought up to date first, as before
    key = os.urandom(32)
    # by URI: a path string is read as UTF-8 and misses a Chinese name under a GB18030 locale (location.py)
    conn = sqlite3.connect(sqlite_uri(path), uri=True, isolation_level=None, timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")  # the plain file alone is the whole workspace now
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        attach(conn, sqlite_uri(part), "enc", key)
        _stage("attached")
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute(f"PRAGMA enc.user_version = {int(version)}")
        # the copy keeps its inode through the rename: the workspace keeps its origin
        conn.execute("UPDATE enc.origins SET inode=? WHERE origin=(SELECT value FROM enc.meta WHERE key='origin') "
                     "AND path=?", (os.stat(part).st_ino, files.real_path(path)))
        faithful = _same(conn, "enc")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    _stage("exported")
    if not faithful:
        part.unlink(missing_ok=True)
        raise WorkspaceError(f"加密副本与原文件不一致，原文件未改动：{path}")
    ws = Workspace(part, key=key)
    try:
        result = check(ws)  # a faithful copy checks as the plain file would; recorded, not a gate
        ws.set_meta("converted_at", now_iso())
        ws.set_meta("converted_check", "ok" if result["ok"] else "differs:" + ",".join(result["differs"]))
        ws.set_meta(evidence.PENDING, "1")  # the photos are sealed at the first open after the switch (opening.py)
        township = _township_wrap(ws) if ws.tier is Tier.VILLAGE else None
    finally:
        ws.close()
    _fsync(part)
    _stage("checked")
    key, code = atrest.create_keys(path, passphrase, recovery=township is None, key=key, target=keys_part)
    if township:
        data = json.loads(keys_part.read_text(encoding="utf-8"))
        box_pk = bytes.fromhex(township.pop("box_pk"))
        data["wraps"]["township"] = dict(township, sealed=atrest.seal_to(key, box_pk))
        atrest.KeyFile(keys_part, data).save()
    _remove_plain_backups(path)
    _stage("backups")
    os.replace(keys_part, atrest.sidecar(path))
    _stage("keys")
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(part, path)
    _fsync(path.parent)
    _stage("replaced")
    atrest.remember(path, key)
    return key, code


def _same(conn: sqlite3.Connection, copy: str) -> bool:
    """The copy holds the same events and the same projections as the plain file."""
    from .integrity import projection_digests

    count = "SELECT count(*), coalesce(max(hlc), '') FROM {}.events"
    return (conn.execute(count.format("main")).fetchone() == conn.execute(count.format(copy)).fetchone()
            and projection_digests(conn, "main") == projection_digests(conn, copy))


def _township_wrap(ws: Workspace) -> dict | None:
    """Whom a village's new data key is also sealed to (its township, instead of a recovery code), as
    the file's local state knows it: the township's public keys in `peers`, the village's own sync
    keys in meta; the ids are the sync keys' ids (atrest.public_key_id). None for a village that
    does not know its township: it gets a recovery code instead."""
    row = ws.conn.execute("SELECT sign_key, box_key FROM peers WHERE kind='township' LIMIT 1").fetchone()
    try:
        own = json.loads(ws.meta(atrest.SYNC_KEYS) or "")
        town_sign, town_box = bytes.fromhex(row[0]), bytes.fromhex(row[1])
        village_keys = atrest.public_keys(bytes.fromhex(own["sign_sk"]), bytes.fromhex(own["box_sk"]))
    except (TypeError, ValueError, KeyError):  # no township, no keys, or keys unreadable
        return None
    return {"box_pk": town_box.hex(), "village": ws.meta("village") or "",
            "village_key": atrest.public_key_id(*village_keys), "township_key": atrest.public_key_id(town_sign, town_box)}


def _remove_plain_backups(path: Path) -> None:
    from .backup import backup_dir

    folder = backup_dir(path)
    if not folder.is_dir():
        return
    for f in folder.glob("*.db"):
        if atrest.file_state(f) == "plain":
            f.unlink(missing_ok=True)
