"""Benchmarks for the foundation (DESIGN §9): list import and search.

    python bench/bench_import.py [--rows 100000] [--csv-rows 1000000] [--skip-csv] [--xlsx F] [--csv F]
                                [--repeat 3]

(--xlsx/--csv reuse files made by an earlier run instead of generating them: that takes minutes.)

- import a generated 100,000-row xlsx vs the time python-calamine needs only to read it (budget 1.5x);
- import a 1,000,000-row csv (budget 30 s, peak memory 500 MB), measured in a child process: the
  memory is the most that it and the process reading the list (a big list has one) held at once;
- search p95 over the imported workspace (budget 50 ms).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from write_floor import report, write_floor  # noqa: E402 — beside this file

from canvasser.core.demo import people  # noqa: E402

HEADER = ["序号", "姓名", "公民身份号码", "性别", "出生日期", "人员类别", "乡镇（街道）", "村（社区）", "村民小组", "户编号",
          "与户主关系", "户籍地址", "联系电话", "上年参保状态"]


# a child Python writes to its pipe in the locale's encoding (no UTF-8 mode here)
CHILD_ENCODING = "utf-8" if sys.flags.utf8_mode else "locale"


def generate(n: int, seed: int = 1):
    """n synthetic rows over villages of ~3,000 people each."""
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


def write_csv(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for r in unique_ids(generate(n, seed=7)):
            w.writerow(r)


def child_import(db: str, src: str) -> None:
    from canvasser.core.lists.roster import import_roster
    from canvasser.core.storage.opening import open_workspace
    together = TogetherPeak()
    together.start()
    t = time.perf_counter()
    res = import_roster(open_workspace(db), src)
    secs = time.perf_counter() - t
    together.stop = True
    together.join()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the list's reading process
    print(json.dumps({"seconds": secs, "peak_mb": peak, "reader_peak_mb": reader, "together_mb": together.peak,
                      "imported": res.imported, "rejected": len(res.rejected)}))


class TogetherPeak(threading.Thread):
    """The largest resident memory of this process and its reading process together, sampled
    every 50 ms (Linux /proc): each one's own peak comes at a different time (the reader's while
    it reads, the writer's while it builds the indexes after the reader has gone)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = False
        self.peak = 0.0

    @staticmethod
    def _rss_mb(pid: int) -> float:
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def run(self) -> None:
        import multiprocessing
        while not self.stop:
            pids = [os.getpid(), *(c.pid for c in multiprocessing.active_children())]
            self.peak = max(self.peak, sum(self._rss_mb(pid) for pid in pids))
            time.sleep(0.05)


def calamine_read(xlsx: Path) -> tuple[float, int]:
    """Seconds python-calamine needs only to read the list, and its row count."""
    from python_calamine import CalamineWorkbook
    t = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    return time.perf_counter() - t, len(rows)


def search_p95(db: Path) -> dict:
    from canvasser.core.rules.search import search
    from canvasser.core.storage.opening import open_workspace
    ws = open_workspace(db)
    sample = ws.query("SELECT pid, name, phone, py_initials FROM persons ORDER BY random() LIMIT 50")
    out = {}
    for label, key in (("full id", lambda r: r["pid"]), ("id tail 6", lambda r: r["pid"][-6:]),
                       ("name", lambda r: r["name"]), ("pinyin initials", lambda r: r["py_initials"]),
                       ("2 initials", lambda r: r["py_initials"][:2]), ("surname", lambda r: r["name"][:1]),
                       ("phone", lambda r: r["phone"] or r["pid"][-4:])):
        times = []
        for r in sample:
            t = time.perf_counter()
            search(ws, key(r), limit=50)
            times.append((time.perf_counter() - t) * 1000)
        out[label] = round(statistics.quantiles(times, n=20)[18], 1)
    ws.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--csv-rows", type=int, default=1_000_000)
    ap.add_argument("--skip-csv", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="xlsx read/import pairs (the median ratio counts)")
    ap.add_argument("--child", nargs=2)
    ap.add_argument("--xlsx", help="an existing list to import instead of a generated one")
    ap.add_argument("--csv", help="an existing csv to import instead of a generated one")
    args = ap.parse_args()
    if args.child:
        child_import(*args.child)
        return
    tmp = Path(tempfile.mkdtemp(prefix="canvasser-bench-"))
    xlsx = Path(args.xlsx) if args.xlsx else tmp / "list.xlsx"
    if not args.xlsx:
        t = time.perf_counter()
        write_xlsx(xlsx, args.rows)
        print(f"generated {args.rows}-row xlsx in {time.perf_counter() - t:.1f}s ({xlsx})")
    # this machine's speed drifts by a quarter within minutes: the read and the import alternate and
    # the median of the ratios is the figure
    ratios = []
    for i in range(args.repeat):
        read, n = calamine_read(xlsx)
        db = tmp / f"x{i}.db"
        r = json.loads(subprocess.run([sys.executable, __file__, "--child", str(db), str(xlsx)],
                                      capture_output=True, encoding=CHILD_ENCODING, check=True).stdout)
        ratios.append(r["seconds"] / read)
        print(f"calamine read only: {read:.2f}s ({n} rows); import xlsx: {r['seconds']:.2f}s = "
              f"{r['seconds'] / read:.2f}x calamine, {r['imported']} people, peak {r['together_mb']:.0f} MB "
              f"for both processes at once")
        if i:
            db.unlink()
        else:
            db.rename(tmp / "x.db")
    print(f"import xlsx: median {statistics.median(ratios):.2f}x calamine over {len(ratios)} runs (budget 1.5x)")
    print("search p95 ms over", r["imported"], "people:", search_p95(tmp / "x.db"))
    if not args.skip_csv:
        src = Path(args.csv) if args.csv else tmp / "big.csv"
        if not args.csv:
            t = time.perf_counter()
            write_csv(src, args.csv_rows)
            print(f"generated {args.csv_rows}-row csv in {time.perf_counter() - t:.1f}s ({src})")
        r = json.loads(subprocess.run([sys.executable, __file__, "--child", str(tmp / "big.db"), str(src)],
                                      capture_output=True, encoding=CHILD_ENCODING, check=True).stdout)
        print(f"import csv: {r['seconds']:.1f}s (budget 30 s), peak {r['together_mb']:.0f} MB for both processes "
              f"at once (budget 500 MB; each one's own peak: {r['peak_mb']:.0f} MB writing, "
              f"{r['reader_peak_mb']:.0f} MB reading), {r['imported']} people")
        print("search p95 ms over", r["imported"], "people:", search_p95(tmp / "big.db"))
        print("the floor: the same rows written again by SQLite alone (bench/write_floor.py):")
        report(write_floor(tmp / "big.db", tmp / "floor.db"))


if __name__ == "__main__":
    main()
