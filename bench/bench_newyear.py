"""Benchmark: starting a new year on the imported workspace against a fresh import of the same new list.

    python bench/bench_newyear.py [--people 1000000] [--work DIR]

Last year's workspace is the imported one (`people` from the csv) with 10% of them visited (outcomes
in turn) and a phone learned for a tenth of those. Next year's list leaves out every 20th person,
adds 5% new people and carries no phones (learned ones must stay). In alternating pairs, each in a
fresh process, encrypted:
- the fresh import of next year's list into a new workspace (the floor);
- `newyear.start_year` on a fresh copy of last year's workspace with the same list (budget: 2x the floor).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from bench_import import csv_list, generate, people_db  # noqa: E402 — beside this file
from common import (  # noqa: E402
    Row,
    Scale,
    Section,
    alternate,
    copy_workspace,
    median,
    remove_workspace,
    run_child,
    run_standalone,
    say,
)

VISITED, GONE, NEW = 0.1, 0.05, 0.05


def write_next(last: Path, nxt: Path, n: int) -> dict:
    """Next year's list: last year's without every 1/GONE-th person, plus n*NEW new people, no phones."""
    every = round(1 / GONE)
    dropped = added = 0
    seen: set[str] = set()
    with open(last, encoding="utf-8-sig", newline="") as f, open(nxt, "w", encoding="utf-8-sig", newline="") as g:
        r, w = csv.reader(f), csv.writer(g)
        w.writerow(next(r))
        for i, row in enumerate(r):
            seen.add(row[2])
            if i % every == 0:
                dropped += 1
                continue
            w.writerow([*row[:12], "", *row[13:]])
        for row in generate(n * 4, seed=9001):
            if added >= int(n * NEW):
                break
            if row[2] in seen:
                continue
            seen.add(row[2])
            added += 1
            w.writerow([*row[:12], "", *row[13:]])
    return {"gone": dropped, "new": added}


def child_visit(db: str, share: float) -> dict:
    """Record visits for a share of the people (outcomes in turn) and a phone for a tenth of them."""
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.storage.projection import coverage_year

    ws = open_workspace(db, create=False)
    year = coverage_year(ws.conn)
    step = max(1, round(1 / share))
    pids = [r[0] for r in ws.conn.execute("SELECT pid FROM persons ORDER BY pid")][::step]
    outcomes = ("refused", "migrant_informed", "not_home", "promised", "paid_on_site")
    with ws.writing("李书记") as batch:
        for i, pid in enumerate(pids):
            o = outcomes[i % len(outcomes)]
            batch.emit("visit.recorded", f"p:{pid}", {
                "outcome": o, "via": "入户", "reason": "经济困难" if o == "refused" else "",
                "promised": "2026-12-20" if o == "promised" else "", "followup": "", "note": "", "place": "",
                "photos": [], "at": "2026-10-15T10:00:00+08:00", "year": year})
            if i % 10 == 0:
                batch.emit("person.updated", f"p:{pid}", {"phone": f"139{i:08d}"[:11]})
    ws.close()
    return {"visited": len(pids)}


def child_newyear(db: str, src: str) -> dict:
    from bench_import import TogetherPeak

    from canvasser.core.lists.newyear import start_year
    from canvasser.core.storage.opening import open_workspace

    with open_workspace(db, create=False) as ws:
        ws.origin  # noqa: B018
        together = TogetherPeak()
        together.start()
        with Section() as s:
            r = start_year(ws, src)
        together.finish()
    return {"seconds": s.wall, "cpu": s.cpu - together.cpu, "again": r.again, "new": r.new, "gone": r.gone, "peak_mb": together.peak}


def measure(scale: Scale) -> list[Row]:
    last_year = scale.work / f"lastyear-{scale.people}.db"
    nxt = scale.work / f"next-{scale.people}.csv"
    if not last_year.exists():
        part = last_year.with_name(last_year.name + ".part")
        copy_workspace(people_db(scale), part)
        visited = run_child("bench_newyear", "child_visit", part, VISITED)["visited"]
        for suffix in ("", ".keys"):
            Path(str(part) + suffix).rename(str(last_year) + suffix)
        say(f"  last year: {scale.people:,} people, {visited:,} visited")
    if not nxt.exists():
        made = write_next(csv_list(scale), nxt.with_suffix(".part"), scale.people)
        nxt.with_suffix(".part").rename(nxt)
        say(f"  next year's list: {made}")
    fresh_db, run = scale.work / "newyear-fresh.db", scale.work / "newyear-run.db"
    pairs = alternate(scale.repeat, lambda: run_child("bench_import", "child_import", fresh_db, nxt),
                      lambda: run_child("bench_newyear", "child_newyear", copy_workspace(last_year, run), nxt))
    remove_workspace(fresh_db)
    remove_workspace(run)
    for fresh, roll in pairs:
        say(f"  new year: fresh import {fresh['seconds']:.1f} s (CPU {fresh['cpu']:.1f} s), new year "
            f"{roll['seconds']:.1f} s (CPU {roll['cpu']:.1f} s) = {roll['seconds'] / fresh['seconds']:.2f}x; again "
            f"{roll['again']:,}, new {roll['new']:,}, gone {roll['gone']:,}; load {roll.load}")
    ratios = [roll["seconds"] / fresh["seconds"] for fresh, roll in pairs]
    cpu = [roll["cpu"] / fresh["cpu"] for fresh, roll in pairs]
    return [Row("new_year", median(ratios), seconds=median([r["seconds"] for _, r in pairs]), cpu_value=median(cpu),
                floor=median([f["seconds"] for f, _ in pairs]), cpu=median([r["cpu"] for _, r in pairs]),
                note=f"{scale.people:,} people last year ({VISITED:.0%} visited), {pairs[0][1]['new']:,} new, "
                     f"{pairs[0][1]['gone']:,} gone; wall ratios {', '.join(f'{r:.2f}' for r in ratios)}; "
                     f"CPU {median(cpu):.2f}x; peak memory of the new year and its list reader "
                     f"{max(r['peak_mb'] for _, r in pairs):.0f} MB")]


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
