"""Benchmark: match a department's list against a township workspace (DESIGN §9).

    python bench/bench_match.py [--people 1000000] [--rows 100000] [--share 0.3] [--repeat 3] [--db W]

Budget: matching a 100,000-row list against 1,000,000 persons takes at most 2x the time reading that
list takes (median of `--repeat` pairs): reading as the bureau lists' reader does it (header found,
rows parsed, IDs checked); python-calamine's bare read of the sheet is reported beside it. The workspace is made once by importing a
generated csv (kept in the bench folder and reused: that takes minutes) and copied before each match,
so every run matches the list for the first time. `--share` of the list's rows are people of the
workspace (1% of those without an ID, matched by name + birth date: proposals), the rest strangers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import calamine_read, write_csv  # noqa: E402 — beside this file

from canvasser.core.text.ids import check_digit  # noqa: E402

COLUMNS = ["序号", "低保证号", "户主姓名", "成员姓名", "与户主关系", "证件号码", "出生年月", "所属村居", "保障人口", "月保障金"]


def make_workspace(db: Path, people: int, folder: Path) -> None:
    from canvasser.core.lists.roster import import_roster
    from canvasser.core.storage.opening import open_workspace

    csv_path = folder / f"township_{people}.csv"
    if not csv_path.exists():
        print(f"writing {people} people to {csv_path} ...", flush=True)
        write_csv(csv_path, people)
    t = time.perf_counter()
    with open_workspace(db) as ws:
        res = import_roster(ws, csv_path)
    print(f"workspace: {res.imported} people imported in {time.perf_counter() - t:.1f}s", flush=True)


def make_list(db: Path, out: Path, rows: int, share: float, seed: int = 7) -> dict:
    import openpyxl

    from canvasser.core.storage.opening import open_workspace

    rng = random.Random(seed)
    ours = int(rows * share)
    with open_workspace(db) as ws:
        total = ws.scalar("SELECT count(*) FROM persons")
        step = max(1, total // max(1, ours))
        picked = ws.conn.execute("SELECT pid, name, birth, village FROM persons WHERE rowid % ? = 0 LIMIT ?",
                                 (step, ours)).fetchall()
    wb = openpyxl.Workbook(write_only=True)
    sh = wb.create_sheet("低保对象")
    sh.append(["某某县2026年11月城乡低保对象花名册"])
    sh.append(COLUMNS)
    n = 0
    no_id = 0
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


def reader_read(xlsx: Path) -> float:
    """Seconds the bureau lists' own reader takes to read this list: header and columns found
    (tables.open_table), every row parsed and its ID checked (listreader.ListReader, as an import
    reads). "Reading that list" in the budget; calamine's bare read is reported beside it."""
    from canvasser.core.lists import matching
    from canvasser.core.lists.listreader import ListSpec

    t = time.perf_counter()
    source = ListSpec(xlsx, matching.ALIASES, ("name", "pid"), {}, dt.date.today(), {}, 5000).open()
    for _ in source.chunks():
        pass
    source.close()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--share", type=float, default=0.3, help="share of the list's rows that are people here")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--folder", default=str(Path(tempfile.gettempdir()) / "canvasser-bench-match"))
    args = ap.parse_args()
    from canvasser.core.lists import matching
    from canvasser.core.storage.integrity import check
    from canvasser.core.storage.opening import open_workspace

    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / f"township_{args.people}.db"
    if not base.exists():
        make_workspace(base, args.people, folder)
    xlsx = folder / f"dibao_{args.rows}_{args.share}.xlsx"
    if not xlsx.exists():
        print(f"list: {make_list(base, xlsx, args.rows, args.share)}", flush=True)
    ratios, to_reader = [], []
    for i in range(args.repeat):
        run = folder / "run.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(run) + suffix).unlink(missing_ok=True)
        shutil.copy(base, run)
        os.sync()  # the copy's gigabyte is on disk before the clock starts, not written back during the match
        read, n = calamine_read(xlsx)
        ours = reader_read(xlsx)
        with open_workspace(run) as ws:
            t = time.perf_counter()
            res = matching.match_list(ws, xlsx, "低保", date="2026-11-01")
            took = time.perf_counter() - t
            ok = check(ws)["ok"] if i == 0 and args.people <= 200_000 else None
        ratios.append(took / read)
        to_reader.append(took / ours)
        print(f"calamine read only: {read:.2f}s ({n} rows); the lists' reader {ours:.2f}s; match: {took:.2f}s = "
              f"{took / read:.2f}x calamine, {took / ours:.2f}x the reader; "
              f"matched {len(res.matched)}, proposed {len(res.proposed)}, only theirs {len(res.only_theirs)}, "
              f"only ours {len(res.only_ours)}, events {res.events}" + ("" if ok is None else f", check ok={ok}"),
              flush=True)
    print(f"match {args.rows} rows vs {args.people} persons ({args.share:.0%} of the rows ours): median "
          f"{statistics.median(to_reader):.2f}x the lists' reader, {statistics.median(ratios):.2f}x calamine's bare read, "
          f"over {len(ratios)} runs (budget 2x reading the list)")


if __name__ == "__main__":
    main()
