"""Benchmark: match a department's list against the imported workspace (DESIGN §9), encrypted.

    python bench/bench_match.py [--people 1000000] [--share 0.3] [--work DIR]

Budget: matching a list of `people / 10` rows (100,000 at a million) takes at most 2x the time
reading that list takes, as the bureau lists' reader does it (header found, rows parsed, IDs
checked); python-calamine's bare read is reported beside it. In alternating pairs, each in a fresh
process, the match on a fresh copy of the workspace (every run matches the list for the first time).
30% of the list's rows are people of the workspace (1% of those without an ID: proposals by name
and birth month), the rest strangers.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from bench_import import people_db  # noqa: E402 — beside this file
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

COLUMNS = ["序号", "低保证号", "户主姓名", "成员姓名", "与户主关系", "证件号码", "出生年月", "所属村居", "保障人口", "月保障金"]
SHARE = 0.3


def child_make_list(db: str, out: str, rows: int, share: float, seed: int = 7) -> dict:
    import openpyxl

    from canvasser.core.ids import check_digit
    from canvasser.core.store import Workspace

    rng = random.Random(seed)
    ours = int(rows * share)
    with Workspace(db, create=False) as ws:
        total = ws.scalar("SELECT count(*) FROM persons")
        step = max(1, total // max(1, ours))
        picked = ws.conn.execute("SELECT pid, name, birth, village FROM persons WHERE rowid % ? = 0 LIMIT ?",
                                 (step, ours)).fetchall()
    wb = openpyxl.Workbook(write_only=True)
    sh = wb.create_sheet("低保对象")
    sh.append(["某某县2026年11月城乡低保对象花名册"])
    sh.append(COLUMNS)
    n = no_id = 0
    for pid, name, birth, village in picked:
        n += 1
        if n % 100 == 0:  # 1%: no ID, matched by name + birth month
            no_id += 1
            sh.append([n, f"DB{n:06d}", name, name, "户主", "", birth[:7], village, 1, 420])
        else:
            sh.append([n, f"DB{n:06d}", name, name, "户主", f"{pid[:6]} {pid[6:]}", "", village, 1, 420])
    while n < rows:
        n += 1
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30000))
        body = f"510322{birth:%Y%m%d}{rng.randrange(1000):03d}"
        sh.append([n, f"DB{n:06d}", f"外{n}", f"外{n}", "户主", body + check_digit(body), "", picked[0][3], 1, 420])
    sh.append(["合计", f"{n}人"])
    wb.save(out)
    return {"rows": n, "ours": len(picked), "no_id": no_id}


def child_reader(xlsx: str) -> dict:
    """The bureau lists' own reader reading the list: header and columns found, every row parsed and
    its ID checked (listreader.ListReader, as an import reads). "Reading that list" in the budget."""
    from canvasser.core import matching
    from canvasser.core.listreader import ListSpec

    with Section() as s:
        source = ListSpec(Path(xlsx), matching.ALIASES, ("name", "pid"), {}, dt.date.today(), {}, 5000).open()
        for _ in source.chunks():
            pass
        source.close()
    return {"seconds": s.wall, "cpu": s.cpu}


def child_match(db: str, xlsx: str) -> dict:
    from canvasser.core import matching
    from canvasser.core.store import Workspace

    with Workspace(db, create=False) as ws:
        ws.origin  # noqa: B018 — a copied file starts its origin on open, as the clerk's would have one
        with Section() as s:
            res = matching.match_list(ws, xlsx, "低保", date="2026-11-01")
    return {"seconds": s.wall, "cpu": s.cpu, "matched": len(res.matched), "proposed": len(res.proposed),
            "only_theirs": len(res.only_theirs), "only_ours": len(res.only_ours), "events": res.events}


def measure(scale: Scale) -> list[Row]:
    base = people_db(scale)
    xlsx = scale.work / f"dibao-{scale.match_rows}-{scale.people}.xlsx"
    if not xlsx.exists():
        made = run_child("bench_match", "child_make_list", base, xlsx, scale.match_rows, SHARE)
        say(f"  department list: {made.out}")
    run = scale.work / "match-run.db"
    pairs = alternate(scale.repeat, lambda: run_child("bench_match", "child_reader", xlsx),
                      lambda: run_child("bench_match", "child_match", copy_workspace(base, run), xlsx))
    remove_workspace(run)
    calamine = run_child("bench_import", "child_calamine", xlsx)
    for read, m in pairs:
        say(f"  match {scale.match_rows:,} rows: reader {read['seconds']:.2f} s, match {m['seconds']:.2f} s = "
            f"{m['seconds'] / read['seconds']:.2f}x (CPU {m['cpu'] / read['cpu']:.2f}x); matched {m['matched']:,}, "
            f"proposed {m['proposed']}, events {m['events']:,}; load {m.load}")
    ratios = [m["seconds"] / read["seconds"] for read, m in pairs]
    cpu = [m["cpu"] / read["cpu"] for read, m in pairs]
    seconds = median([m["seconds"] for _, m in pairs])
    return [Row("match", median(ratios), seconds=seconds, floor=median([r["seconds"] for r, _ in pairs]),
                cpu=median([m["cpu"] for _, m in pairs]),
                note=f"{scale.match_rows:,} rows ({SHARE:.0%} ours) against {scale.people:,} persons; wall ratios "
                     f"{', '.join(f'{r:.2f}' for r in ratios)}; CPU {median(cpu):.2f}x; calamine's bare read "
                     f"{calamine['seconds']:.2f} s ({seconds / calamine['seconds']:.2f}x)")]


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
