"""The township clerk's day in the window (issue 23): receive four villages' packages in one action,
see which villages have not reported, resolve a duplicate on its own screen, make every village's
return package in one action; figures agree; a second window on the file is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

from canvasser.core import clock, sync
from canvasser.core.lists.roster import import_roster
from canvasser.core.rules import dashboard, people, reports, visits
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import WorkspaceError
from canvasser.ui.main_window import MainWindow
from canvasser.ui.worker import ImmediateRunner
from tests.fixtures import TODAY, write_csv
from tests.test_sync_support import township_rows

NAMES = ("光明村", "青石社区", "杨柳村", "桃源村", "白河村", "龙泉村")
REPORTING = NAMES[:4]
BABY = "51032120260815001X"


@pytest.fixture
def township(tmp_path):
    """Six villages on the list, four set up and reporting (two adding the same newborn)."""
    rows = township_rows(households=3, villages=NAMES)
    town = open_workspace(tmp_path / "镇.db")
    sync.init_township(town, "某某镇")
    import_roster(town, write_csv(tmp_path / "镇名单.csv", rows), today=TODAY)
    vs, homes = {}, {}
    up = tmp_path / "U盘"
    up.mkdir()
    for v in REPORTING:
        code = sync.make_setup_package(town, v, tmp_path / f"setup-{v}.ccpkg")["code"]
        sync.init_village(tmp_path / f"{v}.db", tmp_path / f"setup-{v}.ccpkg", code=code)
        vs[v] = open_workspace(tmp_path / f"{v}.db")
        first = next(r for r in rows if r["村（社区）"] == v)["公民身份号码"]
        visits.record_visit(vs[v], first, "not_home", by="村文书")
    for v, rel in ((NAMES[0], "孙女"), (NAMES[1], "子")):
        homes[v] = vs[v].scalar("SELECT household FROM persons WHERE village=? LIMIT 1", (v,))
        people.add_person(vs[v], BABY, "范小宝", household=homes[v], relation=rel, grp="一组", by="村文书")
    for v in REPORTING:
        sync.export_package(vs[v], up / f"{v}_上报.ccpkg")
    yield town, vs, homes, up
    for ws in (town, *vs.values()):
        ws.close()


def test_the_clerks_day(app, qtbot, tmp_path, township, monkeypatch):
    town, vs, homes, up = township
    w = MainWindow(town, canvasser="乡镇干事", runner=ImmediateRunner(town))
    qtbot.addWidget(w)
    w.show()

    assert "操作人：" in w.strip.who.text()
    # 1. receive the four packages in one action (a multi-selection in the file dialog)
    chosen = sorted(str(p) for p in up.glob("*.ccpkg"))
    assert len(chosen) == 4
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (chosen, ""))
    dlg = w.open_sync()
    qtbot.mouseClick(dlg.receive_button, Qt.MouseButton.LeftButton)
    assert "一次接收了 4 个数据包" in dlg.result_label.text()
    assert len(dlg.last["packages"]) == 4 and all(r["applied"] for r in dlg.last["packages"])
    assert dlg.info.text().count("0 天前，新增") == 4  # when each village's last package came, what it held
    dlg.accept()
    # the header counts the 待核对 queue, and its task total is the villages' (one typed target)
    assert "待核对重复建档 1 人" in w.strip.unsent.text() and w.act_conflicts.text() == "待核对重复建档（1）"
    from canvasser.core.rules import campaign

    campaign.update(town, {"targets": {NAMES[0]: 5}})
    w.refresh_figures()
    figs = reports.figures(town)
    assert f"任务 {figs['target']} 人" in w.strip.figures.text()
    assert figs["target"] == dashboard.progress(town)["target"] == sum(v["target"] for v in figs["by_village"].values())

    # 2. the dashboard shows who has not reported
    w.tabs.setCurrentWidget(w.dashboard)
    w.dashboard.refresh()
    silent = w.dashboard.silent.text()
    assert "白河村" in silent and "龙泉村" in silent and not any(v in silent for v in REPORTING)
    assert f"已完成 {figs['done']} = 医保局确认已缴 {figs['paid_official']}" in w.dashboard.sums.text()
    # a village's bar opens its list (the first bar: the first in the ranking)
    bars = w.dashboard.groups
    y = next(y for y in range(bars.height()) if bars.bar_at(y) == 0)
    qtbot.mouseClick(bars, Qt.MouseButton.LeftButton, pos=QPoint(bars.width() // 2, y + 2))
    assert w.tabs.currentIndex() == 0 and w.current_filter().village == figs["ranking"][0]
    assert w.model.rowCount() == figs["by_village"][figs["ranking"][0]]["total"]

    # 3. the duplicate on its own screen: both versions side by side, then 归属光明村
    w.act_conflicts.trigger()
    from canvasser.ui.dialogs.conflicts import ConflictsDialog

    cdlg = w.findChildren(ConflictsDialog)[-1]
    assert cdlg.list.count() == 1
    heads = [cdlg.table.horizontalHeaderItem(c).text() for c in range(cdlg.table.columnCount())]
    cells = {heads[c]: [cdlg.table.item(r, c).text() for r in range(cdlg.table.rowCount())]
             for c in range(cdlg.table.columnCount())}
    assert homes[NAMES[0]] in cells[f"{NAMES[0]}的版本"] and "孙女" in cells[f"{NAMES[0]}的版本"]
    assert homes[NAMES[1]] in cells[f"{NAMES[1]}的版本"] and "子" in cells[f"{NAMES[1]}的版本"]
    button = next(b for b in cdlg.findChildren(QPushButton) if b.text() == f"归属{NAMES[0]}")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert cdlg.list.count() == 0 and "已确定归属" in cdlg.result.text()
    cdlg.accept()
    w.refresh_figures()
    assert "待核对" not in w.strip.unsent.text()

    # 4. every village's return package in one action, named with the village and the day
    out = tmp_path / "回传"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    clock.pin(TODAY)  # the packages are named by the day the clerk makes them
    dlg = w.open_sync()
    qtbot.mouseClick(dlg.all_button, Qt.MouseButton.LeftButton)
    today = TODAY.isoformat()
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{v}_回传_{today}.ccpkg" for v in REPORTING)
    for v in REPORTING:
        sync.receive_package(vs[v], out / f"{v}_回传_{today}.ccpkg")
    figs = reports.figures(town)
    for v in REPORTING:
        own = reports.figures(vs[v])
        assert (own["total"], own["target"]) == (figs["by_village"][v]["total"], figs["by_village"][v]["target"])
    row = town.one("SELECT village, household, relation FROM persons WHERE pid=?", (BABY,))
    assert row == {"village": NAMES[0], "household": homes[NAMES[0]], "relation": "孙女"}
    assert vs[NAMES[0]].one("SELECT village, household, relation FROM persons WHERE pid=?", (BABY,)) == row
    # the file dialogs start in the folder used last
    from canvasser.ui.folders import last_folder

    assert last_folder("packages") == out


def test_township_asks_for_a_clerk_and_a_second_window_is_refused(app, qtbot, township):
    from canvasser.ui.app import open_window
    from canvasser.ui.dialogs.canvassers import CanvasserDialog
    from canvasser.ui.worker import ImmediateRunner

    town = township[0]
    dlg = CanvasserDialog(town, ImmediateRunner(town))
    qtbot.addWidget(dlg)
    assert dlg.windowTitle() == "选择乡镇工作人员" and "走访？" not in "".join(
        lab.text() for lab in dlg.findChildren(QLabel))
    first = open_window(Path(town.path), canvasser="乡镇干事")
    with pytest.raises(WorkspaceError, match="另一个窗口"):
        open_window(Path(town.path), canvasser="乡镇干事")
    first.close()
    first.window_lock.release()
    second = open_window(Path(town.path), canvasser="乡镇干事")  # free again once the first is gone
    second.close()
    second.window_lock.release()


def test_the_township_list_is_worked_village_by_village(app, qtbot, tmp_path, township, monkeypatch):
    from openpyxl import load_workbook

    from canvasser.ui.people_model import COLUMNS

    town, vs, homes, up = township
    refused = town.scalar("SELECT pid FROM persons WHERE village=? LIMIT 1 OFFSET 2", (NAMES[4],))
    visits.record_visit(town, refused, "refused", by="乡镇干事", reason="经济困难")
    gone = town.scalar("SELECT pid FROM persons WHERE village=? LIMIT 1 OFFSET 2", (NAMES[5],))
    visits.record_visit(town, gone, "not_home", by="乡镇干事", place="广东东莞")
    w = MainWindow(town, canvasser="乡镇干事", runner=ImmediateRunner(town))
    qtbot.addWidget(w)
    w.show()
    village_col = [c.key for c in COLUMNS].index("village")
    assert not w.table.isColumnHidden(village_col)
    # two statuses at once, from the button's menu
    w.status_multi.actions_["refused"].trigger()
    w.status_multi.actions_["not_home"].trigger()
    shown = {w.model.index(r, village_col).data() for r in range(w.model.rowCount())}
    assert w.model.rowCount() == 2 and shown == {NAMES[4], NAMES[5]}
    # the person panel shows where the visit found them away
    w.select_person(gone)
    assert "广东东莞" in w.detail.fields["address"].text()
    # export what the table shows, full IDs chosen
    out = tmp_path / "列表.xlsx"
    w.export_shown(out, full_ids=True)
    rows = list(load_workbook(out).active.iter_rows(min_row=3, values_only=True))  # under the title and header
    assert sorted(r[5] for r in rows) == sorted([refused, gone]) and w.last_output[2]["rows"] == 2
    w.status_multi.clear()
    assert w.model.rowCount() == town.scalar("SELECT count(*) FROM persons")


def test_a_village_window_hides_the_village_column(window):
    from canvasser.ui.people_model import COLUMNS

    assert window.table.isColumnHidden([c.key for c in COLUMNS].index("village"))
