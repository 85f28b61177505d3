"""The clock lives in the file: a visit written on any connection or process after a package from a
fast-clock laptop arrived (on another connection, or in another process) still sorts after it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import hlc
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import HLC_MARK, Workspace
from canvasser.core.sync import export_package, receive_package
from tests.test_sync_support import VILLAGES, ids_of, make_township, make_village

DAY_MS = 86_400_000


def status(ws: Workspace, pid: str) -> str:
    return ws.scalar("SELECT status FROM persons WHERE pid=?", (pid,))


@pytest.fixture
def fast_package(tmp_path):
    """A township file and a package from a village laptop whose clock runs a day ahead: it refuses `pid`."""
    town, people = make_township(tmp_path, households=3)
    village = make_village(town, tmp_path, VILLAGES[0])
    pid, other = ids_of(people, VILLAGES[0])[:2]
    village._clock = hlc.Clock(wall=lambda: int(time.time() * 1000) + DAY_MS)  # a dead CMOS battery
    record_visit(village, pid, "refused", by="村文书")
    up = tmp_path / "up.ccpkg"
    export_package(village, up)
    village.close()
    path = town.path
    town.close()
    return path, up, pid, other


def test_a_later_visit_on_a_second_connection_wins(fast_package):
    path, up, pid, other = fast_package
    window, worker = open_workspace(path), open_workspace(path)
    record_visit(window, other, "not_home", by="乡镇干部")  # the window has been in use all morning
    receive_package(worker, up)
    assert status(window, pid) == "refused"
    record_visit(window, pid, "paid_on_site", by="乡镇干部")
    assert status(worker, pid) == "paid_on_site"
    newest = window.scalar("SELECT max(hlc) FROM events")
    assert window.meta(HLC_MARK) == newest  # the mark is the file's largest HLC
    window.close()
    worker.close()


def test_a_later_visit_wins_over_a_package_another_process_received(fast_package):
    path, up, pid, other = fast_package
    window = open_workspace(path)
    record_visit(window, other, "not_home", by="乡镇干部")
    script = textwrap.dedent("""
        import sys
        from canvasser.core.storage.opening import open_workspace
        from canvasser.core.storage.store import Workspace
        from canvasser.core.sync import receive_package
        ws = open_workspace(sys.argv[1]); receive_package(ws, sys.argv[2]); ws.close()
    """)
    subprocess.run([sys.executable, "-c", script, str(path), str(up)], check=True, timeout=120,
                   cwd=Path(__file__).resolve().parent.parent)
    record_visit(window, pid, "paid_on_site", by="乡镇干部")
    assert status(window, pid) == "paid_on_site"
    window.close()


def test_no_event_is_written_at_or_below_the_files_mark(tmp_path):
    """Two connections writing in turn, one with a clock a day ahead: HLCs in the file only grow."""
    path = tmp_path / "w.db"
    a, b = open_workspace(path), open_workspace(path)
    a._clock = hlc.Clock(wall=lambda: int(time.time() * 1000) + DAY_MS)
    for i in range(6):
        (a if i % 2 else b).emit("note", f"x:{i}", {"i": i})
    written = [r[0] for r in a.conn.execute("SELECT hlc FROM events ORDER BY rowid")]
    assert written == sorted(written) and len(set(written)) == len(written)
    assert a.meta(HLC_MARK) == written[-1]
    a.close()
    b.close()
