"""Backups of a workspace: a daily copy (last 7 kept) and restoring one.

Copies are made with SQLite's online backup API, so they are consistent even while the window is
writing, and are stored as plain single-file databases under
`paths.data_dir()/backups/<workspace id>/YYYY-MM-DD.db`: named by the workspace's id, not its file
name, so two workspaces both called 村.db keep their backups apart. A restore refuses another
workspace's backup (saying whose it is) unless told to take it. A restore first saves the current file,
then copies the backup in, and makes the next write start a new origin: events written after the
backup may already have left in a sync package, and reusing their sequence numbers would lose data.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

from ..paths import data_dir
from . import files
from .errors import InputError
from .location import sqlite_uri
from .schema import MIGRATIONS
from .store import Workspace

KEEP = 7
BUSY_SECONDS = 10  # how long a restore waits for another connection's write to finish
_DAILY = re.compile(r"^\d{4}-\d{2}-\d{2}\.db$")


def backup_dir(ws: Workspace | str | Path) -> Path:
    """The folder of a workspace's backups (an open workspace, or its file)."""
    return data_dir() / "backups" / _workspace_id(ws)


def _workspace_id(ws: Workspace | str | Path) -> str:
    if isinstance(ws, Workspace):
        return ws.meta("workspace_id") or ws.workspace_id
    return owner(ws).get("workspace_id") or Path(ws).stem


def owner(path: str | Path) -> dict:
    """Whose a workspace file (or a backup of one) is: its id, mode, village, township ({} if unreadable)."""
    try:
        conn = sqlite3.connect(sqlite_uri(path, readonly=True), uri=True)  # a "#" or "?" in a folder name too
        try:
            return dict(conn.execute("SELECT key, value FROM meta WHERE key IN "
                                     "('workspace_id', 'mode', 'village', 'township')").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}


def _whose(meta: dict) -> str:
    name = meta.get("village") or meta.get("township") or "未命名"
    return f"“{name}”（工作区编号 {str(meta.get('workspace_id') or '无')[:8]}）"


def _copy(src: sqlite3.Connection, target: Path) -> Path:
    """Copy an open database into `target` atomically (written beside it, then renamed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    if tmp.exists():
        tmp.unlink()
    try:
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        finally:
            dst.close()
        files.replace(tmp, target)
    except BaseException:  # a full disk: no half-written .part left behind
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
        raise
    return target


def backup(ws: Workspace, target: str | Path | None = None, *, day: dt.date | None = None) -> Path:
    """Copy the workspace now; by default into today's daily file (replacing it)."""
    day = day or dt.date.today()
    dest = Path(target) if target else backup_dir(ws) / f"{day.isoformat()}.db"
    return _copy(ws.conn, dest)


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the newest `keep` daily backups; returns what was removed."""
    daily = sorted(p for p in folder.glob("*.db") if _DAILY.match(p.name)) if folder.is_dir() else []
    gone = daily[:-keep] if keep > 0 else daily
    for p in gone:
        p.unlink(missing_ok=True)
    return gone


def daily(ws: Workspace, *, keep: int = KEEP, today: dt.date | None = None) -> Path | None:
    """Today's automatic backup, once a day; None if today's copy already exists."""
    today = today or dt.date.today()
    dest = backup_dir(ws) / f"{today.isoformat()}.db"
    if dest.exists():
        return None
    path = backup(ws, dest, day=today)
    prune(dest.parent, keep)
    return path


def list_backups(db_path: Workspace | str | Path) -> list[dict]:
    """The backups kept for a workspace (open, or its file), newest first."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.db"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [{"file": str(p), "name": p.stem, "size": p.stat().st_size,
             "saved_at": dt.datetime.fromtimestamp(p.stat().st_mtime).replace(microsecond=0).isoformat()}
            for p in files]


def validate(path: str | Path) -> int:
    """Check that a file is a sound workspace this version can open; returns its event count."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"找不到备份文件：{path}")
    try:
        conn = sqlite3.connect(sqlite_uri(path, readonly=True), uri=True)
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


def restore(db_path: str | Path, source: str | Path, *, other_workspace: bool = False) -> dict:
    """Replace the workspace with a backup; the current file is saved first. Returns what happened.
    A backup of another workspace is refused unless `other_workspace`."""
    db_path, source = Path(db_path), Path(source)
    if db_path.exists() and source.resolve() == db_path.resolve():
        raise InputError("备份文件就是当前工作区本身")
    events = validate(source)
    theirs = owner(source)
    saved = ""
    if db_path.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        with Workspace(db_path) as current:
            ours = {"workspace_id": current.meta("workspace_id"), "village": current.meta("village"),
                    "township": current.meta("township")}
            if not other_workspace and theirs.get("workspace_id") and ours["workspace_id"] \
                    and theirs["workspace_id"] != ours["workspace_id"]:
                raise InputError(f"这个备份属于另一个工作区{_whose(theirs)}，不是当前工作区{_whose(ours)}的备份，"
                                 f"未恢复。确实要用它替换当前工作区，请加 --other-workspace")
            saved = str(backup(current, backup_dir(current) / f"before-restore-{stamp}.db"))
    # staged first, so the copy into the workspace is one step: all of it (with the origin dropped,
    # so the next write starts a new one) or none of it. Pages are written into the open file, not
    # renamed over it: Windows refuses to replace a file any program still has open.
    staged = db_path.with_name(f".{db_path.name}.restore-part")
    try:
        src = sqlite3.connect(sqlite_uri(source, readonly=True), uri=True)
        stage = sqlite3.connect(str(staged), isolation_level=None)
        try:
            src.backup(stage)
            stage.execute("DELETE FROM meta WHERE key='origin'")
        finally:
            stage.close()
            src.close()
        stage = sqlite3.connect(sqlite_uri(staged, readonly=True), uri=True)
        dst = sqlite3.connect(str(db_path), isolation_level=None, timeout=BUSY_SECONDS)
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
        for leftover in (staged, Path(f"{staged}-journal")):
            leftover.unlink(missing_ok=True)
    return {"restored": str(db_path), "from": str(source), "events": events, "saved_previous": saved,
            "workspace_id": theirs.get("workspace_id", "")}
