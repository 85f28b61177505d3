"""Benchmark for the county with its floors (DESIGN §9): the bureau merges its townships' packages and
reports. (`bench/bench_county.py` is the same work in `bench/all.py`'s table, without the floors.)

    python bench/bench_county_floors.py [--people 1000000] [--townships 20] [--villages 300] [--events 3000000]

Builds a county of `people` (every township has villages named 第1村, 第2村 …: a village is
(township, village)), imports its list, makes every township's workspace from the county's setup
package, gives each township `events / townships` events as its villages would send them (visits
with all their fields and person edits, under one origin per village, so the package carries other
origins' events re-signed by the township), exports one package per township, then measures, with
the county's side in a fresh process as the bureau's app would be:
- receiving all township packages in one `receive` (budget 60 s);
- receiving the same files again (budget 5 s, no change);
- the county's report (`report --json`'s figures: townships ranked, their villages, departments;
  budget 2 s), and the dashboard's figures alone;
and, as floors measured in the same run: SQLite alone writing the same event rows with the events
table's indexes into an empty encrypted file (the merge cannot be cheaper), and the report's one
grouped pass over the persons index alone.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from canvasser.core.demo import people  # noqa: E402
from canvasser.core.lists.roster import import_roster  # noqa: E402
from canvasser.core.rules import reports  # noqa: E402
from canvasser.core.rules.campaign import CHANNELS, OUTCOMES  # noqa: E402
from canvasser.core.storage import integrity  # noqa: E402
from canvasser.core.storage.events import INSERT_EVENT, dump_payload, new_event_ids  # noqa: E402
from canvasser.core.storage.opening import open_workspace  # noqa: E402
from canvasser.core.storage.sqlcipher import apply_key, sqlite3  # noqa: E402
from canvasser.core.storage.store import Workspace, migrate  # noqa: E402
from canvasser.core.sync import (  # noqa: E402
    export_package,
    init_county,
    init_village,
    make_setup_package,
    receive_packages,
)
from canvasser.core.sync.package import decode_rows  # noqa: E402

HEADER = ["姓名", "公民身份号码", "性别", "出生日期", "人员类别", "乡镇（街道）", "村（社区）", "村民小组", "户编号",
          "与户主关系", "户籍地址", "联系电话", "上年参保状态"]
CHILD_ENCODING = "utf-8" if sys.flags.utf8_mode else "locale"
DAY = dt.date(2026, 11, 20)


def township_name(i: int) -> str:
    return f"第{i + 1:02d}镇"


def write_county(path: Path, n: int, townships: int, villages: int) -> dict[str, dict[str, list[str]]]:
    """The county's list: township → village → IDs (each township's villages named 第1村 …)."""
    per_village = n // villages
    out: dict[str, dict[str, list[str]]] = {}
    seen: set[str] = set()
    made = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for v in range(villages):
            t = township_name(v % townships)
            name = f"第{v // townships + 1}村"
            ids = out.setdefault(t, {}).setdefault(name, [])
            got = 0
            for p in people(1000 + v, per_village // 2 + 200, name, t, dt.date(2026, 11, 1)):
                if got >= per_village or made >= n:
                    break
                if p["公民身份号码"] in seen:
                    continue
                seen.add(p["公民身份号码"])
                ids.append(p["公民身份号码"])
                p["户编号"] = f"{v:03d}{p['户编号']}"
                w.writerow([p[h] for h in HEADER])
                got += 1
                made += 1
    return out


def village_work(town: Workspace, villages: dict[str, list[str]], n: int, rng: random.Random) -> int:
    """n events as the township's villages made them (90% visits, 10% person edits), one origin per
    village, written straight into the township's log (the county's merge is what is measured; the
    township's own projection of them is not needed for its export)."""
    codes = list(OUTCOMES)
    base = dt.datetime(2026, 10, 1, 9)
    mark = int(town.file_clock().split(".")[0]) + 1000
    names = sorted(villages)
    per = n // len(names)
    rows = []
    for k, village in enumerate(names):
        origin = f"{rng.getrandbits(64):016x}"
        pids = villages[village]
        ids = new_event_ids(per)
        for i in range(per):
            pid = rng.choice(pids)
            hlc = f"{mark + k * per + i:013d}.00000"
            at = (base + dt.timedelta(seconds=i * 7)).isoformat()
            if i % 10 == 9:
                kind, payload = "person.updated", {"phone": f"139{rng.randrange(10**8):08d}", "note": f"第{i}次核实"}
            else:
                code = rng.choice(codes)
                kind, payload = "visit.recorded", {
                    "outcome": code, "via": rng.choice(CHANNELS), "reason": "经济困难" if code == "refused" else "",
                    "promised": "2026-12-20" if code == "promised" else "", "followup": "", "note": "",
                    "place": "", "photos": [], "at": at, "year": 2027}
            rows.append((ids[i], origin, i + 1, hlc, kind, f"p:{pid}", dump_payload(payload), "村文书", at, village))
    with town.transaction():
        town.conn.executemany(INSERT_EVENT, rows)
        town.clock.observe(rows[-1][3])
    return len(rows)


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def timed_cpu(fn) -> tuple[float, float]:
    """(wall, CPU) seconds: the shared machine's load stretches the wall clock, not the CPU time."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def write_floor(sealed: list[tuple[bytes, bytes]], key: bytes | None) -> float:
    """SQLite alone: the packages' event rows inserted with the events table's indexes into an empty
    file encrypted like the county's (opening and decoding the packages not counted)."""
    from canvasser.core.sync import crypto

    decoded = [decode_rows(crypto.unseal(k, part)) for k, part in sealed]
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        conn = sqlite3.connect(str(Path(tmp) / "floor.db"), isolation_level=None)
        apply_key(conn, key)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-131072")
        migrate(conn)
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for part in decoded:
            conn.executemany(INSERT_EVENT, map(tuple, part))
        conn.execute("COMMIT")
        took = time.perf_counter() - t
        conn.close()
    return took


def child(db: str, ups: list[str]) -> None:
    """The county's side, in a fresh process."""
    from canvasser.core.sync import container, peers

    county = open_workspace(db)
    keys = peers.own_keys(county)
    sealed = []
    for up in ups:  # for the floor: the event parts, opened as the merge opens them
        c = container.read(up)
        sealed.append((keys.unseal_key(c.parts["key"]), c.parts["events"]))
    merged: list[dict] = []
    out: dict = {"load": os.getloadavg()[0]}
    out["merge"], out["merge_cpu"] = timed_cpu(lambda: merged.extend(receive_packages(county, ups)))
    out["applied"] = sum(r["applied"] for r in merged)
    out["held"] = sum(r["held"] for r in merged)
    out["events"] = county.event_count()
    digest = integrity.state_digest(county)
    twice: list[dict] = []
    out["again"] = timed(lambda: twice.extend(receive_packages(county, ups)))
    out["same"] = county.event_count() == out["events"] and integrity.state_digest(county) == digest and \
        not any(r["applied"] for r in twice)
    reports.figures(county, DAY)  # the county's index, made once on first use (not a report's cost)
    figs: dict = {}
    out["report"], out["report_cpu"] = min(timed_cpu(lambda: figs.update(reports.make_report(county, DAY, save=False)))
                                           for _ in range(3))
    out["figures"] = min(timed(lambda: reports.figures(county, DAY)) for _ in range(3))
    out["report_floor"] = min(timed(lambda: county.conn.execute(
        "SELECT township, village, grp, categories, status, count(*), sum(visit_count > 0) FROM persons "
        "WHERE status != 'not_listed' GROUP BY township, village, grp, status, categories").fetchall())
        for _ in range(3))
    out["townships"] = len(figs["by_township"])
    out["villages"] = len(figs["by_village"])
    out["ranking_first"] = figs["ranking"][0]
    out["departments"] = {d: v["total"] for d, v in figs["departments"].items()}
    c = time.process_time()
    out["write_floor"] = write_floor(sealed, county.key)
    out["write_floor_cpu"] = time.process_time() - c  # (its decoding included: an upper bound)
    if os.environ.get("BENCH_CHECK"):
        out["check"] = integrity.check(county)["ok"]
    county.close()
    print(json.dumps(out, ensure_ascii=False))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--townships", type=int, default=20)
    ap.add_argument("--villages", type=int, default=300)
    ap.add_argument("--events", type=int, default=3_000_000)
    ap.add_argument("--keep", help="build in this folder and keep it (else a temporary one)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return
    os.environ.setdefault("CANVASSER_PASSPHRASE", "bench county passphrase 2027")
    rng = random.Random(31)
    tmpdir = None if args.keep else tempfile.TemporaryDirectory(prefix="bench-county-")
    d = Path(args.keep or tmpdir.name)
    d.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    county_ids = write_county(d / "county.csv", args.people, args.townships, args.villages)
    c = open_workspace(d / "county.db")
    init_county(c, "某某县")
    t1 = time.perf_counter()
    res = import_roster(c, d / "county.csv")
    print(f"county: {res.imported} people, {args.townships} townships, {args.villages} villages "
          f"(list written in {t1 - t0:.0f} s, imported in {time.perf_counter() - t1:.0f} s)", flush=True)
    ups = []
    t0 = time.perf_counter()
    total = 0
    for i in range(args.townships):
        t = township_name(i)
        make_setup_package(c, t, d / f"setup-{i}.ccpkg", no_code=True)
        init_village(d / f"t{i}.db", d / f"setup-{i}.ccpkg")
        with open_workspace(d / f"t{i}.db") as town:
            total += village_work(town, county_ids[t], args.events // args.townships, rng)
            export_package(town, d / f"up-{i}.ccpkg")
        ups.append(str(d / f"up-{i}.ccpkg"))
        print(f"  {t}: {sum(map(len, county_ids[t].values()))} people, packaged "
              f"({time.perf_counter() - t0:.0f} s so far)", flush=True)
    c.close()
    size = sum(Path(p).stat().st_size for p in ups)
    print(f"townships: {len(ups)} packages, {total} events, {size / 1e6:.1f} MB "
          f"({time.perf_counter() - t0:.0f} s to build and export)", flush=True)
    if args.keep:  # the county before the merge, to measure again (or profile) without rebuilding
        for suffix in ("", ".keys"):
            shutil.copy(d / f"county.db{suffix}", d / f"county-before.db{suffix}")
    r = json.loads(subprocess.run([sys.executable, __file__, "--child", str(d / "county.db"), *ups],
                                  capture_output=True, encoding=CHILD_ENCODING, check=True).stdout)
    print(f"merge {len(ups)} township packages at the county, one `receive` (budget 60 s): {r['merge']:.1f} s "
          f"(CPU {r['merge_cpu']:.1f} s; load average {r['load']:.1f} on 2 cores)")
    print(f"  applied {r['applied']} events ({r['applied'] / r['merge']:,.0f} events/s), held {r['held']}; "
          f"the county holds {r['events']}")
    print(f"  floor: SQLite alone writing those rows and the events indexes: {r['write_floor']:.1f} s "
          f"(merge = {r['merge'] / r['write_floor']:.1f} × floor)")
    print(f"receive the same files again (budget 5 s): {r['again']:.2f} s; no change: {r['same']}")
    print(f"county report (budget 2 s): {r['report']:.2f} s (CPU {r['report_cpu']:.2f} s); its figures alone "
          f"{r['figures']:.2f} s; "
          f"floor (the one grouped pass) {r['report_floor']:.2f} s ({r['figures'] / r['report_floor']:.1f} × floor)")
    print(f"  {r['townships']} townships ranked (first {r['ranking_first']}), {r['villages']} villages, "
          f"departments {r['departments']}")
    if "check" in r:
        print(f"  integrity check: {'ok' if r['check'] else 'FAILED'}")
    ok = r["merge"] <= 60 and r["again"] <= 5 and r["report"] <= 2 and r["same"]
    print(f"RESULT merge {r['merge']:.1f} s / 60 s, again {r['again']:.2f} s / 5 s, report {r['report']:.2f} s / 2 s: "
          f"{'within budget' if ok else 'OVER BUDGET OR WRONG'}")
    if tmpdir:
        tmpdir.cleanup()


if __name__ == "__main__":
    main()
