"""Evidence photos travelling with the visits that reference them (named sha256 + suffix)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ..rules.visits import evidence_dir, is_photo_name
from ..storage import bounds, evidence
from ..storage.store import Event, Workspace, now_iso
from .container import PackageError


def referenced(events: Iterable[Event]) -> list[str]:
    names: set[str] = set()
    for ev in events:
        if ev.kind == "visit.recorded":
            names.update(ev.payload.get("photos") or [])
    return sorted(names)


def collect(ws: Workspace, names: list[str]) -> tuple[dict[str, bytes], list[str]]:
    """The photo files this workspace has for `names`, and the names it lacks."""
    folder = evidence_dir(ws)
    found, missing = {}, []
    for name in names:
        path = folder / name
        if is_photo_name(name) and path.is_file():
            found[name] = evidence.unseal(ws.key, path.read_bytes())
        else:
            missing.append(name)
    return found, missing


def check(photos: dict[str, bytes], events: Iterable[Event] = ()) -> None:
    """Each photo matches its name, is within its size (bounds.PHOTO_MAX) and travels with a visit of
    the same package that refers to it: a photo nobody's visit names is no evidence of anything."""
    wanted = set(referenced(events))
    for name, data in photos.items():
        if not is_photo_name(name):
            raise PackageError("数据包中有名称不合规的照片文件，整个数据包未导入")
        if len(data) > bounds.PHOTO_MAX:
            raise PackageError(f"数据包中有一张 {len(data) >> 20} MB 的照片，超过上限（{bounds.PHOTO_MAX >> 20} MB），"
                               "整个数据包未导入")
        if hashlib.sha256(data).hexdigest() != name.split(".", 1)[0]:
            raise PackageError("数据包中的照片与其校验值不符（文件被改动），整个数据包未导入")
        if name not in wanted:
            raise PackageError("数据包中有一张照片没有随任何走访记录（不是证明材料），整个数据包未导入")


def save(ws: Workspace, photos: dict[str, bytes]) -> int:
    """Write received photos (content-addressed, so writing twice is harmless); returns new files."""
    folder = evidence_dir(ws)
    new = 0
    for name, data in photos.items():
        target = folder / name
        if not target.exists():
            evidence.write(ws.key, target, data)
            new += 1
        digest, suffix = name.split(".", 1)
        ws.conn.execute("INSERT OR IGNORE INTO evidence VALUES (?,?,?,?)", (digest, "." + suffix, len(data), now_iso()))
    return new
