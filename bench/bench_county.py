"""Benchmark: the county merges 20 township packages (DESIGN §9: 3,000,000 events <= 60 s; all again
<= 5 s; the county report <= 2 s), encrypted.

    python bench/bench_county.py [--people 1000000] [--work DIR]

Needs the county tier (issue 31: `canvasser init --county`, DESIGN §8). Until it exists this bench
is skipped with that reason, and `bench/all.py` says so in its table. With it: a county workspace
takes a list of `people` across 20 townships; each township is made from the county's setup package
(with its code, through the CLI as a clerk would), records `people × 3 / 20` events (visits and
edits, as its villages' packages would bring them) and exports its package up; then, in a fresh
process on a fresh copy of the county, the 20 packages are received in one call (timed), received
again (timed), and the county's report is made (timed).
"""

from __future__ import annotations

import csv
import json
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
        with Section() as report:
            reports.make_report(ws, save=False)
    return {"merge": first.wall, "merge_cpu": first.cpu, "applied": sum(r["applied"] for r in merged),
            "again": again.wall, "again_cpu": again.cpu, "again_applied": sum(r["applied"] for r in repeat),
            "report": report.wall, "report_cpu": report.cpu}


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
    remove_workspace(run)
    say(f"  county merge {r['applied']:,} events: {r['merge']:.1f} s, again {r['again']:.1f} s, report "
        f"{r['report']:.2f} s; load {r.load}")
    return [Row("county_merge", r["merge"], seconds=r["merge"], cpu=r["merge_cpu"], cpu_value=r["merge_cpu"],
                note=f"{r['applied']:,} events from {TOWNSHIPS} township packages"),
            Row("county_again", r["again"], seconds=r["again"], cpu_value=r["again_cpu"], note=f"{r['again_applied']} applied the second time"),
            Row("county_report", r["report"], seconds=r["report"], cpu_value=r["report_cpu"])]


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
