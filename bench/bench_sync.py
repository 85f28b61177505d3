"""Benchmark for sync (DESIGN §9): the township merges 30 village packages.

    python bench/bench_sync.py [--villages 30] [--events 300000] [--households 330]

Builds a township (30 villages of ~1,000 people), makes every village workspace from its setup
package, records `events / villages` events in each village (visits with all their fields, some
person edits), exports one package per village, then measures, with the township's side in a
fresh process as the clerk's app would be (not in the one that has just built thirty villages):
- receiving all 30 packages at the township in one `receive` (one transaction; budget 20 s);
- receiving the same 30 files again (budget 5 s, no change);
- receiving 30 *new* packages re-exported by the villages before any return package (the same
  events again, now through validation and insert-or-ignore: the "lost acknowledgement" case);
- for comparison, the 30 packages received one file (one transaction) at a time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
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
from canvasser.core.rules.campaign import CHANNELS, OUTCOMES  # noqa: E402
from canvasser.core.storage import integrity  # noqa: E402
from canvasser.core.storage.opening import open_workspace  # noqa: E402
from canvasser.core.storage.store import Workspace  # noqa: E402
from canvasser.core.sync import (  # noqa: E402
    export_package,
    init_township,
    init_village,
    make_setup_package,
    receive_package,
    receive_packages,
)

HEADER = ["姓名", "公民身份号码", "性别", "出生日期", "人员类别", "乡镇（街道）", "村（社区）", "村民小组", "户编号",
          "与户主关系", "户籍地址", "联系电话", "上年参保状态"]


# a child Python writes to its pipe in the locale's encoding (no UTF-8 mode here)
CHILD_ENCODING = "utf-8" if sys.flags.utf8_mode else "locale"


def village_name(i: int) -> str:
    return f"第{i + 1:02d}村"


def write_roster(path: Path, villages: int, households: int) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    seen: set[str] = set()
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for v in range(villages):
            name = village_name(v)
            ids[name] = []
            for p in people(100 + v, households, name, "某某镇", dt.date(2026, 11, 1)):
                if p["公民身份号码"] in seen:
                    continue
                seen.add(p["公民身份号码"])
                ids[name].append(p["公民身份号码"])
                p["户编号"] = f"V{v:02d}-{p['户编号']}"
                w.writerow([p[h] for h in HEADER])
    return ids


def record(ws: Workspace, pids: list[str], n: int, rng: random.Random) -> None:
    """n events as cadres make them: visits (90%) and person edits (10%), one transaction."""
    codes = list(OUTCOMES)
    base = dt.datetime(2026, 10, 1, 9)
    with ws.writing("村文书") as batch:
        for i in range(n):
            pid = rng.choice(pids)
            if i % 10 == 9:
                batch.emit("person.updated", f"p:{pid}", {"phone": f"139{rng.randrange(10**8):08d}",
                                                          "note": f"第{i}次核实"})
                continue
            code = rng.choice(codes)
            batch.emit("visit.recorded", f"p:{pid}", {
                "outcome": code, "via": rng.choice(CHANNELS), "reason": "经济困难" if code == "refused" else "",
                "promised": "2026-12-20" if code == "promised" else "", "followup": "", "note": "", "place": "",
                "photos": [], "at": (base + dt.timedelta(minutes=i)).isoformat()})


def timed(label: str, fn) -> float:
    t = time.perf_counter()
    fn()
    took = time.perf_counter() - t
    print(f"{label}: {took:.2f} s", flush=True)
    return took


def child(db: str, ups: list[str], again: list[str]) -> None:
    """The township's side, in a fresh process as the clerk's app would be (not in the one that
    just built thirty villages)."""
    town = open_workspace(db)
    merged: list[dict] = []
    out: dict = {"merge": timed_quietly(lambda: merged.extend(receive_packages(town, ups)))}
    out["applied"] = sum(r["applied"] for r in merged)
    out["events"] = town.event_count()
    out["digest"] = integrity.state_digest(town)
    twice: list[dict] = []
    out["again"] = timed_quietly(lambda: twice.extend(receive_packages(town, ups)))
    out["same"] = town.event_count() == out["events"] and integrity.state_digest(town) == out["digest"] and \
        not any(r["applied"] for r in twice)
    renew: list[dict] = []
    out["renew"] = timed_quietly(lambda: renew.extend(receive_packages(town, again)))
    out["same2"] = town.event_count() == out["events"] and integrity.state_digest(town) == out["digest"] and \
        not any(r["applied"] for r in renew)
    out["ok"] = integrity.check(town)["ok"]
    town.close()
    print(json.dumps(out))


def timed_quietly(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=30)
    ap.add_argument("--events", type=int, default=300_000)
    ap.add_argument("--households", type=int, default=330)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--again", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1:], args.again)
        return
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        ids = write_roster(d / "roster.csv", args.villages, args.households)
        town = open_workspace(d / "t.db")
        init_township(town, "某某镇")
        import_roster(town, d / "roster.csv")
        print(f"township: {sum(map(len, ids.values()))} people in {args.villages} villages "
              f"({time.perf_counter() - t0:.1f} s to build)", flush=True)
        per = args.events // args.villages
        ups, again = [], []
        t0 = time.perf_counter()
        for v in range(args.villages):
            name = village_name(v)
            make_setup_package(town, name, d / f"setup-{v}.ccpkg", no_code=True)
            init_village(d / f"v{v}.db", d / f"setup-{v}.ccpkg")
            with open_workspace(d / f"v{v}.db") as vil:
                record(vil, ids[name], per, rng)
                export_package(vil, d / f"up-{v}.ccpkg")
                export_package(vil, d / f"again-{v}.ccpkg")
            ups.append(d / f"up-{v}.ccpkg")
            again.append(d / f"again-{v}.ccpkg")
        size = sum(p.stat().st_size for p in ups)
        print(f"villages: {args.villages} packages, {per * args.villages} events, {size / 1e6:.1f} MB "
              f"({time.perf_counter() - t0:.1f} s to build and export)", flush=True)

        town.close()
        shutil.copy(d / "t.db", d / "t-one.db")  # the same township, for the one-by-one figure

        r = json.loads(subprocess.run([sys.executable, __file__, "--child", str(d / "t.db"), *map(str, ups),
                                       "--again", *map(str, again)],
                                      capture_output=True, encoding=CHILD_ENCODING, check=True).stdout)
        merge, dup, re_t = r["merge"], r["again"], r["renew"]
        same, same2, ok, digest = r["same"], r["same2"], r["ok"], r["digest"]
        print(f"merge {args.villages} packages at the township, one `receive` (budget 20 s): {merge:.2f} s")
        print(f"  applied {r['applied']} events ({r['applied'] / merge:,.0f} events/s); township holds {r['events']}")
        print(f"receive the same files again (budget 5 s): {dup:.2f} s\n  no change: {same}")
        print(f"receive {args.villages} re-exported packages of the same events (insert-or-ignore path): {re_t:.2f} s")
        print(f"  no change: {same2}\n  integrity check: {'ok' if ok else 'FAILED'}")

        one = open_workspace(d / "t-one.db")
        single = timed(f"the same {args.villages} packages received one file (one transaction) at a time",
                       lambda: [receive_package(one, p) for p in ups])
        agree = integrity.state_digest(one) == digest
        print(f"  same state as the one-call merge: {agree}")
        one.close()
        verdict = merge <= 20 and dup <= 5 and same and same2 and ok and agree
        print(f"RESULT merge {merge:.2f} s / 20 s, again {dup:.2f} s / 5 s, re-exported {re_t:.2f} s, "
              f"one by one {single:.2f} s: {'within budget' if verdict else 'OVER BUDGET OR WRONG'}")


if __name__ == "__main__":
    main()
