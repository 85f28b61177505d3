"""Benchmark: the main window on the imported workspace (DESIGN §9), encrypted, and plain for the pair.

    python bench/bench_gui.py [--people 1000000] [--work DIR]

In a fresh process (offscreen), the key already unlocked (as after the passphrase dialog):
- first rows: from before Qt is imported to the window shown with its first rows painted (budget 2 s);
- a search keystroke as a user types it (QTest key clicks into the search box): from the last key
  to the table painted, the debounce included (budget: the debounce + 100 ms), for several kinds
  of query; the worker's whole ordered list is reported beside it;
- scrolling to the last row reads one block, not all rows; peak memory (budget 500 MB);
- the encrypted window's first rows against a plain one's (budget 1.15x; wall, or CPU time when the
  machine is loaded), alternating.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from bench_import import people_db  # noqa: E402 — beside this file
from common import Row, Scale, alternate, median, run_child, run_standalone, say  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def type_text(widget, text: str) -> None:
    """Type as a cadre does: Latin letters and digits as key presses, Chinese characters as the input
    method commits them (QTest's key clicks take ASCII only)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    for ch in text:
        if ch.isascii():
            QTest.keyClick(widget, ch)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def child_window(db: str) -> dict:
    from canvasser.core.storage.opening import open_workspace

    open_workspace(db, create=False).close()  # the key is known now (as after the passphrase dialog)
    t0, c0 = time.perf_counter(), time.process_time()
    from PySide6.QtCore import QEventLoop

    from canvasser.ui.app import make_app
    from canvasser.ui.main_window import MainWindow

    app = make_app()
    # QEventLoop's own processEvents: PySide6 6.12's static QApplication.processEvents (and other static
    # calls returning nothing) drop a reference to None on every call, and Python 3.11 aborts when None's
    # count reaches zero, after some thousands of calls
    pump = QEventLoop().processEvents
    ws = open_workspace(db, create=False)
    window = MainWindow(ws, canvasser="李书记")
    window.resize(1366, 768)
    window.show()
    while window.model.rowCount() == 0 and time.perf_counter() - t0 < 60:
        pump()
    window.table.viewport().repaint()
    first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    out: dict = {"first_rows": first, "first_rows_cpu": first_cpu, "read_at_first": len(window.model._rows)}

    def settle() -> None:
        while not window.model.complete or window.runner.pending():
            pump()
            time.sleep(0.002)
        pump()

    settle()
    out["whole_list"] = time.perf_counter() - t0
    debounce = window.debounce.interval() / 1000
    out["debounce"] = debounce
    sample = ws.conn.execute("SELECT pid, name, phone, py_initials FROM persons WHERE phone != '' "
                             "ORDER BY rowid LIMIT 1 OFFSET ?",
                             (ws.scalar("SELECT count(*) FROM persons") // 2,)).fetchone()
    pid, name, phone, initials = sample
    cases = [("pinyin initials (2)", initials[:2]), ("pinyin initials (3)", initials[:3] or initials),
             ("surname", name[0]), ("full name", name), ("given name", name[1:]), ("ID tail (6)", pid[-6:]),
             ("ID tail (4)", pid[-4:]), ("phone (7)", phone[:7]), ("whole ID", pid)]
    keys = {}
    began: list[float] = []  # CPU time when the debounce ran the search (the window's own work from there)

    def apply_filter() -> int:
        began.append(time.process_time())
        return window.apply_filter()

    window.debounce.timeout.disconnect()
    window.debounce.timeout.connect(apply_filter)
    for label, text in cases:
        window.search_box.blockSignals(True)
        window.search_box.setText("")
        window.search_box.blockSignals(False)
        window.apply_filter()
        settle()
        generation = window.model._generation
        type_text(window.search_box, text)  # each key restarts the debounce, as when typing
        t = time.perf_counter()
        began.clear()
        while window.model._generation == generation and time.perf_counter() - t < 30:
            pump()  # the debounce fires, the search runs
            time.sleep(0.0005)  # (a busy loop here would be CPU time of the bench's, not the window's)
        window.table.viewport().repaint()
        shown, shown_cpu = time.perf_counter() - t, time.process_time() - began[0]
        rows_shown = window.model.rowCount()
        settle()
        keys[label] = {"shown": shown, "cpu": shown_cpu, "rows": rows_shown, "whole": time.perf_counter() - t,
                       "total": window.model.rowCount()}
    out["keys"] = keys
    window.search_box.blockSignals(True)
    window.search_box.setText("")
    window.search_box.blockSignals(False)
    window.apply_filter()
    settle()
    t = time.perf_counter()
    window.table.scrollToBottom()
    window.table.viewport().repaint()
    pump()
    out["scroll"] = time.perf_counter() - t
    out["held"] = len(window.model._rows)
    out["rows"] = window.model.rowCount()
    out["peak_mb"] = peak_mb()
    window.close()
    ws.close()
    del app
    return out


def measure(scale: Scale) -> list[Row]:
    enc, plain = people_db(scale), people_db(scale, plain=True)
    pairs = alternate(max(scale.repeat, 5), lambda: run_child("bench_gui", "child_window", enc),
                      lambda: run_child("bench_gui", "child_window", plain, plain=True))
    for e, p in pairs:
        worst = max(e["keys"].items(), key=lambda kv: kv[1]["shown"])
        say(f"  window: first rows {e['first_rows']:.2f} s (CPU {e['first_rows_cpu']:.2f} s; plain "
            f"{p['first_rows']:.2f} s, CPU {p['first_rows_cpu']:.2f} s), worst keystroke {worst[0]} "
            f"{worst[1]['shown'] * 1000:.0f} ms, peak {e['peak_mb']:.0f} MB; load {e.load}")
    encs = [e for e, _ in pairs]
    debounce = encs[0]["debounce"]
    worst = [max(k["shown"] for k in e["keys"].values()) for e in encs]
    kinds = encs[0]["keys"]
    slowest = max(kinds, key=lambda k: kinds[k]["shown"])
    scrolled = all(e["held"] < e["rows"] or e["rows"] <= 4000 for e in encs)
    ratios = [e["first_rows_cpu"] / p["first_rows_cpu"] for e, p in pairs]
    if not scrolled:
        raise AssertionError(f"scrolling to the end read every row: {encs[0]['held']} of {encs[0]['rows']}")
    return [
        Row("window_first_rows", median([e["first_rows"] for e in encs]), seconds=median([e["first_rows"] for e in encs]),
            cpu=median([e["first_rows_cpu"] for e in encs]), cpu_value=median([e["first_rows_cpu"] for e in encs]),
            note=f"{scale.people:,} persons, from before Qt is imported; the worker's whole list "
                 f"{median([e['whole_list'] for e in encs]):.2f} s"),
        Row("window_keystroke", (median(worst) - debounce) * 1000, seconds=median(worst), floor=debounce,
            cpu_value=median([max(k["cpu"] for k in e["keys"].values()) for e in encs]) * 1000,
            note=f"slowest: {slowest} ({kinds[slowest]['rows']:,} rows shown, whole list of "
                 f"{kinds[slowest]['total']:,} in {kinds[slowest]['whole']:.2f} s); "
                 + ", ".join(f"{k} {v['shown'] * 1000:.0f}" for k, v in kinds.items()) + " ms"),
        Row("window_mb", max(e["peak_mb"] for e in encs),
            note=f"scrolled to the last of {encs[0]['rows']:,} rows in {encs[0]['scroll'] * 1000:.0f} ms holding "
                 f"{encs[0]['held']:,} rows"),
        Row("atrest_first_rows", median([e["first_rows"] / p["first_rows"] for e, p in pairs]), cpu_value=median(ratios), seconds=median([e["first_rows"] for e in encs]),
            floor=median([p["first_rows"] for _, p in pairs]), cpu=median([e["first_rows_cpu"] for e in encs]),
            note=f"CPU {median([e['first_rows_cpu'] for e in encs]):.2f} s vs plain "
                 f"{median([p['first_rows_cpu'] for _, p in pairs]):.2f} s (ratios {', '.join(f'{r:.2f}' for r in ratios)})"),
    ]


if __name__ == "__main__":
    run_standalone(measure, __doc__.splitlines()[0])
