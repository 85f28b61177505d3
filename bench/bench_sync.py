"""Benchmark: the township merges 30 village packages (DESIGN §9), encrypted, and plain for the pair.

    python bench/bench_sync.py [--people 1000000] [--work DIR]

Builds (once per folder) a township of 30 villages (~1,000 people each), every village workspace
from its setup package (with its code), `people × 0.3` events recorded across the villages (300,000
at a million: visits with all their fields, 10% person edits), and one package per village, twice
(the second: the same events re-exported before any return package). The township is kept plain
and as an encrypted copy of it (the same keys). Then, in a fresh process per round, alternating
plain and encrypted, on a fresh copy of the township:
- receiving all 30 packages in one `receive` (one transaction; budget 20 s);
- receiving the same 30 files again (budget 5 s, no change);
- receiving the 30 re-exported packages (the same events through validation and insert-or-ignore);
and the encrypted merge against the plain one (budget 1.15x; wall, or CPU time when the machine is loaded). Both end in the same state.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from common import (  # noqa: E402 — beside this file
    PASSPHRASE,
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

HEADER = ["姓名", "公民身份号码", "性别", "出生日期", "人员类别", "乡镇（街道）", "村（社区）", "村民小组", "户编号",
          "与户主关系", "户籍地址", "联系电话", "上年参保状态"]
VILLAGES = 30
HOUSEHOLDS = 330


def village_name(i: int) -> str:
    return f"第{i + 1:02d}村"


def write_roster(path: Path, villages: int, households: int) -> dict[str, list[str]]:
    from canvasser.core.demo import people

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


def record(ws, pids: list[str], n: int, rng: random.Random) -> None:
    """n events as cadres make them: visits (90%) and person edits (10%), one transaction."""
    from canvasser.core.rules.campaign import CHANNELS, OUTCOMES

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


def child_build(folder: str, villages: int, events: int, households: int) -> dict:
    """(In a plain child.) The township, its villages and their packages."""
    from canvasser.core.lists.roster import import_roster
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.sync import export_package, init_township, init_village, make_setup_package

    d = Path(folder)
    rng = random.Random(7)
    ids = write_roster(d / "roster.csv", villages, households)
    town = open_workspace(d / "township.db")
    init_township(town, "某某镇")
    import_roster(town, d / "roster.csv")
    ups, again = [], []
    per = events // villages
    for v in range(villages):
        name = village_name(v)
        made = make_setup_package(town, name, d / f"setup-{v}.ccpkg")
        init_village(d / f"v{v}.db", d / f"setup-{v}.ccpkg", code=made["code"])
        with open_workspace(d / f"v{v}.db") as vil:
            record(vil, ids[name], per, rng)
            export_package(vil, d / f"up-{v}.ccpkg")
            export_package(vil, d / f"again-{v}.ccpkg")
        remove_workspace(d / f"v{v}.db")
        ups.append(str(d / f"up-{v}.ccpkg"))
        again.append(str(d / f"again-{v}.ccpkg"))
    people = town.scalar("SELECT count(*) FROM persons")
    town.close()
    return {"ups": ups, "again": again, "people": people, "events": per * villages,
            "bytes": sum(Path(p).stat().st_size for p in ups)}


def child_encrypt(db: str) -> dict:
    from canvasser.core.storage.convert import convert

    with Section() as s:
        convert(Path(db), PASSPHRASE)
    return {"seconds": s.wall}


def child_merge(db: str, ups: list[str], again: list[str], check: bool) -> dict:
    from canvasser.core.storage import integrity
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.sync import receive_packages

    town = open_workspace(db, create=False)
    with Section() as first:
        merged = receive_packages(town, ups)
    out = {"merge": first.wall, "merge_cpu": first.cpu, "applied": sum(r["applied"] for r in merged),
           "events": town.event_count(), "digest": integrity.state_digest(town)}
    with Section() as twice:
        repeat = receive_packages(town, ups)
    with Section() as renew:
        renewed = receive_packages(town, again)
    out.update(again=twice.wall, again_cpu=twice.cpu, renew=renew.wall,
               same=town.event_count() == out["events"] and integrity.state_digest(town) == out["digest"]
               and not any(r["applied"] for r in repeat + renewed))
    if check:
        out["ok"] = integrity.check(town)["ok"]
    town.close()
    return out


def township(scale: Scale) -> tuple[Path, Path, list[str], list[str], dict]:
    folder = scale.work / f"sync-{scale.merge_events}"
    done = folder / "built.json"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        built = run_child("bench_sync", "child_build", folder, VILLAGES, scale.merge_events, HOUSEHOLDS, plain=True).out
        enc = copy_workspace(folder / "township.db", folder / "township-enc.db")
        built["encrypt_s"] = run_child("bench_sync", "child_encrypt", enc)["seconds"]
        done.write_text(json.dumps(built), encoding="utf-8")
        say(f"  township: {built['people']:,} people, {VILLAGES} packages of {built['events']:,} events "
            f"({built['bytes'] / 1e6:.1f} MB); encrypted copy made in {built['encrypt_s']:.1f} s")
    built = json.loads(done.read_text(encoding="utf-8"))
    return folder / "township.db", folder / "township-enc.db", built["ups"], built["again"], built


def measure(scale: Scale) -> list[Row]:
    plain, enc, ups, again, built = township(scale)
    run = scale.work / "merge-run.db"
    check = scale.merge_events <= 30_000
    pairs = alternate(
        scale.repeat,
        lambda: run_child("bench_sync", "child_merge", copy_workspace(enc, run), ups, again, check),
        lambda: run_child("bench_sync", "child_merge", copy_workspace(plain, run), ups, again, check, plain=True))
    remove_workspace(run)
    for e, p in pairs:
        say(f"  merge {e['applied']:,} events: encrypted {e['merge']:.2f} s (CPU {e['merge_cpu']:.2f} s), again "
            f"{e['again']:.2f} s, re-exported {e['renew']:.2f} s; plain {p['merge']:.2f} s (CPU {p['merge_cpu']:.2f} s); "
            f"load {e.load}")
    encs = [e for e, _ in pairs]
    if not all(e["same"] and p["same"] and e["digest"] == p["digest"] for e, p in pairs):
        raise AssertionError("the merges did not end in the same state (again, re-exported, plain and encrypted)")
    if check and not all(e["ok"] and p["ok"] for e, p in pairs):
        raise AssertionError("the merged township fails its integrity check")
    ratios = [e["merge_cpu"] / p["merge_cpu"] for e, p in pairs]
    merge = median([e["merge"] for e in encs])
    return [
        Row("merge", merge, seconds=merge, cpu=median([e["merge_cpu"] for e in encs]),
            cpu_value=median([e["merge_cpu"] for e in encs]),
            note=f"{encs[0]['applied']:,} events from {VILLAGES} packages into a township of {built['people']:,} "
                 f"people, one transaction; re-exported packages {median([e['renew'] for e in encs]):.2f} s"),
        Row("merge_again", median([e["again"] for e in encs]), seconds=median([e["again"] for e in encs]),
            cpu=median([e["again_cpu"] for e in encs]), cpu_value=median([e["again_cpu"] for e in encs]),
            note="no change, same state"),
        Row("atrest_merge", median([e["merge"] / p["merge"] for e, p in pairs]), cpu_value=median(ratios), seconds=merge, floor=median([p["merge"] for _, p in pairs]),
            cpu=median([e["merge_cpu"] for e in encs]),
            note=f"CPU {median([e['merge_cpu'] for e in encs]):.2f} s vs plain "
                 f"{median([p['merge_cpu'] for _, p in pairs]):.2f} s (ratios {', '.join(f'{r:.2f}' for r in ratios)})"),
    ]


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
