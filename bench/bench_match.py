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

    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.text.ids import check_digit

    rng = random.Random(seed)
    ours = int(rows * share)
    with open_workspace(db, create=False) as ws:
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
    from canvasser.core import clock
    from canvasser.core.lists import matching
    from canvasser.core.lists.listreader import ListSpec

    with Section() as s:
        source = ListSpec(Path(xlsx), matching.ALIASES, ("name", "pid"), {}, clock.today(), {}, 5000).open()
        for _ in source.chunks():
            pass
        source.close()
    return {"seconds": s.wall, "cpu": s.cpu}


def child_match(db: str, xlsx: str) -> dict:
    from canvasser.core.lists import matching
    from canvasser.core.storage.opening import open_workspace

    with open_workspace(db, create=False) as ws:
        ws.origin  # noqa: B018 — a copied file starts its origin on open, as the clerk's would have one
        with Section() as s:
            res = matching.match_list(ws, xlsx, "低保", date="2026-11-01")
    return {"seconds": s.wall, "cpu": s.cpu, "matched": len(res.matched), "proposed": len(res.proposed),
            "only_theirs": len(res.only_theirs), "only_ours": len(res.only_ours), "events": res.events}


def child_write_floor(matched: str, fresh: str) -> dict:
    """SQLCipher alone making a match's writes: the events, marks and persons rows a match left in
    `matched`, written into `fresh` (a copy of the workspace before the match) by SQL, no Python a row;
    reading them from the other file taken off. The match must read the list and make these writes."""
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.storage.sqlcipher import attach

    src = open_workspace(matched, create=False)
    key = src.key
    src.close()
    ws = open_workspace(fresh, create=False)
    conn = ws.conn
    attach(conn, matched, "m", key)
    steps: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(label: str, sql: str) -> None:
        with Section() as s:
            conn.execute(sql).fetchall()
        steps[label], cpu[label] = s.wall, s.cpu

    changed = ("SELECT p.rowid AS r, p.categories, p.updated_hlc FROM m.persons p "
               "WHERE p.pid IN (SELECT pid FROM m.ref_marks)")
    timed("read", f"SELECT count(*) FROM (SELECT * FROM m.events WHERE kind LIKE 'ref.%' AND rowid > 0), "
                  f"(SELECT count(*) FROM m.ref_marks), (SELECT count(*) FROM ({changed}))")
    conn.execute("BEGIN IMMEDIATE")
    timed("events", "INSERT INTO main.events SELECT * FROM m.events WHERE kind LIKE 'ref.%' AND rowid > 0")
    timed("marks", "INSERT INTO main.ref_marks SELECT * FROM m.ref_marks WHERE rowid > 0")
    timed("persons", f"UPDATE main.persons SET categories = s.categories, updated_hlc = s.updated_hlc "
                     f"FROM ({changed} ORDER BY 1) AS s WHERE main.persons.rowid = s.r")
    timed("commit", "COMMIT")
    ws.close()
    return {"floor": sum(v for k, v in steps.items() if k != "read") - steps["read"],
            "floor_cpu": sum(v for k, v in cpu.items() if k != "read") - cpu["read"], "steps": steps}


def measure(scale: Scale) -> list[Row]:
    base = people_db(scale)
    xlsx = scale.work / f"dibao-{scale.match_rows}-{scale.people}.xlsx"
    if not xlsx.exists():
        made = run_child("bench_match", "child_make_list", base, xlsx, scale.match_rows, SHARE)
        say(f"  department list: {made.out}")
    run = scale.work / "match-run.db"
    pairs = alternate(scale.repeat, lambda: run_child("bench_match", "child_reader", xlsx),
                      lambda: run_child("bench_match", "child_match", copy_workspace(base, run), xlsx))
    calamine = run_child("bench_import", "child_calamine", xlsx)
    fresh = copy_workspace(base, scale.work / "match-fresh.db")
    floors = [run_child("bench_match", "child_write_floor", run, fresh) for _ in range(1)]
    remove_workspace(run)
    remove_workspace(fresh)
    for read, m in pairs:
        say(f"  match {scale.match_rows:,} rows: reader {read['seconds']:.2f} s, match {m['seconds']:.2f} s = "
            f"{m['seconds'] / read['seconds']:.2f}x (CPU {m['cpu'] / read['cpu']:.2f}x); matched {m['matched']:,}, "
            f"proposed {m['proposed']}, events {m['events']:,}; load {m.load}")
    ratios = [m["seconds"] / read["seconds"] for read, m in pairs]
    cpu = [m["cpu"] / read["cpu"] for read, m in pairs]
    seconds = median([m["seconds"] for _, m in pairs])
    reading, reading_cpu = median([r["seconds"] for r, _ in pairs]), median([r["cpu"] for r, _ in pairs])
    writes, writes_cpu = median([f["floor"] for f in floors]), median([f["floor_cpu"] for f in floors])
    say(f"  match's writes by SQLCipher alone: {writes:.2f} s (CPU {writes_cpu:.2f} s) {floors[0]['steps']}")
    return [Row("match", median(ratios), seconds=seconds, floor=reading, cpu=median([m["cpu"] for _, m in pairs]),
                cpu_value=median(cpu),
                reach=(reading_cpu + writes_cpu) / reading_cpu,
                note=f"{scale.match_rows:,} rows ({SHARE:.0%} ours) against {scale.people:,} persons; wall ratios "
                     f"{', '.join(f'{r:.2f}' for r in ratios)}; CPU {median(cpu):.2f}x; calamine's bare read "
                     f"{calamine['seconds']:.2f} s ({seconds / calamine['seconds']:.2f}x); its writes (events, "
                     f"marks, persons rows) by SQLCipher alone take {writes_cpu:.2f} s CPU: reading the list and then "
                     f"making them is {(reading_cpu + writes_cpu) / reading_cpu:.2f}x the reading")]


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
