"""Benchmark: the county merges 20 township packages (DESIGN §9: 3,000,000 events <= 60 s; all again
<= 5 s; the county report <= 2 s), encrypted.

    python bench/bench_county.py [--people 1000000] [--work DIR]

Needs the county tier (issue 31: `canvasser init --county`, DESIGN §8). Until it exists this bench
is skipped with that reason, and `bench/all.py` says so in its table. With it: a county workspace
takes a list of `people` across 20 townships; each township is made from the county's setup package
(with its code, through the CLI as a clerk would), records `people × 3 / 20` events (visits and
edits, as its villages' packages would bring them) and exports its package up; then, in a fresh
process on a fresh copy of the county, the 20 packages are received in one call (timed), received
again (timed), and the county's report is made (its index made first, once; the median of 3).

The merge's floor, measured after it: SQLCipher alone making the merge's writes (`child_write_floor`)
— the new event rows, the visit rows and the changed persons rows, copied by SQL (no Python a row)
from the merged copy into a fresh copy of the county with all its indexes and the merge's page
cache, reading them from the other file taken off. No merge that keeps these tables can be cheaper.
`bench/bench_county_floors.py` (issue 31) measures the county with its own floors, standalone.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from bench_import import HEADER, generate  # noqa: E402 — beside this file
from common import (  # noqa: E402
    CHILD_ENCODING,
    Row,
    Scale,
    Section,
    Skip,
    child_env,
    copy_workspace,
    remove_workspace,
    run_child,
    run_standalone,
    say,
)

TOWNSHIPS = 20
CODE = "QS7K-2M9P-XT4D-8RWA"


def county_mode() -> str:
    """'' when the county tier exists, else why the county rows are skipped."""
    r = subprocess.run([sys.executable, "-m", "canvasser", "init", "--help"], capture_output=True,
                       encoding=CHILD_ENCODING, errors="replace", env=child_env(), cwd=BENCH.parent)
    if "--county" not in r.stdout:
        return "the county tier (issue 31) is not built yet: `canvasser init` has no --county (DESIGN §8)"
    return ""


def cli(*args) -> dict:
    r = subprocess.run([sys.executable, "-m", "canvasser", *map(str, args), "--json"], capture_output=True,
                       encoding=CHILD_ENCODING, errors="replace", env=child_env(), cwd=BENCH.parent)
    if r.returncode:
        raise RuntimeError(f"canvasser {' '.join(map(str, args[:3]))} failed: {r.stderr[-1500:]}")
    return json.loads(r.stdout)


def write_list(path: Path, people: int) -> list[str]:
    """The county's list: `people` across TOWNSHIPS townships (their villages as the generator makes them)."""
    names = [f"第{t + 1:02d}镇" for t in range(TOWNSHIPS)]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        seen: set[str] = set()
        for i, r in enumerate(generate(people * 2, seed=31)):
            if r[2] in seen:
                continue
            seen.add(r[2])
            r[6] = names[i * TOWNSHIPS // people] if i < people else names[-1]
            w.writerow(r)
            if len(seen) >= people:
                break
    return names


def child_record(db: str, events: int) -> dict:
    from bench_sync import record

    from canvasser.core.storage.opening import open_workspace

    with open_workspace(db, create=False) as ws:
        pids = [r[0] for r in ws.conn.execute("SELECT pid FROM persons")]
        record(ws, pids, events, random.Random(hash(db) % 1000))
    return {"events": events}


def child_merge(db: str, ups: list[str]) -> dict:
    from canvasser.core.rules import reports
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.sync import receive_packages

    with open_workspace(db, create=False) as ws:
        with Section() as first:
            merged = receive_packages(ws, ups)
        with Section() as again:
            repeat = receive_packages(ws, ups)
        with Section() as index:
            reports.figures(ws)  # the county's index, made once on first use (not a report's cost)
        made = []
        for _ in range(3):
            with Section() as report:
                reports.make_report(ws, save=False)
            made.append(report)
    report = sorted(made, key=lambda r: r.wall)[1]
    return {"merge": first.wall, "merge_cpu": first.cpu, "applied": sum(r["applied"] for r in merged),
            "again": again.wall, "again_cpu": again.cpu, "again_applied": sum(r["applied"] for r in repeat),
            "report": report.wall, "report_cpu": report.cpu, "report_index": index.wall}


def child_write_floor(merged: str, fresh: str) -> dict:
    """SQLCipher alone making the merge's writes into `fresh` (the county before the merge): the new
    events, every visit row and the persons rows the merge changed, from `merged` by SQL, with the
    merge's page cache; reading them from the other file is timed alone and taken off."""
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.storage.sqlcipher import attach
    from canvasser.core.sync.package import MERGE_CACHE_MB

    src = open_workspace(merged, create=False)
    key = src.key
    src.close()
    ws = open_workspace(fresh, create=False)
    conn = ws.conn
    conn.execute(f"PRAGMA cache_size=-{MERGE_CACHE_MB * 1024}")
    attach(conn, merged, "m", key)
    events_after = conn.execute("SELECT coalesce(max(rowid), 0) FROM main.events").fetchone()[0]
    visits_after = conn.execute("SELECT coalesce(max(rowid), 0) FROM main.visits").fetchone()[0]
    since = conn.execute("SELECT coalesce(max(updated_hlc), '') FROM main.persons").fetchone()[0]
    cols = [r[1] for r in conn.execute("PRAGMA main.table_info(persons)") if r[1] != "pid"]
    changed = f"SELECT rowid AS r, {', '.join(cols)} FROM m.persons WHERE updated_hlc > ?"
    steps: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(label: str, sql: str, params: tuple = ()) -> None:
        with Section() as s:
            conn.execute(sql, params).fetchall()
        steps[label], cpu[label] = s.wall, s.cpu

    timed("read", f"SELECT (SELECT count(*) FROM (SELECT * FROM m.events WHERE rowid > {events_after})), "
                  f"(SELECT count(*) FROM (SELECT * FROM m.visits WHERE rowid > {visits_after})), "
                  f"(SELECT count(*) FROM ({changed}))", (since,))
    conn.execute("BEGIN IMMEDIATE")
    timed("events", f"INSERT INTO main.events SELECT * FROM m.events WHERE rowid > {events_after}")
    timed("visits", f"INSERT INTO main.visits SELECT * FROM m.visits WHERE rowid > {visits_after}")
    timed("persons", f"UPDATE main.persons SET ({', '.join(cols)}) = ({', '.join('s.' + c for c in cols)}) "
                     f"FROM ({changed} ORDER BY 1) AS s WHERE main.persons.rowid = s.r", (since,))
    rows = {"events": conn.execute(f"SELECT count(*) FROM m.events WHERE rowid > {events_after}").fetchone()[0],
            "visits": conn.execute(f"SELECT count(*) FROM m.visits WHERE rowid > {visits_after}").fetchone()[0],
            "persons": conn.execute(f"SELECT count(*) FROM ({changed})", (since,)).fetchone()[0]}
    timed("commit", "COMMIT")
    ws.close()
    return {"floor": sum(v for k, v in steps.items() if k != "read") - steps["read"],
            "floor_cpu": sum(v for k, v in cpu.items() if k != "read") - cpu["read"], "steps": steps, "rows": rows}


def build(scale: Scale) -> tuple[Path, list[str]]:
    folder = scale.work / f"county-{scale.people}"
    done = folder / "built.json"
    if done.exists():
        return folder / "county.db", json.loads(done.read_text(encoding="utf-8"))["ups"]
    folder.mkdir(parents=True, exist_ok=True)
    county = folder / "county.db"
    names = write_list(folder / "county.csv", scale.people)
    cli("init", "--db", county, "--county", "某某县")
    cli("import-roster", "--db", county, folder / "county.csv")
    ups = []
    for t, name in enumerate(names):
        setup, town = folder / f"setup-{t}.ccpkg", folder / f"t{t}.db"
        cli("setup-package", "--db", county, "--township", name, "--out", setup, "--code", CODE)
        cli("init", "--db", town, "--from", setup, "--code", CODE)
        run_child("bench_county", "child_record", town, scale.county_events // TOWNSHIPS)
        cli("export", "--db", town, "--out", folder / f"up-{t}.ccpkg")
        remove_workspace(town)
        ups.append(str(folder / f"up-{t}.ccpkg"))
    done.write_text(json.dumps({"ups": ups}), encoding="utf-8")
    return county, ups


def measure(scale: Scale) -> list[Row | Skip]:
    why = county_mode()
    if why:
        return [Skip("county_merge", why), Skip("county_again", why), Skip("county_report", why)]
    county, ups = build(scale)
    run = copy_workspace(county, scale.work / "county-run.db")
    r = run_child("bench_county", "child_merge", run, ups)
    fresh = copy_workspace(county, scale.work / "county-fresh.db")
    f = run_child("bench_county", "child_write_floor", run, fresh)
    remove_workspace(run)
    remove_workspace(fresh)
    say(f"  county merge {r['applied']:,} events: {r['merge']:.1f} s (CPU {r['merge_cpu']:.1f} s), again "
        f"{r['again']:.1f} s, report {r['report']:.2f} s (its index once {r['report_index']:.1f} s); load {r.load}")
    say(f"  the merge's writes by SQLCipher alone: {f['floor']:.1f} s (CPU {f['floor_cpu']:.1f} s) {f['rows']} "
        f"{ {k: round(v, 1) for k, v in f['steps'].items()} }; load {f.load}")
    floor = f["floor_cpu"] if f.load >= (os.cpu_count() or 1) else f["floor"]
    return [Row("county_merge", r["merge"], seconds=r["merge"], floor=f["floor"], cpu=r["merge_cpu"],
                cpu_value=r["merge_cpu"], reach=floor,
                note=f"{r['applied']:,} events from {TOWNSHIPS} township packages; its writes ({f['rows']['events']:,} "
                     f"events, {f['rows']['visits']:,} visits, {f['rows']['persons']:,} persons rows) by SQLCipher "
                     f"alone take {f['floor']:.1f} s ({f['floor_cpu']:.1f} s CPU)"),
            Row("county_again", r["again"], seconds=r["again"], cpu_value=r["again_cpu"], note=f"{r['again_applied']} applied the second time"),
            Row("county_report", r["report"], seconds=r["report"], cpu_value=r["report_cpu"],
                note=f"the median of 3; the county's report index made once before ({r['report_index']:.1f} s)")]


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
