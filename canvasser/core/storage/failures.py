"""What really went wrong, in words a cadre can act on: busy, disk full, read-only, not a spreadsheet.

SQLite and the OS report these in English and by the operation that failed ("database is locked",
"cannot rollback", "No space left on device"); a user told the workspace is damaged when another
program was merely writing to it does the wrong thing. `explain()` names the cause, or says None
when it is none of these (the caller keeps its own message).
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from .sqlcipher import sqlite3  # the app's SQLite (SQLCipher's): its error classes

BUSY = "工作区正被另一个程序写入（例如正在导入名单或接收数据包），已等待仍未完成。请等它做完再试；工作区完好，这次也没有改动它"
DISK_FULL = "磁盘已满，无法写入；这次的操作没有保存，工作区保持原样。请清理磁盘空间（或换一个位置）后再试"
READ_ONLY = "工作区所在的文件夹或文件是只读的（例如光盘、只读U盘或没有写权限），只能查看，不能修改。请复制到可写的位置再操作"
NOT_SPREADSHEET = ("{name} 不是完整的表格文件（可能没有下载完整、已损坏，或并非 Excel 文件），未导入任何内容。"
                   "请重新下载，或用 Excel/WPS 打开后另存为 xlsx 再导入")


def explain(exc: BaseException) -> str | None:
    """The cause of a storage failure in Chinese, or None."""
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return DISK_FULL
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return READ_ONLY
        return None
    if not isinstance(exc, sqlite3.Error):
        return None
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return BUSY
    if "disk is full" in text or "disk full" in text:
        return DISK_FULL
    if "readonly" in text or "read-only" in text:
        return READ_ONLY
    return None


ROOM = 1 << 20  # less free space than this beside a workspace: SQLite cannot even make its -shm file


def no_room(path: str | Path) -> bool:
    """Whether the disk holding `path` is (all but) full. SQLite says only "disk I/O error" when it
    cannot make the shared-memory file (-shm) of a WAL workspace; that is a full disk, not damage."""
    folder = Path(path).parent
    try:
        return shutil.disk_usage(folder if folder.exists() else Path.cwd()).free < ROOM
    except OSError:
        return False


def explain_at(exc: BaseException, path: str | Path) -> str | None:
    """`explain`, and a full disk found by looking when SQLite's words do not say it."""
    why = explain(exc)
    if why is None and isinstance(exc, (OSError, sqlite3.Error)) and no_room(path):
        return DISK_FULL
    return why
