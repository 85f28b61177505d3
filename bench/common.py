"""What every bench shares: the scale, the rows of the table, children measured whole, pairs.

A bench measures its work in a child process (a fresh interpreter, as the clerk's app would be, so
nothing the parent built counts towards time or memory), and the parent counts the CPU of that child
and of every process it started (its list reader included: `RUSAGE_CHILDREN`). Where a floor exists
the work and the floor alternate (floor, work, work, floor, ...) and the median of the pairs' ratios
is the figure: this machine's speed drifts within minutes, and a ratio taken from neighbours travels.

    python bench/common.py --child MODULE FUNCTION JSON-ARGS [--plain]   (what `run_child` starts)
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from budgets import BUDGETS, Budget  # noqa: E402 — beside this file

PASSPHRASE = "基准测试的口令 2027"
# a child Python writes to its pipe in the locale's encoding (no UTF-8 mode here)
CHILD_ENCODING = "utf-8" if sys.flags.utf8_mode else "locale"


def load() -> float:
    """The one-minute load average (how busy the shared machine was)."""
    return round(os.getloadavg()[0], 2)


@dataclass
class Scale:
    """How big a run is, and where it keeps its files."""

    people: int
    work: Path
    repeat: int = 3
    quick: bool = False

    @property
    def xlsx_rows(self) -> int:
        return min(self.people, 100_000)

    # at a small scale the works keep a size at which their fixed costs (a transaction, a commit, the
    # campaign's settings) do not make the figure: a township's day of 30,000 events, a list of 10,000
    @property
    def merge_events(self) -> int:
        return max(30_000, self.people * 3 // 10)

    @property
    def match_rows(self) -> int:
        return max(10_000, self.people // 10)

    @property
    def report_visits(self) -> int:
        return max(100, self.people // 100)

    @property
    def county_events(self) -> int:
        return max(30_000, self.people * 3)

    @property
    def words(self) -> dict[str, int]:
        """The figures a budget's work names (budgets.MILLION), at this scale."""
        return {"people": self.people, "rows": self.xlsx_rows, "list": self.match_rows, "events": self.merge_events,
                "visits": self.report_visits, "county_events": self.county_events}


@dataclass
class Row:
    """One line of the table: the work, its floor where it has one, the figure judged.

    Every figure is judged on the wall clock when the machine was quiet, and on the CPU time of
    every process that did the work (`cpu_value`: for a ratio, the ratio of CPU times) when the load
    average was at or above the number of cores: then the wall clock measures the other work on the
    machine as much as this one (pairs a few seconds apart gave wall ratios of 0.8 and 5.8 at a load
    of 8.5). CPU time is the stricter measure for work done by two processes at once (the list
    imports): it adds up what the wall clock of a quiet machine would overlap."""

    key: str  # the budget (budgets.BUDGETS)
    value: float  # the figure, in the budget's unit (a ratio for "x" budgets), on the wall clock
    seconds: float | None = None  # how long the work took (wall, median)
    floor: float | None = None  # the floor's seconds (median), for a ratio
    cpu: float | None = None  # CPU seconds of the work (every process), median
    note: str = ""
    reach: float | None = None  # the floor of an absolute budget: above the limit, the budget is out of reach
    cpu_value: float | None = None  # the figure in CPU time (a ratio of CPU times for a ratio)
    load: float = field(default_factory=load)

    @property
    def budget(self) -> Budget:
        return BUDGETS[self.key]

    @property
    def on_cpu(self) -> bool:
        return self.cpu_value is not None and self.load >= (os.cpu_count() or 1)

    @property
    def figure(self) -> float:
        return self.cpu_value if self.on_cpu else self.value

    @property
    def met(self) -> bool:
        return self.figure <= self.budget.limit

    @property
    def verdict(self) -> str:
        if self.met:
            return "met"
        if self.reach is not None and self.reach > self.budget.limit:
            return "floor over budget"
        return "MISSED"

    def as_json(self, scale: Scale | None = None) -> dict:
        b = self.budget
        out = {"work": b.what(scale.words if scale else None), "floor": _round(self.floor),
               "ratio": _round(self.figure) if b.unit == "x" else None, "seconds": _round(self.seconds),
               "budget": b.text, "met": self.met, "key": self.key, "figure": _round(self.figure), "unit": b.unit,
               "judged_on": "cpu" if self.on_cpu else "wall", "wall_figure": _round(self.value),
               "cpu": _round(self.cpu), "load": self.load, "verdict": self.verdict, "note": self.note}
        if self.reach is not None:
            out["reach"] = _round(self.reach)
        return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


@dataclass
class Skip:
    key: str
    reason: str

    def as_json(self, scale: Scale | None = None) -> dict:
        return {"work": BUDGETS[self.key].what(scale.words if scale else None), "budget": BUDGETS[self.key].text, "key": self.key,
                "skipped": self.reason}


@dataclass
class Child:
    """What a child reported (its JSON), with its wall time and the CPU of it and its children."""

    out: dict
    wall: float
    cpu: float
    load: float

    def __getitem__(self, k: str):
        return self.out[k]


def child_env() -> dict[str, str]:
    """Children unlock workspaces with the bench's passphrase, draw offscreen, and keep the key
    copies the app leaves in its data folder in the bench's folder (`use_folder`)."""
    return dict(os.environ, CANVASSER_PASSPHRASE=PASSPHRASE, QT_QPA_PLATFORM="offscreen")


def use_folder(work: Path) -> None:
    """The app's data folder (escrowed key files, settings) inside the bench's own folder."""
    os.environ.setdefault("CANVASSER_DATA", str(work / "appdata"))


def run_child(module: str, function: str, *args, plain: bool = False, timeout: float = 7200) -> Child:
    """Run `module.function(*args)` in a fresh interpreter; it returns a JSON-able dict."""
    cmd = [sys.executable, str(BENCH / "common.py"), "--child", module, function, json.dumps([str(a) if isinstance(a, Path)
                                                                                             else a for a in args])]
    if plain:
        cmd.append("--plain")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, encoding=CHILD_ENCODING, errors="replace", env=child_env(),
                       timeout=timeout)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode:
        raise RuntimeError(f"{module}.{function} ({'plain' if plain else 'encrypted'}) failed:\n{r.stderr[-3000:]}")
    lines = [line for line in r.stdout.strip().splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{module}.{function} printed no result:\n{r.stdout[-1000:]}\n{r.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Child(json.loads(lines[-1]), wall, cpu, load())


class Section:
    """Wall and CPU time of a stretch of work inside a child: this process and the children it
    waited for meanwhile (the list reader), so nothing that did the work is left out."""

    def __enter__(self) -> Section:
        self.t = time.perf_counter()
        self.c = _cpu_all()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t
        self.cpu = _cpu_all() - self.c


def _cpu_all() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def alternate(n: int, first: Callable[[], object], second: Callable[[], object]) -> list[tuple[object, object]]:
    """n pairs, the order swapped every pair (a b, b a, a b ...); returns (first, second) results."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            a = first()
            b = second()
        else:
            b = second()
            a = first()
        out.append((a, b))
    return out


def copy_workspace(src: Path, dst: Path) -> Path:
    """A copy of a workspace and its key file (a copy starts its own origin on first write)."""
    for suffix in ("", "-wal", "-shm", ".keys"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    keys = Path(str(src) + ".keys")
    if keys.exists():
        shutil.copyfile(keys, str(dst) + ".keys")
    os.sync()  # the copy is on disk before any clock starts, not written back during the work
    return dst


def remove_workspace(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".keys", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def set_plain() -> None:
    """In this process, every workspace opens without a key: the old plain behaviour (the pair of
    encrypted-vs-plain)."""
    from canvasser.core.storage import opening

    opening._key_for = lambda *a, **k: (None, None)


def child_main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=3, required=True)
    ap.add_argument("--plain", action="store_true")
    args = ap.parse_args()
    module, function, raw = args.child
    if args.plain:
        set_plain()
    out = getattr(importlib.import_module(module), function)(*json.loads(raw))
    print(json.dumps(out, ensure_ascii=True))


def as_rows(rows: list[Row | Skip], scale: Scale | None = None) -> dict:
    return {"rows": [r.as_json(scale) for r in rows if isinstance(r, Row)],
            "skipped": [r.as_json(scale) for r in rows if isinstance(r, Skip)]}


def table(rows: list[Row | Skip], scale: Scale | None = None) -> str:
    """The rows as a plain-text table: work, floor, ratio, seconds, budget, met (and the load)."""
    head = ("work", "floor s", "ratio", "seconds", "figure", "budget", "met", "load")
    lines = []
    words = scale.words if scale else None
    for r in rows:
        if isinstance(r, Skip):
            lines.append((BUDGETS[r.key].what(words), "", "", "", "", BUDGETS[r.key].text, "skipped", ""))
            continue
        b = r.budget
        figure = f"{r.figure:.2f}x" if b.unit == "x" else f"{r.figure:.1f} {b.unit}" if b.unit in ("ms", "MB") \
            else f"{r.figure:.2f} {b.unit}"
        figure += " CPU" if r.on_cpu else ""
        lines.append((b.what(words), _fmt(r.floor), f"{r.figure:.2f}" if b.unit == "x" else "", _fmt(r.seconds), figure,
                      b.text, r.verdict, f"{r.load:.1f}"))
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(head, widths))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)) for line in lines]
    notes = [f"- {BUDGETS[r.key].what(words)}: {r.note}" for r in rows if isinstance(r, Row) and r.note]
    notes += [f"- {BUDGETS[r.key].what(words)}: skipped: {r.reason}" for r in rows if isinstance(r, Skip)]
    return "\n".join(out + ([""] + notes if notes else []))


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def run_standalone(measure: Callable[[Scale], list[Row | Skip]], description: str) -> None:
    """A bench run on its own: `--people N` (default 100,000), its rows printed as the table."""
    import tempfile

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", help="folder for the generated files (kept; reused by later runs)")
    args = ap.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="canvasser-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    use_folder(work)
    scale = Scale(args.people, work, args.repeat)
    rows = measure(scale)
    print(table(rows, scale))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


def as_dict(x) -> dict:
    return asdict(x)


if __name__ == "__main__":
    child_main()
