"""Benchmark: payment notices for 1,000 households (budget: ≤ 5 s, PDF ≤ 3 MB; DESIGN §9).

Run: python bench/bench_notices.py [--households N] [--per-page 1|2]
Builds a demo village without visits (so every household gets a notice), then times build_notices
in-process (font registration included, workspace creation excluded) and prints the figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from canvasser.core.demo import make_demo  # noqa: E402
from canvasser.core.outputs.notices.notice import build_notices  # noqa: E402
from canvasser.core.storage.opening import open_workspace  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--households", type=int, default=1000)
    ap.add_argument("--per-page", type=int, default=1, choices=(1, 2))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        make_demo(db, seed=3, households=args.households, visits=False)
        setup = time.perf_counter() - t0
        out = Path(tmp) / "notices.pdf"
        with open_workspace(db) as ws:
            t0 = time.perf_counter()
            res = build_notices(ws, out, per_page=args.per_page)
            secs = time.perf_counter() - t0
        size = out.stat().st_size
        fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, encoding="utf-8").stdout.splitlines()[2:] \
            if _have("pdffonts") else []
    print(f"workspace setup: {setup:.1f} s ({args.households} households)")
    print(f"notices: {res.households} households, {res.persons} persons, {res.pages} pages "
          f"in {secs:.2f} s ({secs / max(1, res.households) * 1000:.2f} ms/household) — budget 5 s: "
          f"{'OK' if secs <= 5 else 'OVER'}")
    print(f"PDF size: {size / 1e6:.2f} MB — budget 3 MB: {'OK' if size <= 3e6 else 'OVER'}")
    if fonts:
        print(f"fonts: {len(fonts)} subsets, embedded: {all(line.split()[-5] == 'yes' for line in fonts)}")


def _have(cmd: str) -> bool:
    import shutil

    return shutil.which(cmd) is not None


if __name__ == "__main__":
    main()
