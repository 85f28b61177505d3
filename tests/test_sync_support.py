"""Shared builders for the sync tests (no tests here): a small township, its villages, packages."""

from __future__ import annotations

from pathlib import Path

from canvasser.core.lists.roster import import_roster
from canvasser.core.storage import integrity
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import Workspace
from canvasser.core.sync import (
    export_package,
    init_township,
    init_village,
    make_setup_package,
    receive_package,
)
from tests.fixtures import TODAY, rows, write_csv

VILLAGES = ("青石社区", "杨柳村", "桃源村")
TOWNSHIP = "某某镇"


def township_rows(households: int = 5, villages: tuple[str, ...] = VILLAGES) -> list[dict]:
    out, seen = [], set()
    for i, village in enumerate(villages):
        for r in rows(seed=20 + i, households=households, village=village):
            if r["公民身份号码"] not in seen:
                seen.add(r["公民身份号码"])
                # 户编号 are unique county-wide: give each village its own range
                out.append({**r, "户编号": f"51032110{i:02d}{r['户编号'][-5:]}"})
    return out


def write_township_csv(path: Path, households: int = 5) -> tuple[Path, list[dict]]:
    people = township_rows(households)
    return write_csv(path, people), people


def make_township(tmp: Path, households: int = 5) -> tuple[Workspace, list[dict]]:
    csv_path, people = write_township_csv(tmp / "township.csv", households)
    ws = open_workspace(tmp / "t.db")
    init_township(ws, TOWNSHIP)
    import_roster(ws, csv_path, today=TODAY)
    return ws, people


def make_village(town: Workspace, tmp: Path, village: str, code: str | None = None) -> Workspace:
    setup = tmp / f"setup-{village}.ccpkg"
    make_setup_package(town, village, setup, code=code, no_code=code is None)
    init_village(tmp / f"{village}.db", setup, code=code)
    return open_workspace(tmp / f"{village}.db")


def ids_of(people: list[dict], village: str) -> list[str]:
    return [p["公民身份号码"] for p in people if p["村（社区）"] == village]


def send(src: Workspace, dst: Workspace, path: Path, village: str | None = None) -> dict:
    export_package(src, path, village=village)
    return receive_package(dst, path)


def digests(ws: Workspace) -> tuple:
    """Everything a receive may change that people see, to prove a refused package changed nothing."""
    return (integrity.state_digest(ws), ws.event_count(),
            ws.scalar("SELECT count(*) FROM receipts"), ws.scalar("SELECT group_concat(ranges) FROM peer_acks"))
