"""Benchmark: payment notices for 1,000 households on an encrypted workspace (budget: <= 5 s, PDF <= 3 MB).

    python bench/bench_notices.py [--work DIR]

A village of 1,000 households (the demo's made-up people, no visits: every household gets a notice)
is imported into an encrypted workspace; then, in a fresh process each time, `build_notices` is
timed (font registration included, opening the workspace not). Median of the runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from common import Row, Scale, Section, median, run_child, run_standalone, say  # noqa: E402

HOUSEHOLDS = 1000


def village(scale: Scale) -> Path:
    """An encrypted village workspace of HOUSEHOLDS households (made once per folder)."""
    db = scale.work / f"notices-{HOUSEHOLDS}.db"
    if not db.exists():
        from canvasser.core.demo import people

        rows = people(3, HOUSEHOLDS, "青石村", "某某镇", dt.date(2026, 11, 1))
        src = scale.work / f"notices-{HOUSEHOLDS}.csv"
        with open(src, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.DictWriter(f, ["序号", *rows[0].keys()])
            w.writeheader()
            for i, r in enumerate(rows, 1):
                w.writerow({"序号": i, **r})
        run_child("bench_import", "child_import", db, src)
    return db


def child_notices(db: str, out: str) -> dict:
    from canvasser.core.outputs.notices.notice import build_notices
    from canvasser.core.storage.opening import open_workspace

    with open_workspace(db, create=False) as ws:
        with Section() as s:
            res = build_notices(ws, Path(out))
    fonts = []
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", out], capture_output=True, encoding="utf-8").stdout.splitlines()[2:]
    return {"seconds": s.wall, "cpu": s.cpu, "households": res.households, "persons": res.persons, "pages": res.pages,
            "bytes": Path(out).stat().st_size, "embedded": all(line.split()[-5] == "yes" for line in fonts)}


def measure(scale: Scale) -> list[Row]:
    db = village(scale)
    out = scale.work / "notices.pdf"
    runs = [run_child("bench_notices", "child_notices", db, out) for _ in range(scale.repeat)]
    for r in runs:
        say(f"  notices: {r['households']} households, {r['persons']} persons, {r['pages']} pages in "
            f"{r['seconds']:.2f} s (CPU {r['cpu']:.2f} s), {r['bytes'] / 1e6:.2f} MB; load {r.load}")
    if not runs[0]["embedded"]:
        raise AssertionError("the notices' fonts are not all embedded")
    seconds = median([r["seconds"] for r in runs])
    return [Row("notices", seconds, seconds=seconds, cpu=median([r["cpu"] for r in runs]),
                cpu_value=median([r["cpu"] for r in runs]),
                note=f"{runs[0]['households']} households, {runs[0]['persons']} persons, {runs[0]['pages']} pages, "
                     f"encrypted workspace"),
            Row("notices_mb", runs[0]["bytes"] / 1e6, seconds=seconds)]


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
