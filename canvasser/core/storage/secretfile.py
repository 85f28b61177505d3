"""Reading a passphrase or password from a file (`--passphrase-file`, `--password-file`)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError


def read_secret(path: str | Path, what: str) -> str:
    """The file's first line, without its line end; a missing or empty file is bad input."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取{what}文件：{path}") from exc
    lines = text.splitlines()
    secret = lines[0].strip("\r\n") if lines else ""
    if not secret.strip():
        raise InputError(f"{what}文件是空的：{path}")
    return secret
