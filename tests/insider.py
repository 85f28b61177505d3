"""A village with its own real key that tries to speak for another (no tests here): forged packages.

`forge` writes an update package exactly as `export_package` does — encrypted to the township,
signed with the village's real key — but with whatever events, replica and acknowledgements the
insider chooses, so the township's defences are tested against a package only its content betrays.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zlib
from pathlib import Path

import orjson

from canvasser.core.storage.store import Workspace, now_iso
from canvasser.core.sync import container, crypto, merge, package, peers


def forge(ws: Workspace, out: Path, rows: list, *, replica: str | None = None, acks: dict | None = None,
          blob: bytes | None = None, photos: dict[str, bytes] | None = None) -> Path:
    """A package from village `ws` to its township carrying `rows` (wire rows), naming `replica`
    (default: its own origin) and `acks` (default: what it really holds)."""
    town = peers.township_peer(ws)
    keys = peers.own_keys(ws)
    key = crypto.new_key()
    blob = package.encode_rows(rows) if blob is None else blob
    photos = photos or {}
    photo_parts = {f"photo.{i:04d}": name for i, name in enumerate(sorted(photos))}
    package_id = uuid.uuid4().hex
    manifest = {
        "format": package.FORMAT, "version": package.VERSION, "kind": "update", "package_id": package_id,
        "created": now_iso(),
        "sender": {"id": peers.self_id(ws), "name": peers.display_name(ws), "mode": ws.mode,
                   "replica": replica or ws.origin},
        "receiver": {"id": town["peer"], "name": town["name"]},
        "counts": {"events": len(rows), "photos": len(photos), "missing_photos": 0, "kinds": {}},
        "hashes": {"events": hashlib.sha256(blob).hexdigest(),
                   "photos": {p: hashlib.sha256(photos[n]).hexdigest() for p, n in photo_parts.items()}},
        "photos": photo_parts,
        "acks": peers.have_ranges(ws) if acks is None else acks,
    }
    parts = {"key": crypto.seal_key(key, town["keys"]),
             "manifest": crypto.seal(key, json.dumps(manifest, ensure_ascii=False).encode("utf-8")),
             "events": crypto.seal(key, blob)}
    for part, name in photo_parts.items():
        parts[part] = crypto.seal(key, photos[name])
    h = package.header("update", package_id, manifest["sender"]["id"], keys.public.key_id, town["peer"],
                       town["keys"].key_id)
    container.write(out, h, parts, keys.sign)
    return out


def visit_row(origin: str, seq: int, pid: str, outcome: str = "dead", author: str = "冒名者",
              hlc: str = "1790000000000.00000", village: str = "") -> list:
    """One visit.recorded wire row under any origin and sequence number the insider likes."""
    payload = orjson.dumps({"outcome": outcome, "via": "入户", "reason": "", "promised": "", "followup": "",
                            "note": "", "place": "", "photos": [], "at": "2026-11-20T10:00:00+08:00",
                            "year": 2027}).decode()
    return [uuid.uuid4().hex, origin, seq, hlc, "visit.recorded", f"p:{pid}", payload, author, now_iso(), village]


def next_seq(ws: Workspace, origin: str) -> int:
    return (ws.scalar("SELECT max(seq) FROM events WHERE origin=?", (origin,)) or 0) + 1


def own_rows(ws: Workspace) -> list:
    """Everything the village holds, as wire rows (what an honest full re-send would carry)."""
    return [list(r) for r in merge.event_rows(ws)]


def bomb(size: int = 512 << 20) -> bytes:
    """A zlib stream of `size` zero bytes: about a thousandth of that on disk."""
    c = zlib.compressobj(9)
    chunk = bytes(64 << 20)
    parts = [c.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(parts) + c.flush()
