"""Replacing a finished file, and naming one from data, the way Windows allows it.

Every output (ledger, report, PDF, package, backup) is written beside its target and renamed over it
only when complete, so a failure never leaves half a file under the real name. On Windows a file that
another program has open (a ledger open in WPS or Excel, a PDF in a reader, a backup open elsewhere)
cannot be replaced: the rename fails. That is then a clean refusal: the partial file is removed, the
old file is untouched, and the message says which file to close.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from pathlib import Path

from ..errors import InputError


class FileInUse(InputError):
    """The target is open in another program (Windows); nothing was changed."""


def real_path(path: str | os.PathLike) -> str:
    """os.path.realpath, or the absolute path where the system refuses to resolve it: on Windows a
    path past MAX_PATH (260 characters) raises (WinError 206, or 234 under Wine) instead of resolving,
    and the caller then could not even say that the path is too long."""
    try:
        return os.path.realpath(path)
    except OSError:
        return os.path.abspath(path)


def replace(part: str | Path, target: str | Path) -> None:
    """Rename the finished `part` over `target`; FileInUse if the target cannot be replaced."""
    try:
        os.replace(part, target)
    except PermissionError as exc:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise FileInUse(f"无法替换“{Path(target).name}”：它正被其他程序打开（如 WPS、Excel、PDF 阅读器），"
                        f"或文件夹不允许写入。请关闭该文件后再试，原文件未改动。") from exc


# ---- names made from data ----------------------------------------------------------------------------
# What Windows refuses in a name: the separators, : (a drive, or an NTFS stream), * ? " < > | and the
# control characters. Device names (CON, NUL, COM1 ...) are devices in every folder, whatever follows
# the first dot ("CON.xlsx" too, before Windows 11); a trailing dot or space is silently dropped, so
# "青石村." and "青石村" would be one file.
_INVALID = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            *(f"{d}{n}" for d in ("COM", "LPT") for n in "0123456789¹²³")}
NAME_MAX = 80  # characters: a name from data leaves room in a deep folder under Windows' MAX_PATH


def safe_name(text: str, fallback: str = "未命名") -> str:
    """A file or folder name made from data (a village's name, a list's kind, a workspace id) that
    every file system takes and that names exactly the file it says: the characters Windows refuses
    become "_", spaces and dots at the ends go, a device name gets a "_" before it, at most NAME_MAX
    characters; `fallback` when nothing is left."""
    name = _INVALID.sub("_", unicodedata.normalize("NFC", text or "")).strip()
    name = name[:NAME_MAX].rstrip(". ").lstrip()
    if name.split(".", 1)[0].rstrip(" ").upper() in _DEVICES:
        name = "_" + name
    return name or fallback
