"""Benchmark: the daily report over 1,000,000 people (budget 2 s), plus 10,000 visits recorded.

The 1M-person township workspace is built by inserting rows straight into `persons` (this measures
the report queries, not the import). The people who will be visited also get their person.created
event so that recording a visit projects a complete row. Run:

    /tmp/venv/bin/python bench/bench_report.py [--people N] [--visits N] [--keep PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from canvasser.core.rules import reports, visits  # noqa: E402
from canvasser.core.storage.opening import open_workspace  # noqa: E402
from canvasser.core.storage.projection import _PERSON_COLS  # noqa: E402
from canvasser.core.storage.store import Workspace, now_iso  # noqa: E402
from canvasser.core.text.ids import check_digit  # noqa: E402

CATEGORIES = ["", "", "", "", "", "", "", "", "", "", "特困人员", "低保对象", "防止返贫监测对象", "脱贫人口",
              "重度残疾人", "孤儿", "外出务工", "灵活就业", "在校学生", "在校学生"]
STATUSES = ["", "", "", "", "", "paid_official", "paid_official", "paid_on_site", "promised", "not_home",
            "refused", "migrant_informed", "dead", "employee_insurance"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
OUTCOMES = ["paid_on_site", "paid_self", "promised", "not_home", "refused", "migrant_informed", "dead",
            "employee_insurance", "unreachable"]


def make_id(i: int) -> str:
    """A unique, checksum-valid ID for person number i."""
    region = 510300 + (i // 10_000_000) % 100
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=(i // 1000) % 25000)
    body = f"{region}{birth:%Y%m%d}{i % 1000:03d}"
    return body + check_digit(body)


def build(path: Path, n: int, villages: int = 30) -> float:
    """Insert n persons straight into `persons` (indexes dropped during the load and rebuilt after)."""
    t0 = time.perf_counter()
    ws = open_workspace(path)
    ws.set_meta("mode", "township")
    ws.set_meta("township", "某某镇")
    ws.conn.execute("PRAGMA cache_size = -262144")  # 256 MB: index builds sort in memory
    rng = random.Random(1)
    cols = list(_PERSON_COLS)
    at = {c: i for i, c in enumerate(cols)}
    sql = f"INSERT INTO persons ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    today = dt.date.today()
    indexes = ws.conn.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='persons' "
                              "AND sql IS NOT NULL").fetchall()
    template = [""] * len(cols)
    for c, v in (("sex", "男"), ("birth", "1980-01-01"), ("township", "某某镇"), ("relation", "户主"), ("active", 1),
                 ("official", 0), ("paid_amount", None), ("paid_at", None), ("visit_count", 0), ("evidence", 0)):
        template[at[c]] = v
    with ws.transaction():
        for name, _ in indexes:
            ws.conn.execute(f"DROP INDEX {name}")
        batch, paid = [], []
        for i in range(n):
            pid = make_id(i)
            status = rng.choice(STATUSES)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            r = list(template)
            r[at["pid"]], r[at["rpid"]], r[at["name"]] = pid, pid[::-1], name
            r[at["village"]] = f"第{i * villages // n + 1:02d}村"
            r[at["grp"]] = f"{rng.randint(1, 8)}组"
            r[at["household"]] = f"H{i // 3:08d}"
            r[at["categories"]] = rng.choice(CATEGORIES)
            r[at["status"]] = status
            if "rname" in at:
                r[at["rname"]] = name[::-1]
            day = (today - dt.timedelta(days=rng.randint(0, 13))).isoformat()
            if status == "paid_official":
                r[at["official"]], r[at["paid_amount"]], r[at["paid_at"]] = 1, 400, day
                paid.append((pid, 2027, 400, day, "税务APP", "bench", uuid.uuid4().hex))
            elif status:
                r[at["last_outcome"]], r[at["last_visit_at"]], r[at["visit_count"]] = status, f"{day}T09:00:00+08:00", 1
            batch.append(r)
            if len(batch) == 50_000:
                ws.conn.executemany(sql, batch)
                batch = []
        ws.conn.executemany(sql, batch)
        ws.conn.executemany("INSERT INTO official_payments VALUES (?,?,?,?,?,?,?)", paid)
        for _, index_sql in indexes:
            ws.conn.execute(index_sql)
    ws.close()
    return time.perf_counter() - t0


def seed_visited(ws: Workspace, pids: list[str]) -> None:
    """person.created events for the people the benchmark will visit (so their rows project fully)."""
    rows = {r["pid"]: r for r in ws.query(
        f"SELECT * FROM persons WHERE pid IN ({','.join('?' * len(pids))})", tuple(pids))}
    with ws.transaction():
        seq = ws.scalar("SELECT coalesce(max(seq), 0) FROM events WHERE origin=?", (ws.origin,))
        evs = []
        for pid in pids:
            r = rows[pid]
            seq += 1
            payload = {k: r[k] for k in ("name", "sex", "birth", "township", "village", "grp", "household",
                                          "relation", "categories", "active")}
            evs.append((uuid.uuid4().hex, ws.origin, seq, ws.clock.tick(), "person.created", f"p:{pid}",
                        json.dumps(payload, ensure_ascii=False), "", now_iso(), r["village"]))
        ws.conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)", evs)
    ws._seq = None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--visits", type=int, default=10_000)
    ap.add_argument("--keep", help="keep the workspace at this path (reused if it exists)")
    ap.add_argument("--ledger", action="store_true", help="also time the ledger xlsx")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = Path(args.keep) if args.keep else Path(tmp.name) / "bench.db"
    if not path.exists():
        secs = build(path, args.people)
        print(f"built {args.people:,} persons by direct insert in {secs:.1f} s")
    ws = open_workspace(path)
    n = ws.scalar("SELECT count(*) FROM persons")
    t0 = time.perf_counter()
    reports.ensure_index(ws)
    print(f"covering index for the report (once per workspace): {time.perf_counter() - t0:.1f} s")

    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        figs = reports.make_report(ws, save=False)
        times.append(time.perf_counter() - t0)
    print(f"daily report over {n:,} persons: best {min(times):.2f} s, worst {max(times):.2f} s (budget 2 s); "
          f"total {figs['total']:,}, done {figs['done']:,}, rate {reports.pct(figs['rate'])}, "
          f"{len(figs['by_village'])} villages, {len(figs['by_group'])} groups")
    assert figs["done"] + figs["remaining"] == figs["total"]

    rng = random.Random(2)
    pids = [make_id(i) for i in rng.sample(range(n), args.visits)]
    seed_visited(ws, pids)
    t0 = time.perf_counter()
    for pid in pids:
        code = rng.choice(OUTCOMES)
        extra = {"promised": "2026-12-20"} if code == "promised" else {}
        visits.record_visit(ws, pid, code, by=rng.choice(["李书记", "王主任", "张网格员"]), **extra)
    secs = time.perf_counter() - t0
    print(f"recorded {args.visits:,} visits via visits.record_visit in {secs:.1f} s "
          f"({args.visits / secs:,.0f} visits/s)")

    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        after = reports.make_report(ws, save=False)
        times.append(time.perf_counter() - t0)
    print(f"daily report after the visits: best {min(times):.2f} s, worst {max(times):.2f} s; done {after['done']:,} (was {figs['done']:,}); "
          f"today {after['today']['visits']:,} visits, {after['today']['contacts']:,} contacts by "
          f"{len(after['by_canvasser'])} canvassers")
    assert after["done"] + after["remaining"] == after["total"] == figs["total"]
    assert sum(v["total"] for v in after["by_group"].values()) == after["total"]

    if args.ledger:
        from canvasser.core.outputs import ledgers

        out = path.with_suffix(".ledger.xlsx")
        t0 = time.perf_counter()
        res = ledgers.write_ledger(ws, out)
        secs = time.perf_counter() - t0
        rows = sum(res["sheets"].values())
        print(f"ledger xlsx: {rows:,} rows in {secs:.1f} s ({rows / secs:,.0f} rows/s), "
              f"{out.stat().st_size / 1e6:.0f} MB")
    ws.close()


if __name__ == "__main__":
    main()
