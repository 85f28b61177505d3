"""Shared builders for the county tests (no tests here): a small county of two townships, each with
two villages, one village name (杨柳村) in both, townships made from the county's setup packages."""

from __future__ import annotations

from pathlib import Path

from canvasser.core.lists.roster import import_roster
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import Workspace
from canvasser.core.sync import init_county, init_village, make_setup_package
from tests.fixtures import TODAY, rows, write_csv

COUNTY = "某某县"
TOWNSHIPS = {"东岳镇": ("杨柳村", "青石社区"), "西山镇": ("杨柳村", "桃源村")}  # the same 杨柳村 name twice


def county_rows(households: int = 3) -> list[dict]:
    """The county's list: every village of every township, 户编号 unique county-wide."""
    out, seen = [], set()
    for t, (township, villages) in enumerate(TOWNSHIPS.items()):
        for i, village in enumerate(villages):
            for r in rows(seed=40 + 7 * t + i, households=households, village=village):
                if r["公民身份号码"] in seen:
                    continue
                seen.add(r["公民身份号码"])
                out.append({**r, "乡镇（街道）": township, "户编号": f"5103{t:02d}{i:02d}{r['户编号'][-6:]}"})
    return out


def make_county(tmp: Path, households: int = 3) -> tuple[Workspace, list[dict]]:
    people = county_rows(households)
    src = write_csv(tmp / "county.csv", people)
    ws = open_workspace(tmp / "county.db")
    init_county(ws, COUNTY)
    import_roster(ws, src, today=TODAY)
    return ws, people


def make_township(county: Workspace, tmp: Path, township: str) -> Workspace:
    setup = tmp / f"setup-{township}.ccpkg"
    make_setup_package(county, township, setup, no_code=True)
    init_village(tmp / f"{township}.db", setup)
    return open_workspace(tmp / f"{township}.db")


def make_village(town: Workspace, tmp: Path, village: str) -> Workspace:
    township = town.meta("township")
    setup = tmp / f"setup-{township}-{village}.ccpkg"
    make_setup_package(town, village, setup, no_code=True)
    init_village(tmp / f"{township}-{village}.db", setup)
    return open_workspace(tmp / f"{township}-{village}.db")


def ids_in(people: list[dict], township: str, village: str | None = None) -> list[str]:
    return [p["公民身份号码"] for p in people
            if p["乡镇（街道）"] == township and (village is None or p["村（社区）"] == village)]
