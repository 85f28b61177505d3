"""Benchmark for bounded reading (issue 33): how fast and in how little memory a bomb is refused.

    python bench/bench_bombs.py [--gigabytes 1]

Builds, in a temporary folder:
- a ~1 MB xlsx whose shared strings hold one string of N GB ('A' repeated), and
- a village's package, signed with its own real key, whose events part is a zlib stream of
  3 x N GB of zeros (~3 MB on disk),
then runs `canvasser import-roster` and `canvasser receive` on them as the clerk would (a fresh
process each) and prints the wall time and the peak memory of that process (ru_maxrss of the
child). Budget (issue 33): each refused in under 10 s and 500 MB. The floor is the same command on
a sound small file, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def run(args: list[str], env: dict) -> tuple[float, int, int, str]:
    """(seconds, peak MB of the child, exit code, last line of stderr) for one CLI run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "canvasser", *args], env=env, capture_output=True, text=True,
                       timeout=600)
    took = time.monotonic() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return took, max(peak, before) // 1024, r.returncode, (r.stderr.strip().splitlines() or [""])[-1][:120]


def xlsx_bomb(path: Path, gigabytes: float) -> Path:
    from tests.test_bounded_reading import workbook

    return workbook(path, filler=int(gigabytes * (1 << 30)))


def package_bomb(tmp: Path, gigabytes: float) -> tuple[Path, Path]:
    from canvasser.core.storage.store import Workspace
    from tests.insider import forge
    from tests.test_sync_support import VILLAGES, make_township, make_village

    town, _ = make_township(tmp, households=2)
    village = make_village(town, tmp, VILLAGES[0])
    c = zlib.compressobj(9)
    chunk = bytes(64 << 20)
    blob = b"".join(c.compress(chunk) for _ in range(int(3 * gigabytes * (1 << 30)) // len(chunk))) + c.flush()
    out = forge(village, tmp / "bomb.ccpkg", [], blob=blob)
    sound = forge(village, tmp / "sound.ccpkg", [])
    town.close()
    village.close()
    Workspace  # noqa: B018 — (imported for its side effect: the app's SQLite)
    return out, sound


def _cli_cpu(args: list[str], env: dict) -> tuple[float, float, int, int, str]:
    """(seconds, CPU seconds, peak MB, exit code, last line of stderr) of one CLI run, from its own
    resource usage (os.wait4: not the largest of every child this process ever had)."""
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, "-m", "canvasser", *args], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    err = p.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    took = time.monotonic() - t0
    last = (err.strip().splitlines() or [""])[-1][:120]
    return took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, p.returncode, last


def measure(scale) -> list:
    """The rows of bench/all.py: each bomb refused (exit 2, nothing imported) within the budgets, in a
    fresh process, against the same command on a sound file of the same kind (the floor)."""
    from common import Row, say

    gigabytes = 1.0
    tmp = scale.work / "bombs"
    shutil.rmtree(tmp, ignore_errors=True)  # a fresh township and files each run
    tmp.mkdir()
    env = dict(os.environ, CANVASSER_DATA=str(tmp / "data"), QT_QPA_PLATFORM="offscreen")
    os.environ.setdefault("CANVASSER_PASSPHRASE", env.get("CANVASSER_PASSPHRASE", "基准测试的口令 2027"))
    env["CANVASSER_PASSPHRASE"] = os.environ["CANVASSER_PASSPHRASE"]
    from tests.test_bounded_reading import workbook

    sound_x = workbook(tmp / "sound.xlsx")
    bomb_x = xlsx_bomb(tmp / "bomb.xlsx", gigabytes)
    bomb_p, sound_p = package_bomb(tmp, gigabytes)
    rows = []
    for key, mb_key, sound, bomb, cmd in (("bomb_xlsx", "bomb_xlsx_mb", sound_x, bomb_x, "import-roster"),
                                          ("bomb_package", "bomb_package_mb", sound_p, bomb_p, "receive")):
        db = tmp / ("t.db" if cmd == "receive" else f"{key}.db")
        floor = _cli_cpu([cmd, "--db", str(db if cmd == "receive" else tmp / "sound.db"), str(sound)], env)
        got = _cli_cpu([cmd, "--db", str(db), str(bomb)], env)
        if got[3] == 0 or floor[3] != 0:
            raise AssertionError(f"{key}: the bomb was not refused ({got[4]}) or the sound file was ({floor[4]})")
        say(f"  {key}: refused in {got[0]:.2f} s (CPU {got[1]:.2f} s), peak {got[2]} MB; the sound file "
            f"{floor[0]:.2f} s, {floor[2]} MB: {got[4]}")
        rows += [Row(key, got[0], seconds=got[0], floor=floor[0], cpu=got[1], cpu_value=got[1],
                     note=f"{gigabytes * (3 if cmd == 'receive' else 1):g} GB inside ({bomb.stat().st_size / 1e6:.1f} MB "
                          f"on disk); exit {got[3]}: {got[4]}"),
                 Row(mb_key, got[2], seconds=got[0], note=f"the sound file's run: {floor[2]} MB")]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gigabytes", type=float, default=1.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="canvasser-bombs-") as d:
        tmp = Path(d)
        env = dict(os.environ, CANVASSER_DATA=str(tmp / "data"), QT_QPA_PLATFORM="offscreen",
                   CANVASSER_PASSPHRASE=os.environ.get("CANVASSER_PASSPHRASE", "基准测试的口令 2027"))
        os.environ.update(CANVASSER_DATA=env["CANVASSER_DATA"], CANVASSER_PASSPHRASE=env["CANVASSER_PASSPHRASE"])
        from tests.test_bounded_reading import workbook

        sound_x = workbook(tmp / "sound.xlsx")
        bomb_x = xlsx_bomb(tmp / "bomb.xlsx", args.gigabytes)
        bomb_p, sound_p = package_bomb(tmp, args.gigabytes)
        print(f"xlsx bomb: {bomb_x.stat().st_size / 1e6:.1f} MB on disk, a {args.gigabytes:g} GB shared string; "
              f"package bomb: {bomb_p.stat().st_size / 1e6:.1f} MB on disk, {3 * args.gigabytes:g} GB inflated")
        for name, argv in (("xlsx, sound (floor)", ["import-roster", "--db", str(tmp / "s.db"), str(sound_x)]),
                           ("xlsx, bomb", ["import-roster", "--db", str(tmp / "b.db"), str(bomb_x)]),
                           ("package, sound (floor)", ["receive", "--db", str(tmp / "t.db"), str(sound_p)]),
                           ("package, bomb", ["receive", "--db", str(tmp / "t.db"), str(bomb_p)])):
            took, peak, code, last = run(argv, env)
            print(f"{name:24s} exit {code}  {took:5.2f} s  peak {peak:4d} MB  {last}")


if __name__ == "__main__":
    main()
