"""The `.ccpkg` file layout: a signed envelope around encrypted parts.

    magic      8 bytes  b"CCPKG1\\r\\n"
    header     u32 length + JSON (ASCII only: ids, key fingerprints, dates — never personal data)
    parts      u32 count, then per part: u16 name length + name, u64 length + bytes (ciphertext)
    signature  64 bytes  Ed25519 over every byte before it

Every byte is covered by the signature, so any change, a cut or appended bytes are refused before
anything is decrypted. Parsing is strict: lengths must add up exactly.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..storage import bounds, files

MAGIC = b"CCPKG1\r\n"
SIG_SIZE = 64
MAX_HEADER = 1 << 20
MAX_PACKAGE = 2 << 30  # a county's package of three million events is a few hundred MB
SEAL_OVERHEAD = 64  # a sealed part's nonce and tag
PART_LIMITS = {"key": 1 << 10, "manifest": 16 << 20}  # and photos: bounds.PHOTO_MAX each


class PackageError(InputError):
    """A package that cannot be accepted (damaged, altered, foreign, revoked); nothing was changed."""


@dataclass
class Container:
    header: dict
    parts: dict[str, bytes]
    signed: bytes
    signature: bytes


def encode(header: dict, parts: dict[str, bytes], sign: Callable[[bytes], bytes]) -> bytes:
    head = json.dumps(header, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode("ascii")
    chunks = [MAGIC, struct.pack(">I", len(head)), head, struct.pack(">I", len(parts))]
    for name, data in parts.items():
        raw = name.encode("ascii")
        chunks += [struct.pack(">H", len(raw)), raw, struct.pack(">Q", len(data)), data]
    body = b"".join(chunks)
    signature = sign(body)
    if len(signature) != SIG_SIZE:
        raise ValueError("signature must be 64 bytes")
    return body + signature


def write(path: str | Path, header: dict, parts: dict[str, bytes], sign: Callable[[bytes], bytes]) -> int:
    """Write atomically (a half-written file never carries the final name); returns the size."""
    data = encode(header, parts, sign)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        files.replace(tmp, path)
    except BaseException:  # a full disk: no half-written .part left behind
        tmp.unlink(missing_ok=True)
        raise
    return len(data)


def _damaged(detail: str) -> PackageError:
    return PackageError(f"数据包已损坏或不完整（{detail}），未导入任何内容。请让对方重新导出后再接收")


def parse(data: bytes) -> Container:
    if not data.startswith(MAGIC):
        raise PackageError("这不是本程序的数据包（.ccpkg），或文件已损坏，未导入任何内容")
    if len(data) < len(MAGIC) + 8 + SIG_SIZE:
        raise _damaged("文件过短")
    pos = len(MAGIC)

    def take(n: int) -> bytes:
        nonlocal pos
        if n < 0 or pos + n > len(data) - SIG_SIZE:
            raise _damaged("长度不符")
        out = data[pos:pos + n]
        pos += n
        return out

    (hlen,) = struct.unpack(">I", take(4))
    if hlen > MAX_HEADER:
        raise _damaged("头部长度异常")
    try:
        header = json.loads(take(hlen).decode("ascii"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged("头部无法读取") from exc
    if not isinstance(header, dict):
        raise _damaged("头部格式不对")
    (count,) = struct.unpack(">I", take(4))
    parts: dict[str, bytes] = {}
    for _ in range(count):
        (nlen,) = struct.unpack(">H", take(2))
        try:
            name = take(nlen).decode("ascii")
        except UnicodeDecodeError as exc:
            raise _damaged("内容名称无法读取") from exc
        (size,) = struct.unpack(">Q", take(8))
        if name in parts:
            raise _damaged("内容重复")
        limit = bounds.PHOTO_MAX if name.startswith("photo.") else PART_LIMITS.get(name)
        if limit is not None and size > limit + SEAL_OVERHEAD:
            raise PackageError(f"数据包中的“{name}”有 {size >> 20} MB，超过上限（{limit >> 20 or 1} MB），"
                               "未导入任何内容")
        parts[name] = take(size)
    if pos != len(data) - SIG_SIZE:
        raise _damaged("长度不符")
    return Container(header, parts, data[:pos], data[pos:])


def read(path: str | Path) -> Container:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"找不到数据包文件：{path}")
    if path.stat().st_size > MAX_PACKAGE:
        raise PackageError(f"数据包文件 {path.name} 有 {path.stat().st_size >> 20} MB，超过上限"
                           f"（{MAX_PACKAGE >> 20} MB），未导入任何内容")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取数据包文件：{path}：{exc}") from exc
    return parse(data)
