"""Evidence photos at rest: sealed with a key derived from the workspace's data key.

A photo of a death certificate or a disability card is as sensitive as the row it proves. Each file
in `X.evidence/` keeps its name (the SHA-256 of the photo and its suffix: visits refer to it) and
holds the photo sealed (SecretBox) under BLAKE2b(data key, "evidence"). Files of a plain workspace
(the demo, or from before encryption) are plain and are sealed when the workspace is converted.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from . import oslock

MAGIC = b"CVEV1\x00"
PENDING = "evidence_to_seal"  # meta key: a converted workspace's photos are still plain (sealed at its next open)


def folder(db_path: Path) -> Path:
    """The evidence photos of the workspace at `db_path`: a folder beside it (村.evidence)."""
    return db_path.with_name(db_path.stem + ".evidence")


def _box(key: bytes) -> SecretBox:
    return SecretBox(hashlib.blake2b(b"canvasser-evidence", key=key, digest_size=32).digest())


def seal(key: bytes | None, data: bytes) -> bytes:
    return data if key is None else MAGIC + bytes(_box(key).encrypt(data))


def unseal(key: bytes | None, blob: bytes) -> bytes:
    """The photo's bytes (a plain file is returned as it is); raises CryptoError if tampered."""
    if not blob.startswith(MAGIC):
        return blob
    if key is None:
        raise CryptoError("证明材料已加密，但工作区没有密钥")
    return _box(key).decrypt(blob[len(MAGIC):])


def write(key: bytes | None, target: Path, data: bytes) -> None:
    """Written beside and renamed (content-addressed: a second write of the same photo is harmless)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with oslock.claimed(tmp):  # a sweep at the next start leaves a photo being written alone
        tmp.write_bytes(seal(key, data))
    tmp.replace(target)


def seal_folder(folder: Path, key: bytes) -> int:
    """Seal the plain photos of a workspace just converted; returns how many."""
    n = 0
    if not folder.is_dir():
        return 0
    for f in folder.iterdir():
        if f.is_file() and not f.name.endswith(".part"):
            blob = f.read_bytes()
            if not blob.startswith(MAGIC):
                write(key, f, blob)
                n += 1
    return n
