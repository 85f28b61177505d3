"""Backups of a workspace: a daily copy (last 7 kept) and restoring one.

Copies are made with SQLite's online backup API, so they are consistent even while the window is
writing, and are stored as plain single-file databases under
`paths.data_dir()/backups/<workspace id>/<file>/YYYY-MM-DD.db`: named by the workspace's id and by
the file (a digest of this computer and the file's real path), not its name, so two workspaces both
called 村.db keep their backups apart, and so do two copies of one workspace (same id) on one
computer. Each copy records which file it was made from (`meta.backup_of`). A restore refuses another
workspace's backup, and a backup of another copy of this workspace that still exists, saying whose
it is, unless told to take it. An encrypted workspace's copies are
encrypted with the same data key, and its key sidecar (`.keys`) is put beside each copy. A passphrase
change re-wraps the kept copies' sidecars (`rewrap`); a copy kept elsewhere (`backup --out`) still
restores after a passphrase change, since restoring opens the workspace first and a copy of the same
data key needs no passphrase of its own; a copy of another key asks for the passphrase it was made
under, by name. A restore first saves the current file,
then copies the backup in, and makes the next write start a new origin: events written after the
backup may already have left in a sync package, and reusing their sequence numbers would lose data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
from pathlib import Path

from ...paths import data_dir
from .. import clock
from ..errors import InputError
from . import atrest, files, oslock
from .location import sqlite_uri
from .machine import machine_id
from .schema import MIGRATIONS
from .sqlcipher import PAGE_SIZE, apply_key, attach, sqlite3
from .store import Workspace

KEEP = 7
BUSY_SECONDS = 10  # how long a restore waits for another connection's write to finish
_DAILY = re.compile(r"^\d{4}-\d{2}-\d{2}\.db$")


def backup_dir(ws: Workspace | str | Path) -> Path:
    """The folder of this file's backups (an open workspace, or its file): by the workspace's id and
    the file itself, so copies of one workspace on this computer never share a backup."""
    return workspace_backups(ws) / file_tag(ws.path if isinstance(ws, Workspace) else Path(ws))


def workspace_backups(ws: Workspace | str | Path) -> Path:
    """The folder of every backup of this workspace made on this computer (all its files)."""
    return data_dir() / "backups" / files.safe_name(_workspace_id(ws), "workspace")


def file_tag(path: str | Path) -> str:
    """A file's name for its backups' folder: this computer and its real path (not its name)."""
    return hashlib.sha256(f"{machine_id()}\0{os.path.realpath(path)}".encode("utf-8", "surrogatepass")
                          ).hexdigest()[:12]


def _workspace_id(ws: Workspace | str | Path) -> str:
    if isinstance(ws, Workspace):
        return ws.meta("workspace_id") or ws.workspace_id
    return owner(ws).get("workspace_id") or Path(ws).stem


def owner(path: str | Path, key: bytes | None = None) -> dict:
    """Whose a workspace file (or a backup of one, opened with its `key`) is: its id, mode, village,
    township ({} if unreadable)."""
    if key is None:
        try:
            key = backup_key(Path(path))  # an encrypted file: its sidecar and the passphrase, if known
        except (InputError, OSError, ValueError):
            key = None
    try:
        conn = sqlite3.connect(sqlite_uri(path, readonly=True), uri=True)
        try:
            apply_key(conn, key)
            return dict(conn.execute("SELECT key, value FROM meta WHERE key IN "
                                     "('workspace_id', 'mode', 'village', 'township', 'backup_of')").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}


def _whose(meta: dict) -> str:
    name = meta.get("village") or meta.get("township") or "未命名"
    return f"“{name}”（工作区编号 {str(meta.get('workspace_id') or '无')[:8]}）"


def _copy(src: sqlite3.Connection, target: Path, key: bytes | None = None, keys_of: Path | None = None) -> Path:
    """Copy an open database into `target` atomically (written beside it, then renamed); with `key`
    the copy is encrypted with it and the sidecar of `keys_of` goes beside it first. The copy names
    the file it was made from (`meta.backup_of`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    if tmp.exists():
        tmp.unlink()
    try:
        # claimed before the sidecar is put beside: the next start's sweep (sweep.py) leaves a copy
        # being made alone, and takes a sidecar whose copy never came only when no .part is there
        with oslock.claimed(tmp):
            if key is not None and keys_of is not None:
                atrest.copy_sidecar(keys_of, target)
            dst = sqlite3.connect(str(tmp))
            try:
                apply_key(dst, key)
                src.backup(dst)
                if keys_of is not None:
                    dst.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('backup_of', ?)",
                                (os.path.realpath(keys_of),))
                    dst.commit()
                dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
            finally:
                dst.close()
        files.replace(tmp, target)  # (the claim's handle closed first: Windows renames no open file)
    except BaseException:  # a full disk: no half-written .part left behind
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
        raise
    return target


def backup(ws: Workspace, target: str | Path | None = None, *, day: dt.date | None = None) -> Path:
    """Copy the workspace now; by default into today's daily file (replacing it)."""
    day = day or clock.today()
    dest = Path(target) if target else backup_dir(ws) / f"{day.isoformat()}.db"
    return _copy(ws.conn, dest, ws.key, ws.path)


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the newest `keep` daily backups; returns what was removed."""
    daily = sorted(p for p in folder.glob("*.db") if _DAILY.match(p.name)) if folder.is_dir() else []
    gone = daily[:-keep] if keep > 0 else daily
    for p in gone:
        p.unlink(missing_ok=True)
        atrest.sidecar(p).unlink(missing_ok=True)
    return gone


def daily(ws: Workspace, *, keep: int = KEEP, today: dt.date | None = None) -> Path | None:
    """Today's automatic backup, once a day; None if today's copy already exists."""
    today = today or clock.today()
    dest = backup_dir(ws) / f"{today.isoformat()}.db"
    if dest.exists():
        return None
    path = backup(ws, dest, day=today)
    prune(dest.parent, keep)
    return path


def list_backups(db_path: Workspace | str | Path) -> list[dict]:
    """The backups kept for this file (open, or its file), newest first; those of an older version
    (kept by the workspace's id only) too."""
    folder = backup_dir(db_path)
    found = [p for d in (folder, folder.parent) if d.is_dir() for p in d.glob("*.db")]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return [{"file": str(p), "name": p.stem, "size": p.stat().st_size,
             "saved_at": dt.datetime.fromtimestamp(p.stat().st_mtime).replace(microsecond=0).isoformat()}
            for p in found]


def change_passphrase(db_path: str | Path, key: bytes, new: str) -> int:
    """A new passphrase for the workspace (atrest.change_passphrase) and for its kept backups of the
    same key (`rewrap`): a backup made before the change opens with the new passphrase, not the old.
    Returns how many backups were re-wrapped."""
    return rewrap(db_path, key, atrest.change_passphrase(db_path, key, new))


def rewrap(db_path: str | Path, key: bytes, wrap: dict) -> int:
    """After a passphrase change: the kept backups of this workspace under the same data key get the
    new passphrase's wrap (the old passphrase no longer opens them); returns how many."""
    n = 0
    with contextlib.suppress(OSError):
        root = workspace_backups(db_path)
        for side in root.rglob("*.db" + atrest.SUFFIX) if root.is_dir() else ():
            with contextlib.suppress(OSError, InputError, ValueError):
                db = Path(str(side)[:-len(atrest.SUFFIX)])
                if atrest.KeyFile.load_file(side, side.name).data.get("key_id") == atrest.key_id(key):
                    atrest.update_sidecar(db, lambda data: data["wraps"].__setitem__("passphrase", wrap))
                    n += 1
    return n


def backup_key(path: Path, passphrase: str | None = None, *, known: bytes | None = None) -> bytes | None:
    """The data key of a backup file (None if it is plain): `known` (the workspace's own key, when the
    backup is of that key: a passphrase change since does not matter), a key this process unlocked
    with the same id, else its sidecar and the passphrase it was made under (CANVASSER_PASSPHRASE).
    A `passphrase` given is tried first and alone."""
    if atrest.file_state(path) != "encrypted":
        return None
    wanted = str(atrest.KeyFile.load(path).data.get("key_id"))
    if passphrase:
        return atrest.unlock(path, passphrase)
    if known is not None and atrest.key_id(known) == wanted:
        return known
    key = atrest.key_by_id(wanted)
    if key is not None:
        return key
    phrase = atrest.env_passphrase()
    if phrase:
        try:
            return atrest.unlock(path, phrase)
        except atrest.PassphraseError as exc:
            raise atrest.PassphraseError(
                f"备份 {path.name} 要用做这个备份时的工作区口令打开，现在的口令打不开它（口令在备份之后改过，"
                "或它是另一个工作区的备份）。请用 --backup-passphrase-file 给出当时的口令") from exc
    raise atrest.PassphraseError(f"备份 {path.name} 已加密，需要做备份时的工作区口令（--backup-passphrase-file）")


def validate(path: str | Path, key: bytes | None = None) -> int:
    """Check that a file is a sound workspace this version can open; returns its event count."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"找不到备份文件：{path}")
    if key is None:
        key = backup_key(path)  # an encrypted backup: its sidecar and the passphrase (or the open key)
    try:
        conn = sqlite3.connect(sqlite_uri(path, readonly=True), uri=True)
        apply_key(conn, key)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise InputError(f"备份文件已损坏：{path.name}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='events'").fetchone():
                raise InputError(f"{path.name} 不是工作区备份（没有事件记录）")
            if version > len(MIGRATIONS):
                raise InputError(f"{path.name} 由更新版本的程序创建，请先升级程序")
            return conn.execute("SELECT count(*) FROM events").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path.name} 不是工作区文件：{exc}") from exc


def _page_size(path: Path) -> int:
    """A plain workspace file's page size (SQLite's header), or the size new files get."""
    try:
        with open(path, "rb") as f:
            head = f.read(18)
        if head.startswith(b"SQLite format 3\0"):
            size = int.from_bytes(head[16:18], "big")
            return 65536 if size == 1 else size
    except OSError:
        pass
    return PAGE_SIZE


def restore(db_path: str | Path, source: str | Path, *, other_workspace: bool = False,
            backup_passphrase: str | None = None) -> dict:
    """Replace the workspace with a backup; the current file is saved first. Returns what happened.
    A backup of another workspace, or of another copy of this one that still exists, is refused
    unless `other_workspace`. The workspace is opened first, so a backup of its own data key opens
    whatever passphrase it was made under; another key needs `backup_passphrase`."""
    db_path, source = Path(db_path), Path(source)
    if db_path.exists() and files.real_path(source) == files.real_path(db_path):
        raise InputError("备份文件就是当前工作区本身")
    if not source.is_file():
        raise InputError(f"找不到备份文件：{source}")
    current_key = None
    ours: dict = {}
    if db_path.exists():
        with Workspace(db_path, key=atrest.unlock_key(db_path)) as current:  # (its key: this process's, or the passphrase)
            current_key = current.key
            ours = {"workspace_id": current.meta("workspace_id"), "village": current.meta("village"),
                    "township": current.meta("township")}
    key = backup_key(source, backup_passphrase, known=current_key)
    events = validate(source, key)
    theirs = owner(source, key)
    saved = ""
    if db_path.exists():
        if not other_workspace and theirs.get("workspace_id") and ours["workspace_id"] \
                and theirs["workspace_id"] != ours["workspace_id"]:
            raise InputError(f"这个备份属于另一个工作区{_whose(theirs)}，不是当前工作区{_whose(ours)}的备份，"
                             f"未恢复。确实要用它替换当前工作区，请加 --other-workspace")
        if not other_workspace and (copy := _other_copy(theirs, db_path, current_key)):
            raise InputError(f"这个备份是同一工作区的另一份副本（{copy}）做的，不是这个文件的备份，未恢复。"
                             "两份副本各自记的走访不同；确实要用它替换这个文件，请加 --other-workspace")
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        with Workspace(db_path, key=current_key) as current:
            saved = str(backup(current, backup_dir(current) / f"before-restore-{stamp}.db"))
    elif key is not None:  # a new file takes the backup's key (and so its passphrase)
        atrest.copy_sidecar(source, db_path)
        atrest.remember(db_path, key)
        current_key = key
    # The backup is first written beside the workspace, under the workspace's own key (its passphrase
    # stays), with the origin dropped so the next write starts a new one. Its pages are then copied
    # into the open file in one step, not renamed over it: Windows refuses to replace a file any
    # program still has open, and a crash leaves the old file or the restored one, never half of each.
    staged = db_path.with_name(f".{db_path.name}.restore-part")
    staged.unlink(missing_ok=True)
    claim = contextlib.ExitStack()  # held while staging: the next start's sweep leaves it alone
    claim.enter_context(oslock.claimed(staged))
    try:
        # not read-only: an ATTACHed file takes the main file's open flags, and the staged copy is written
        src = sqlite3.connect(sqlite_uri(source), uri=True, isolation_level=None)
        apply_key(src, key)
        try:
            if current_key is None:
                src.execute("ATTACH DATABASE ? AS dst KEY ''", (sqlite_uri(staged),))
                # the pages are later copied into the live file, which is in WAL mode: SQLite's backup
                # refuses there ("readonly") unless both have the same page size
                src.execute(f"PRAGMA dst.page_size = {_page_size(db_path)}")
            else:
                attach(src, sqlite_uri(staged), "dst", current_key)
            src.execute("SELECT sqlcipher_export('dst')")
            src.execute(f"PRAGMA dst.user_version = {int(src.execute('PRAGMA user_version').fetchone()[0])}")
            src.execute("DELETE FROM dst.meta WHERE key IN ('origin', 'backup_of')")
            src.execute("DETACH DATABASE dst")
        finally:
            src.close()
        claim.close()  # (before the staged copy is renamed or copied in: Windows renames no open file)
        if not db_path.exists():
            files.replace(staged, db_path)
        else:
            stage = sqlite3.connect(sqlite_uri(staged), uri=True)  # (SQLCipher's backup needs it writable)
            apply_key(stage, current_key)
            dst = sqlite3.connect(sqlite_uri(db_path), uri=True, isolation_level=None, timeout=BUSY_SECONDS)
            apply_key(dst, current_key)
            try:
                try:  # the copy waits for the write lock without end: see first whether it can be had
                    dst.execute("BEGIN IMMEDIATE")
                    dst.execute("ROLLBACK")
                except sqlite3.OperationalError as exc:
                    raise InputError("工作区正在被其他窗口或程序写入，请先关闭它们再恢复；工作区未改动") from exc
                stage.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
            finally:
                dst.close()
                stage.close()
    finally:
        claim.close()
        for leftover in (staged, Path(f"{staged}-journal")):
            leftover.unlink(missing_ok=True)
    return {"restored": str(db_path), "from": str(source), "events": events, "saved_previous": saved,
            "workspace_id": theirs.get("workspace_id", "")}


def _other_copy(theirs: dict, db_path: Path, key: bytes | None) -> str:
    """The other file a backup was made from, when it is another copy of this workspace that still
    exists ('' when the backup is this file's, or its file is gone: a workspace moved keeps its backups)."""
    made_from = theirs.get("backup_of") or ""
    if not made_from or os.path.realpath(db_path) == made_from or not Path(made_from).is_file():
        return ""
    try:
        same = owner(made_from, key).get("workspace_id") == theirs.get("workspace_id")
    except (InputError, OSError):
        same = False
    return made_from if same else ""
