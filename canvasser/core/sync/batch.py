"""The township's batch work: many packages received in one action, a return package for every
village in one action, each named with its village and the day (so a clerk's folder sorts itself
and a village can tell today's package from yesterday's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from .. import clock
from ..errors import InputError
from ..storage.files import safe_name
from ..storage.store import Workspace
from . import peers
from .package import export_package

SUFFIX = ".ccpkg"


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
    """A return package's file name: 村名_回传_YYYY-MM-DD.ccpkg (the village's name as Windows takes it)."""
    day = day or clock.today()
    return f"{safe_name(village, '村')}_回传_{day.isoformat()}{SUFFIX}"


def report_name(village: str, day: dt.date | None = None) -> str:
    """A village's package to its township: 村名_上报_YYYY-MM-DD.ccpkg."""
    day = day or clock.today()
    return f"{safe_name(village, '村')}_上报_{day.isoformat()}{SUFFIX}"


def setup_name(village: str) -> str:
    """A village's setup package: 村名_配置包.ccpkg."""
    return f"{safe_name(village, '村')}_配置包{SUFFIX}"


def export_all(ws: Workspace, folder: str | Path, day: dt.date | None = None) -> list[dict]:
    """A return package for every unit set up (a township's villages, a county's townships), into
    `folder`; one result per unit."""
    peers.require_sync(ws, "coordinator")
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"文件夹不存在：{folder}")
    units = [p["name"] for p in peers.member_peers(ws)]
    if not units:
        raise InputError(f"还没有为任何{ws.tier.below.label}生成配置包，没有可发的回传包")
    flag = "township" if ws.tier.below.unit_column == "township" else "village"
    return [export_package(ws, folder / return_name(u, day), **{flag: u}) for u in units]
