"""The township's batch work: many packages received in one action, a return package for every
village in one action, each named with its village and the day (so a clerk's folder sorts itself
and a village can tell today's package from yesterday's)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

from .. import clock
from ..errors import InputError
from ..storage.store import Workspace
from . import peers
from .package import export_package

SUFFIX = ".ccpkg"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def package_files(items: Iterable[str | Path]) -> list[Path]:
    """Files chosen or dropped: packages as they are, a folder as the packages directly in it
    (sorted by name); raises when nothing is left."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() == SUFFIX))
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]
    if not unique:
        raise InputError("所选文件夹里没有数据包（.ccpkg 文件）")
    return unique


def return_name(village: str, day: dt.date | None = None) -> str:
    """A return package's file name: 村名_回传_YYYY-MM-DD.ccpkg (characters no file system takes removed)."""
    day = day or clock.today()
    return f"{_UNSAFE.sub('', village) or '村'}_回传_{day.isoformat()}{SUFFIX}"


def export_all(ws: Workspace, folder: str | Path, day: dt.date | None = None) -> list[dict]:
    """A return package for every village set up, into `folder`; one result per village."""
    peers.require_sync(ws, "township")
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"文件夹不存在：{folder}")
    villages = [p["name"] for p in peers.village_peers(ws)]
    if not villages:
        raise InputError("还没有为任何村生成配置包，没有可发的回传包")
    return [export_package(ws, folder / return_name(v, day), village=v) for v in villages]
