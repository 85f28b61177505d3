"""Benchmarks for the list import (DESIGN §9), on encrypted workspaces.

    python bench/bench_import.py [--people 1000000] [--work DIR]

- import a generated xlsx of min(people, 100,000) rows against python-calamine's bare read of the
  same file (budget 3.5x; alternating pairs, the median ratio);
- import a csv of `people` rows against the write floor (`bench/write_floor.py`: SQLCipher alone
  writing the same rows and indexes into a new encrypted workspace; budget 3x) and on its own
  (budget 60 s at a million; peak memory of all its processes 500 MB);
- the same csv imported into a plain workspace, in the same rounds: the encrypted import against the
  plain one (budget 1.15x; the wall clock, or when the machine is loaded the CPU of every process,
  the import and its list reader).
Every import runs in a fresh process; the rounds go plain, encrypted, floor / floor, encrypted, plain.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from common import (  # noqa: E402
    Child,
    Row,
    Scale,
    Section,
    alternate,
    median,
    remove_workspace,
    run_child,
    run_standalone,
    say,
)

HEADER = ["序号", "姓名", "公民身份号码", "性别", "出生日期", "人员类别", "乡镇（街道）", "村（社区）", "村民小组", "户编号",
          "与户主关系", "户籍地址", "联系电话", "上年参保状态"]


def generate(n: int, seed: int = 1):
    """n synthetic rows over villages of ~3,000 people each."""
    from canvasser.core.demo import people

    made, v = 0, 0
    while made < n:
        for p in people(seed + v, 1100, f"第{v + 1}村", "某某镇", dt.date(2026, 11, 1)):
            if made >= n:
                return
            made += 1
            p["户编号"] = f"V{v:04d}{p['户编号']}"
            yield [made, p["姓名"], p["公民身份号码"], p["性别"], p["出生日期"], p["人员类别"], p["乡镇（街道）"],
                   p["村（社区）"], p["村民小组"], p["户编号"], p["与户主关系"], p["户籍地址"], p["联系电话"],
                   p["上年参保状态"]]
        v += 1


def unique_ids(rows):
    seen = set()
    for r in rows:
        if r[2] in seen:
            continue
        seen.add(r[2])
        yield r


def write_xlsx(path: Path, n: int) -> None:
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    sh = wb.create_sheet("名单")
    sh.append(["某某镇未参保人员名单"])
    sh.append(HEADER)
    for r in unique_ids(generate(n)):
        sh.append(r)
    wb.save(path)


def write_csv(path: Path, n: int, seed: int = 7) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for r in unique_ids(generate(n, seed=seed)):
            w.writerow(r)


# ---- the files and workspaces other benches share (made once per folder and scale) -------------------
def xlsx_list(scale: Scale) -> Path:
    path = scale.work / f"list-{scale.xlsx_rows}.xlsx"
    if not path.exists():
        t = time.perf_counter()
        write_xlsx(path.with_suffix(".part"), scale.xlsx_rows)
        path.with_suffix(".part").rename(path)
        say(f"  generated a {scale.xlsx_rows:,}-row xlsx in {time.perf_counter() - t:.0f} s")
    return path


def csv_list(scale: Scale) -> Path:
    path = scale.work / f"list-{scale.people}.csv"
    if not path.exists():
        t = time.perf_counter()
        write_csv(path.with_suffix(".part"), scale.people)
        path.with_suffix(".part").rename(path)
        say(f"  generated a {scale.people:,}-row csv in {time.perf_counter() - t:.0f} s")
    return path


def people_path(scale: Scale, plain: bool = False) -> Path:
    return scale.work / f"people-{scale.people}{'-plain' if plain else ''}.db"


def people_db(scale: Scale, plain: bool = False) -> Path:
    """The workspace of `people` imported from the csv (encrypted, or plain for the pairs)."""
    path = people_path(scale, plain)
    if not path.exists():
        part = path.with_name(path.name + ".part")
        remove_workspace(part)
        run_child("bench_import", "child_import", part, csv_list(scale), plain=plain)
        _rename_workspace(part, path)
    return path


def _rename_workspace(src: Path, dst: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(src) + suffix).unlink(missing_ok=True)
    if Path(str(src) + ".keys").exists():
        os.replace(str(src) + ".keys", str(dst) + ".keys")
    os.replace(src, dst)


# ---- children ---------------------------------------------------------------------------------------
def child_import(db: str, src: str) -> dict:
    """Import a list into a new workspace (its key is made before the clock starts)."""
    from canvasser.core.lists.roster import import_roster
    from canvasser.core.storage.opening import open_workspace

    remove_workspace(Path(db))
    ws = open_workspace(db)
    ws.origin  # noqa: B018
    together = TogetherPeak()
    together.start()
    with Section() as s:
        res = import_roster(ws, src)
    together.finish()
    ws.close()
    return {"seconds": s.wall, "cpu": s.cpu - together.cpu, "peak_mb": together.peak, "imported": res.imported,
            "rejected": len(res.rejected)}


def child_calamine(xlsx: str) -> dict:
    """python-calamine's bare read of the sheet."""
    from python_calamine import CalamineWorkbook

    with Section() as s:
        rows = CalamineWorkbook.from_path(xlsx).get_sheet_by_index(0).to_python()
    return {"seconds": s.wall, "cpu": s.cpu, "rows": len(rows)}


class TogetherPeak(threading.Thread):
    """The largest memory of this process and its reading process together, sampled every 50 ms
    (Linux /proc): each one's own peak comes at a different time (the reader's while it reads, the
    writer's while it builds the indexes after the reader has gone). Proportional set sizes (PSS): a
    forked reader shares its parent's pages until either writes them, and resident sizes would
    count those twice.

    Reading smaps_rollup walks the processes' page tables in the kernel, on this thread's CPU time,
    which the import's CPU would otherwise include (0.3 s of a 4 s import of 100,000 rows): `cpu`
    is this thread's own, for the caller to take off."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = False
        self.peak = 0.0
        self.cpu = 0.0

    def finish(self) -> None:
        """Stop sampling; `peak` and `cpu` are final after this."""
        self.stop = True
        self.join()

    @staticmethod
    def _rss_mb(pid: int) -> float:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def run(self) -> None:
        import multiprocessing
        while not self.stop:
            pids = [os.getpid(), *(c.pid for c in multiprocessing.active_children())]
            self.peak = max(self.peak, sum(self._rss_mb(pid) for pid in pids))
            self.cpu = time.thread_time()
            time.sleep(0.05)
        self.cpu = time.thread_time()


# ---- the rows ---------------------------------------------------------------------------------------
def measure_xlsx(scale: Scale) -> list[Row]:
    xlsx = xlsx_list(scale)
    db = scale.work / "xlsx-import.db"
    pairs = alternate(max(scale.repeat, 5), lambda: run_child("bench_import", "child_calamine", xlsx),
                      lambda: run_child("bench_import", "child_import", db, xlsx))
    remove_workspace(db)
    for read, imp in pairs:
        say(f"  xlsx {scale.xlsx_rows:,} rows: calamine {read['seconds']:.2f} s, import {imp['seconds']:.2f} s "
            f"= {imp['seconds'] / read['seconds']:.2f}x (CPU {read['cpu']:.2f} / {imp['cpu']:.2f} s), load {imp.load}")
    ratios = [imp["seconds"] / read["seconds"] for read, imp in pairs]
    cpu = [imp["cpu"] / read["cpu"] for read, imp in pairs]
    return [Row("import_xlsx", median(ratios), seconds=median([i["seconds"] for _, i in pairs]), cpu_value=median(cpu),
                floor=median([r["seconds"] for r, _ in pairs]), cpu=median([i["cpu"] for _, i in pairs]),
                note=f"{scale.xlsx_rows:,} rows; wall ratios {_list(ratios)}; CPU of every process "
                     f"{median(cpu):.2f}x calamine's")]


def measure_csv(scale: Scale) -> list[Row]:
    """The csv imported encrypted (alternating with the write floor and with a plain import)."""
    src = csv_list(scale)
    enc = people_path(scale)
    floors, encs, plains, plain_floors = [], [], [], []

    def imported(plain: bool) -> Child:
        """The first import of each kind is kept: the workspace the other benches use."""
        keep = people_path(scale, plain)
        if keep.exists():
            return run_child("bench_import", "child_import", scale.work / "csv-again.db", src, plain=plain)
        part = keep.with_name(keep.name + ".part")
        done = run_child("bench_import", "child_import", part, src, plain=plain)
        _rename_workspace(part, keep)
        return done

    def encrypted() -> None:
        encs.append(imported(False))

    def floor() -> None:
        floors.append(run_child("write_floor", "child_floor", enc, scale.work / "floor.db"))

    def plain_floor() -> None:  # what encryption costs SQLite alone: the floor under the encrypted-vs-plain ratio
        plain_floors.append(run_child("write_floor", "child_floor", people_path(scale, True), scale.work / "floor.db",
                                      plain=True))

    def plain_import() -> None:
        plains.append(imported(True))

    for i in range(max(scale.repeat, 5) if scale.quick else scale.repeat):  # a second each, at --quick
        for step in ((plain_import, encrypted, floor, plain_floor) if i % 2 == 0
                     else (plain_floor, floor, encrypted, plain_import)):
            step()
        e, f, p, fp = encs[-1], floors[-1], plains[-1], plain_floors[-1]
        say(f"  csv {scale.people:,}: encrypted {e['seconds']:.1f} s (CPU {e['cpu']:.1f} s, {e['peak_mb']:.0f} MB), "
            f"plain {p['seconds']:.1f} s (CPU {p['cpu']:.1f} s), floor {f['floor']:.1f} s (CPU {f['floor_cpu']:.1f} s; "
            f"plain {fp['floor_cpu']:.1f} s); load {e.load}")
    remove_workspace(scale.work / "csv-again.db")
    ratios = [e["seconds"] / f["floor"] for e, f in zip(encs, floors)]
    cpu_ratios = [e["cpu"] / p["cpu"] for e, p in zip(encs, plains)]
    # the least an import doing the same SQLite writes can cost encrypted: the plain import plus what
    # encryption adds to SQLite alone writing the same rows and indexes
    reach = [1 + (f["floor_cpu"] - fp["floor_cpu"]) / p["cpu"] for f, fp, p in zip(floors, plain_floors, plains)]
    wall_ratios = [e["seconds"] / p["seconds"] for e, p in zip(encs, plains)]
    steps = floors[0]["steps"]
    index_s = sum(v for k, v in steps.items() if k.startswith("index "))
    seconds = median([e["seconds"] for e in encs])
    floor_s = median([f["floor"] for f in floors])
    return [
        Row("import_csv", median(ratios), seconds=seconds, floor=floor_s, cpu=median([e["cpu"] for e in encs]),
            cpu_value=median([e["cpu"] / f["floor_cpu"] for e, f in zip(encs, floors)]),
            note=f"{scale.people:,} rows; ratios {_list(ratios)}; the floor's index builds {index_s:.1f} s "
                 f"of {floors[0]['floor']:.1f} s"),
        Row("import_csv_s", seconds, seconds=seconds, reach=floor_s, cpu=median([e["cpu"] for e in encs]),
            cpu_value=median([e["cpu"] for e in encs]),
            note=f"{scale.people:,} rows; the write floor alone takes {floor_s:.1f} s"),
        Row("import_csv_mb", max(e["peak_mb"] for e in encs), seconds=seconds,
            note="the import and its list reader together, sampled every 50 ms"),
        Row("atrest_import", median(wall_ratios), cpu_value=median(cpu_ratios), seconds=seconds, floor=median([p["seconds"] for p in plains]),
            cpu=median([e["cpu"] for e in encs]), reach=median(reach),
            note=f"CPU ratios {_list(cpu_ratios)} (plain CPU {median([p['cpu'] for p in plains]):.1f} s); "
                 f"wall ratios {_list(wall_ratios)}; SQLCipher alone writing the same rows and indexes takes "
                 f"{median([f['floor_cpu'] for f in floors]):.1f} s CPU against plain SQLite's "
                 f"{median([f['floor_cpu'] for f in plain_floors]):.1f} s: no import doing these writes can go "
                 f"below {median(reach):.2f}x"),
    ]


def _list(xs: list[float]) -> str:
    return "[" + ", ".join(f"{x:.2f}" for x in xs) + "]"


def measure(scale: Scale) -> list[Row]:
    return measure_xlsx(scale) + measure_csv(scale)


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
