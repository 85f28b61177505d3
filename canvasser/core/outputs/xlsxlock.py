"""Saving a workbook that holds full ID numbers, optionally with an open password.

The password makes an ECMA-376 "agile" encrypted package (AES-256, SHA-512; what Excel 2010+ and
WPS write and open), made by `officecrypt`. The workbook is built in memory and encrypted
before anything reaches the disk, so no plain copy is ever written, not even a temporary one.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from openpyxl import Workbook

from ..errors import InputError
from ..storage import files

MIN_PASSWORD = 6


def check_password(password: str | None) -> str | None:
    if password is None:
        return None
    if len(password) < MIN_PASSWORD:
        raise InputError(f"文件打开密码至少要 {MIN_PASSWORD} 个字符")
    return password


def save(wb: Workbook, out: Path, password: str | None = None) -> None:
    """Write `wb` to `out` atomically (beside it, then renamed); encrypted when a password is given."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        if password:
            from .officecrypt import encrypt

            plain = io.BytesIO()
            wb.save(plain)
            with open(tmp, "wb") as f:
                f.write(encrypt(password, plain.getvalue()))
            plain.close()
        else:
            wb.save(tmp)
        files.replace(tmp, out)  # refused cleanly when the file is open in Excel/WPS on Windows
    finally:
        if tmp.exists():
            tmp.unlink()

