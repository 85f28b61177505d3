"""Benchmark: starting a new year on a township workspace against a fresh import of the same new list.

    python bench/bench_newyear.py [--rows 1000000] [--visited 0.1] [--gone 0.05] [--new 0.05] [--keep DIR]

Builds last year's workspace (the list imported, a share of the people visited, some phones learned),
then times, each in a child process:
- the fresh import of next year's list into an empty workspace (the baseline);
- `newyear.start_year` on last year's workspace with the same list (budget: 2 x the baseline);
and `check` is not run (it replays the whole log: minutes at a million people; tests cover it).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import HEADER, generate, unique_ids  # noqa: E402 — beside this file


def write_lists(folder: Path, n: int, gone: float, new: float) -> tuple[Path, Path, int, int]:
    """Last year's list of n people; next year's without every 1/gone-th, plus n*new people more."""
    last, nxt = folder / "last.csv", folder / "next.csv"
    every = max(2, round(1 / gone)) if gone else 0
    n_new = int(n * new)
    dropped = 0
    rows = list(unique_ids(generate(n + n_new)))
    with open(last, "w", encoding="utf-8-sig", newline="") as f1, open(nxt, "w", encoding="utf-8-sig", newline="") as f2:
        w1, w2 = csv.writer(f1), csv.writer(f2)
        w1.writerow(HEADER)
        w2.writerow(HEADER)
        for i, r in enumerate(rows):
            if i < n:
                w1.writerow(r)
                if every and i % every == 0:
                    dropped += 1
                    continue
            w2.writerow([*r[:12], "", *r[13:]])  # the new list has no phones: learned ones must stay
    return last, nxt, dropped, len(rows) - n


def child(kind: str, db: str, src: str) -> None:
    from canvasser.core.lists.roster import import_roster
    from canvasser.core.storage.opening import open_workspace
    ws = open_workspace(db)
    t0 = time.perf_counter()
    if kind == "fresh":
        res = import_roster(ws, src).as_json()
        out = {"imported": res["imported"]}
    else:
        from canvasser.core.lists.newyear import start_year
        r = start_year(ws, src)
        out = {"again": r.again, "new": r.new, "gone": r.gone}
    out["seconds"] = round(time.perf_counter() - t0, 2)
    ws.close()
    print(json.dumps(out))


def visit_some(db: Path, share: float) -> int:
    """Record visits for a share of the people (outcomes in turn) and a phone for a tenth of them."""
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.storage.projection import coverage_year
    ws = open_workspace(db)
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
    return len(pids)


def run_child(kind: str, db: Path, src: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(db), str(src)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--visited", type=float, default=0.1)
    ap.add_argument("--gone", type=float, default=0.05)
    ap.add_argument("--new", type=float, default=0.05)
    ap.add_argument("--keep", help="folder to build in and keep (default: a temporary one)")
    ap.add_argument("--child", nargs=3)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-newyear-"))
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    last, nxt, dropped, added = write_lists(folder, args.rows, args.gone, args.new)
    print(f"lists written ({args.rows} people last year, {dropped} gone, {added} new): "
          f"{time.perf_counter() - t0:.1f} s")
    township = folder / "township.db"
    first = run_child("fresh", township, last)
    print(f"last year's list imported: {first['seconds']} s")
    t0 = time.perf_counter()
    visited = visit_some(township, args.visited)
    print(f"{visited} people visited last year: {time.perf_counter() - t0:.1f} s")
    fresh = run_child("fresh", folder / "fresh.db", nxt)
    print(f"baseline: a fresh import of next year's list ({fresh['imported']} people): {fresh['seconds']} s")
    roll = run_child("newyear", township, nxt)
    ratio = roll["seconds"] / fresh["seconds"]
    print(f"new year on last year's workspace (again {roll['again']}, new {roll['new']}, gone {roll['gone']}): "
          f"{roll['seconds']} s = {ratio:.2f} x the fresh import (budget 2.00 x) "
          f"{'OK' if ratio <= 2 else 'OVER BUDGET'}")
    assert (roll["new"], roll["gone"]) == (added, dropped), roll
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

