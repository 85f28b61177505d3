"""Where a workspace file lives, and what that means for working on it.

- `sqlite_uri`: a path SQLite opens as exactly the file Python means. SQLite takes a path given in
  SQL (ATTACH) or a URI as UTF-8, but Python hands the filesystem encoding's bytes to
  `sqlite3.connect` (GB18030 in a zh_CN.GB18030 locale): a percent-encoded URI of those bytes is the
  same file both ways, and `?`, `#`, `%` in a folder name stay part of the name.
- `kind`: "local", "removable" (a USB stick) or "network" (a share). SQLite's locking is unsafe on
  a share and a stick can be pulled out mid-write, so the window offers to copy such a workspace to
  the laptop's data folder and work there (`copy_to_local`).
- `problem`: a folder SQLite cannot write in (read-only share, write-protected stick, a folder the
  user may not write): the workspace cannot be opened for work there; the message says what to do.
- `utf8_path`: the same for a library that passes a path to the OS as UTF-8 (calamine).
- `too_long`: a path SQLite cannot open: 260 characters on Windows (MAX_PATH), 512 bytes elsewhere
  (about 170 Chinese characters): `problem` says to move it. Shorter long paths just work.
"""

from __future__ import annotations

import contextlib
import ntpath
import os
import shutil
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from ...paths import data_dir
from ..errors import InputError
from . import files
from .sqlcipher import apply_key, sqlite3

NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs", "davfs",
              "fuse.sshfs", "fuse.gvfsd-fuse", "fuse.rclone", "fuse.davfs2", "fuse.glusterfs", "fuse.cephfs"}
REMOVABLE_FS = {"vfat", "msdos", "exfat", "fuseblk", "ntfs", "ntfs3", "udf", "iso9660"}
REMOVABLE_ROOTS = ("/media/", "/run/media/", "/mnt/usb")
WIN_MAX_PATH = 260
UNIX_MAX_PATH_BYTES = 512  # SQLite's MAX_PATHNAME in os_unix.c
WIN_LONG_PATH_BYTES = 1040  # SQLite's SQLITE_WIN32_MAX_PATH_BYTES in os_win.c (UTF-8), where long paths are on
JOURNAL = "-journal"
# GetDriveTypeW
DRIVE_REMOVABLE, DRIVE_REMOTE, DRIVE_CDROM = 2, 4, 5

KIND_NAMES = {"removable": "U 盘或移动硬盘", "network": "网络共享文件夹"}


def sqlite_uri(path: str | Path, *, readonly: bool = False) -> str:
    """A `file:` URI naming exactly `path` for SQLite (connect with uri=True, or ATTACH on such a
    connection)."""
    raw = os.fsencode(files.real_path(path))  # on Windows: UTF-8, as SQLite's Windows VFS expects
    if sys.platform == "win32":
        raw = raw.replace(b"\\", b"/")
        # file:/C:/x for a drive; a share \\server\x keeps an empty authority: file:////server/x
        raw = (b"//" if raw.startswith(b"//") else b"/") + raw
    uri = "file:" + urllib.parse.quote_from_bytes(raw, safe="/:")
    return uri + ("?mode=ro" if readonly else "")


@contextlib.contextmanager
def utf8_path(path: str | Path) -> Iterator[str]:
    """A path for a library that hands a path to the OS as UTF-8 (python-calamine, in Rust), naming
    the file Python means. Under a non-UTF-8 locale on Linux (GB18030) a Chinese name is on disk in
    that encoding, so such a library would not find it: it is given /proc/self/fd/N of a handle
    held open until it has opened the file itself."""
    text = str(path)
    if sys.platform == "win32" or os.fsencode(text) == text.encode("utf-8", "surrogateescape"):
        yield text
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        yield f"/proc/self/fd/{fd}"
    finally:
        os.close(fd)


def too_long(path: str | Path) -> bool:
    """Longer than SQLite can open, counting the "-journal" it appends: on Windows MAX_PATH (260
    characters) unless Windows lets this program use long paths (LongPathsEnabled, Windows 10 1607+),
    then SQLite's 1,040 bytes; elsewhere 512 bytes (SQLite's unix VFS), which a path of Chinese folder
    names reaches at about 170 characters."""
    full = files.real_path(path)
    if sys.platform == "win32":
        if long_paths():
            return len(full.encode("utf-8")) + len(JOURNAL) > WIN_LONG_PATH_BYTES
        return len(full) + len(JOURNAL) >= WIN_MAX_PATH
    return len(os.fsencode(full)) + len(JOURNAL) > UNIX_MAX_PATH_BYTES


def long_paths() -> bool:
    """Whether Windows lets this process open paths past MAX_PATH: the machine's LongPathsEnabled and a
    program that declares itself long-path aware (python.exe and PyInstaller's programs do). Off by
    default, and off under Wine, which nevertheless opens them."""
    if sys.platform != "win32":
        return True
    import ctypes

    try:
        return bool(ctypes.WinDLL("ntdll").RtlAreLongPathsEnabled())
    except (OSError, AttributeError):  # before Windows 10 1607
        return False


# ---- removable disks and network shares -----------------------------------------------------
def kind(path: str | Path) -> str:
    """'local', 'removable' or 'network' for the disk holding `path`."""
    if sys.platform == "win32":
        return _windows_kind(files.real_path(path))
    return kind_from_mounts(files.real_path(path), _read_mounts())


def _read_mounts() -> str:
    try:
        return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""  # macOS and BSDs: no /proc; treated as local


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash in a mount point as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def kind_from_mounts(real: str, mounts: str) -> str:
    """The kind of the mount (longest mount point holding `real`) by its filesystem type and place."""
    best, best_type = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point, fstype = _unescape(parts[1]), parts[2]
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, fstype
    if best_type in NETWORK_FS or best_type.startswith("fuse.smb"):
        return "network"
    if best_type in REMOVABLE_FS or any((best + "/").startswith(root) for root in REMOVABLE_ROOTS):
        return "removable"
    return "local"


def _windows_kind(full: str) -> str:
    if full.startswith("\\\\"):
        return "network"  # \\server\share
    drive = ntpath.splitdrive(full)[0]
    kind_code = _drive_type(drive + "\\") if drive else 0
    if kind_code == DRIVE_REMOTE:
        return "network"
    if kind_code in (DRIVE_REMOVABLE, DRIVE_CDROM):
        return "removable"
    return "local"


def _drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def local_copy_path(path: str | Path) -> Path:
    """Where the laptop's copy of a workspace goes: the data folder, same name (numbered if taken)."""
    folder = data_dir() / "workspaces"
    source = Path(path)
    target = folder / source.name
    n = 2
    while target.exists():
        target = folder / f"{source.stem}（{n}）{source.suffix}"
        n += 1
    return target


def copy_to_local(path: str | Path, target: str | Path | None = None) -> Path:
    """Copy a workspace (consistently, with SQLite's backup API) to the laptop; returns the copy.
    The copy is a new file in a new place, so it writes under its own origin: nothing written on the
    stick before is lost or counted twice when both reach the township."""
    source = Path(path)
    dest = Path(target) if target else local_copy_path(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise InputError(f"目标文件已存在：{dest}")
    part = dest.with_name(dest.name + ".part")
    key = _data_key(source)
    with tempfile.TemporaryDirectory(prefix=".canvasser-copy-", dir=dest.parent) as scratch:
        taken = not writable(source.parent)
        if taken:
            # SQLite cannot read a WAL workspace in a folder it cannot write (no WAL index): the
            # files are taken here first, WAL included, so nothing written last is left behind
            for suffix in ("", "-wal"):
                if Path(f"{source}{suffix}").exists():
                    shutil.copyfile(f"{source}{suffix}", Path(scratch, "ws.db" + suffix))
            source = Path(scratch, "ws.db")
        src = sqlite3.connect(sqlite_uri(source, readonly=not taken), uri=True)
        apply_key(src, key)
        try:
            dst = sqlite3.connect(str(part))
            try:
                apply_key(dst, key)  # the copy stays encrypted under the same key (and passphrase)
                src.backup(dst)
            finally:
                dst.close()
            if key is not None:
                from . import atrest

                atrest.copy_sidecar(Path(path), dest)
            files.replace(part, dest)
        finally:
            src.close()
            if part.exists():
                part.unlink()
    return dest


def _data_key(path: Path) -> bytes | None:
    """An encrypted workspace's data key (known in this process, or from the passphrase given);
    None for a plain file."""
    from . import atrest

    return atrest.unlock_key(path)


# ---- folders that cannot be written ---------------------------------------------------------
def problem(path: str | Path) -> str:
    """Why work cannot happen on this workspace where it is (a Chinese sentence saying what to do),
    or '' when it can. SQLite writes a journal beside the file, so the folder must be writable too."""
    p = Path(path)
    if too_long(p):
        return (f"工作区的路径太长（{len(files.real_path(p))} 个字符），数据库无法打开。"
                f"请把它移到路径较短的文件夹（如“{data_dir()}”）或改短文件夹名后再打开。")
    return read_only_place(p)


def read_only_place(path: str | Path) -> str:
    """Why nothing can be written to this workspace where it is ('' when it can): a read-only folder
    or file. Looking (search, reports, check) still works there; the words say what to do to write."""
    p = Path(path)
    folder = p.parent
    if folder.exists() and not writable(folder):
        return (f"文件夹“{folder}”是只读的（例如写保护的 U 盘、只读共享或没有写入权限的文件夹），"
                f"无法在这里记录走访。请把工作区复制到本机（如“{data_dir()}”）后再打开。")
    if p.is_file() and not can_write(p):
        return (f"工作区文件“{p.name}”是只读的。请在文件属性中取消“只读”，"
                f"或把它复制到本机（如“{data_dir()}”）后再打开。")
    return ""


def can_write(file: Path) -> bool:
    """Whether the file opens for writing (nothing is written): the read-only attribute on Windows,
    modes, an immutable file."""
    try:
        with open(file, "ab"):
            return True
    except OSError:
        return False


def writable(folder: Path) -> bool:
    """Whether a file can be created here: tried for real, since permission bits lie on shares and
    for root, and a write-protected stick is read-only whatever the bits say."""
    probe = folder / f".canvasser-probe-{os.getpid()}"
    try:
        with open(probe, "wb"):
            pass
    except OSError:
        return False
    try:
        probe.unlink()
    except OSError:
        pass
    return True
