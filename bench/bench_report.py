"""Benchmark: the daily report over the imported workspace (budget 2 s), before and after visits.

    python bench/bench_report.py [--people 1000000] [--work DIR]

On a fresh copy of the encrypted workspace (`people` imported from the csv), in a fresh process: the
report's covering index made (once per workspace), the daily report (`reports.make_report`, as
`canvasser report` makes it) three times, then `people / 100` visits recorded through
`visits.record_visit` (one transaction each, as cadres record them: 10,000 at a million), then the
report three times again. The figure judged is the median after the visits.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from bench_import import people_db  # noqa: E402 — beside this file
from common import (  # noqa: E402
    Row,
    Scale,
    Section,
    copy_workspace,
    median,
    remove_workspace,
    run_child,
    run_standalone,
    say,
)

OUTCOMES = ["paid_on_site", "paid_self", "promised", "not_home", "refused", "migrant_informed", "dead",
            "employee_insurance", "unreachable"]


def child_report(db: str, visits: int) -> dict:
    from canvasser.core.rules import reports
    from canvasser.core.rules.visits import record_visit
    from canvasser.core.storage.opening import open_workspace

    ws = open_workspace(db, create=False)
    with Section() as index:
        reports.ensure_index(ws)
    before = []
    for _ in range(3):
        with Section() as s:
            figs = reports.make_report(ws, save=False)
        before.append(s.wall)
    rng = random.Random(2)
    top = ws.scalar("SELECT max(rowid) FROM persons")
    pids = [r[0] for r in ws.conn.execute(
        f"SELECT pid FROM persons WHERE rowid IN ({','.join(str(rng.randrange(1, top + 1)) for _ in range(visits))})")]
    t = time.perf_counter()
    for pid in pids:
        code = rng.choice(OUTCOMES)
        record_visit(ws, pid, code, by=rng.choice(["李书记", "王主任", "张网格员"]),
                     **({"promised": "2026-12-20"} if code == "promised" else {}))
    recording = time.perf_counter() - t
    after, cpu = [], []
    for _ in range(3):
        with Section() as s:
            later = reports.make_report(ws, save=False)
        after.append(s.wall)
        cpu.append(s.cpu)
    ws.close()
    assert later["done"] + later["remaining"] == later["total"] == figs["total"]
    return {"index": index.wall, "before": before, "after": after, "cpu": cpu, "visits": len(pids),
            "recording": recording, "total": later["total"], "done": later["done"],
            "today_visits": later["today"]["visits"]}


def measure(scale: Scale) -> list[Row]:
    run = copy_workspace(people_db(scale), scale.work / "report-run.db")
    r = run_child("bench_report", "child_report", run, scale.report_visits)
    remove_workspace(run)
    say(f"  report: index {r['index']:.1f} s; before {', '.join(f'{x:.2f}' for x in r['before'])} s; "
        f"{r['visits']:,} visits recorded in {r['recording']:.1f} s; after {', '.join(f'{x:.2f}' for x in r['after'])} s; "
        f"load {r.load}")
    seconds = median(r["after"])
    return [Row("report", seconds, seconds=seconds, cpu=median(r["cpu"]), cpu_value=median(r["cpu"]),
                note=f"{r['total']:,} persons; before the visits {median(r['before']):.2f} s; "
                     f"{r['visits']:,} visits recorded one transaction each in {r['recording']:.1f} s "
                     f"({r['visits'] / r['recording']:.0f}/s); the covering index made once in {r['index']:.1f} s")]


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
