"""Replacing a finished file, the way Windows allows it.

Every output (ledger, report, PDF, package, backup) is written beside its target and renamed over it
only when complete, so a failure never leaves half a file under the real name. On Windows a file that
another program has open (a ledger open in WPS or Excel, a PDF in a reader, a backup open elsewhere)
cannot be replaced: the rename fails. That is then a clean refusal: the partial file is removed, the
old file is untouched, and the message says which file to close.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..errors import InputError


class FileInUse(InputError):
    """The target is open in another program (Windows); nothing was changed."""


def replace(part: str | Path, target: str | Path) -> None:
    """Rename the finished `part` over `target`; FileInUse if the target cannot be replaced."""
    try:
        os.replace(part, target)
    except PermissionError as exc:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise FileInUse(f"无法替换“{Path(target).name}”：它正被其他程序打开（如 WPS、Excel、PDF 阅读器），"
                        f"或文件夹不允许写入。请关闭该文件后再试，原文件未改动。") from exc
