"""Every bench at one scale, on encrypted workspaces, as one table (DESIGN §9).

    python bench/all.py [--people 100000|1000000] [--quick] [--json] [--only NAME,...] [--work DIR]

`--quick` is 10,000 people (CI runs it so that no bench can rot). Each work runs in fresh processes,
alternating with its floor where it has one (and with the same work on a plain workspace for the
encrypted-vs-plain rows), the median of `--repeat` (at least 3) pairs. The table has one row per
budget (`bench/budgets.py`, the same figures as docs/DESIGN.md §9): the work, its floor's seconds,
the ratio, the work's seconds, the figure judged, the budget, whether it is met, and the load
average when it was measured. `--json` prints {"rows": [{"work", "floor", "ratio", "seconds",
"budget", "met", ...}], "skipped": [...], "failed": [...], "load": ...} instead. A budget whose own
floor is over it is "floor over budget" (not met, but not a regression of this code); the exit
status is 1 when any budget is missed otherwise. A bench that fails (an error, a wrong result) is
reported with its traceback and the others still run (a million-people run takes most of an hour);
then the exit status is 2.

Benches: import (xlsx vs calamine; csv vs the write floor, alone and its memory; encrypted vs plain),
search, window, notices, merge, match, newyear, report, bombs (issue 33's hostile files refused),
county (skipped until the county tier exists).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from common import Row, Scale, Skip, as_rows, load, say, table, use_folder  # noqa: E402 — beside this file

BENCHES = ("import", "search", "window", "notices", "merge", "match", "newyear", "report", "bombs", "county")
MODULES = {"import": "bench_import", "search": "bench_search", "window": "bench_gui", "notices": "bench_notices",
           "merge": "bench_sync", "match": "bench_match", "newyear": "bench_newyear", "report": "bench_report",
           "bombs": "bench_bombs", "county": "bench_county"}
QUICK = 10_000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=100_000, help="the scale: 100000 or 1000000 (default 100000)")
    ap.add_argument("--quick", action="store_true", help=f"{QUICK:,} people (CI)")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    ap.add_argument("--only", help="comma-separated benches: " + ",".join(BENCHES))
    ap.add_argument("--repeat", type=int, default=3, help="pairs per figure (at least 3)")
    ap.add_argument("--work", help="folder for generated lists and workspaces (kept and reused; default: a "
                                   "temporary one, removed at the end)")
    args = ap.parse_args()
    people = QUICK if args.quick else args.people
    only = [b.strip() for b in args.only.split(",")] if args.only else list(BENCHES)
    unknown = [b for b in only if b not in BENCHES]
    if unknown or args.repeat < 3:
        ap.error(f"unknown bench {unknown}" if unknown else "--repeat must be at least 3")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="canvasser-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    use_folder(work)
    scale = Scale(people, work, args.repeat, quick=args.quick)
    started, load0 = time.perf_counter(), load()
    say(f"bench/all.py: {people:,} people, {args.repeat} pairs a figure, in {work}; load average {load0}")
    rows: list[Row | Skip] = []
    failed: list[dict] = []
    try:
        for name in only:
            t = time.perf_counter()
            say(f"[{name}] load {load()}")
            try:
                module = __import__(MODULES[name])
                rows += module.measure(scale)
            except Exception as exc:  # noqa: BLE001 — reported, and the other benches still run
                say(traceback.format_exc())
                failed.append({"bench": name, "error": f"{type(exc).__name__}: {exc}"[:2000]})
            say(f"[{name}] {time.perf_counter() - t:.0f} s")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    took = time.perf_counter() - started
    head = {"people": people, "load": {"start": load0, "end": load()}, "minutes": round(took / 60, 1),
            "cpus": os.cpu_count(), "python": platform.python_version()}
    if args.json:
        print(json.dumps({**as_rows(rows, scale), "failed": failed, **head}, ensure_ascii=False))
    else:
        print(f"canvasser benches at {people:,} people (encrypted workspaces), {args.repeat} pairs a figure, "
              f"{took / 60:.1f} min on {os.cpu_count()} CPUs; load average {load0} at the start, {load()} at the end")
        print(table(rows, scale))
        for f in failed:
            print(f"FAILED: {f['bench']}: {f['error']}")
    if failed:
        return 2
    missed = [r for r in rows if isinstance(r, Row) and r.verdict == "MISSED"]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
