"""The county's window, driven as the bureau's clerk would: the dashboard ranks townships and
departments, a township's bar opens its villages (the drill-down), a village's bar opens that
township's village (not the other township's 杨柳村), the tree runs township → village → group."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from canvasser.core.rules import campaign, reports
from canvasser.core.rules.visits import record_visit
from canvasser.core.sync import export_package, receive_package
from canvasser.ui.main_window import MainWindow
from canvasser.ui.worker import ImmediateRunner
from tests.county_support import TOWNSHIPS, ids_in, make_county, make_township, make_village

EAST, WEST = list(TOWNSHIPS)
SHARED = "杨柳村"


def click_bar(qtbot, bars, i: int) -> None:
    y = next(y for y in range(bars.height()) if bars.bar_at(y) == i)
    qtbot.mouseClick(bars, Qt.MouseButton.LeftButton, pos=QPoint(bars.width() // 2, y + 2))


def test_the_bureaus_dashboard_ranks_townships_and_departments_and_drills_down(app, qtbot, tmp_path):
    c, people = make_county(tmp_path, households=4)
    campaign.update(c, {"township_targets": {EAST: 10, WEST: 60}})
    town = make_township(c, tmp_path, EAST)
    v = make_village(town, tmp_path, SHARED)
    for pid in ids_in(people, EAST, SHARED)[:4]:
        record_visit(v, pid, "paid_on_site", by="村文书")
    for src, dst, name in ((v, town, "v"), (town, c, "t")):
        export_package(src, tmp_path / f"{name}.ccpkg")
        receive_package(dst, tmp_path / f"{name}.ccpkg")
    figs = reports.figures(c)
    w = MainWindow(c, canvasser="县医保局", runner=ImmediateRunner(c))
    qtbot.addWidget(w)
    w.show()
    assert "操作人：" in w.strip.who.text() and w.tree.headerItem().text(0).startswith("乡镇")
    w.tabs.setCurrentWidget(w.dashboard)
    w.dashboard.refresh()
    d = w.dashboard
    # townships in rank order, each against the task number the county gave it; the silent one stands out
    assert d.groups.title.startswith("各乡镇进度") and [b.total for b in d.groups.bars] == [10, 60]
    assert d.groups.bars[0].label.startswith(f"1. {EAST}") and d.groups.bars[1].alert  # 西山镇 never reported
    assert WEST in d.silent.text() and "乡镇" in d.silent.text()
    # the responsible departments, and what the 约谈会 hears
    assert d.special.title.startswith("责任部门进度") and [b.label.split("（")[0] for b in d.special.bars] == \
        list(figs["departments"])
    assert "排名后一位的乡镇" in d.meeting.text() and WEST in d.meeting.text() and "特殊困难群体" in d.meeting.text()
    # a township's bar shows its villages; back again; a village's bar opens its own list
    click_bar(qtbot, d.groups, 1)
    assert d.drill == WEST and d.groups.title.startswith(WEST) and d.back.isVisible()
    qtbot.mouseClick(d.back, Qt.MouseButton.LeftButton)
    assert d.drill is None and d.groups.title.startswith("各乡镇进度")
    click_bar(qtbot, d.groups, 0)
    assert d.drill == EAST
    i = next(i for i, b in enumerate(d.groups.bars) if SHARED in b.label)
    assert d.groups.bars[i].done == 4
    click_bar(qtbot, d.groups, i)
    assert w.tabs.currentIndex() == 0 and w.current_filter().village == f"{EAST}/{SHARED}"
    assert w.model.rowCount() == len(ids_in(people, EAST, SHARED))  # not 西山镇's 杨柳村 too
    # the tree: townships, their villages named alone under them
    root = w.tree.topLevelItem(0)
    towns = {root.child(i).text(0): root.child(i) for i in range(root.childCount())}
    assert set(towns) == set(TOWNSHIPS)
    assert sorted(towns[WEST].child(i).text(0) for i in range(towns[WEST].childCount())) == sorted(TOWNSHIPS[WEST])
    for ws in (v, town):
        ws.close()


def test_the_sync_screen_at_a_county_and_at_a_township_under_it(app, qtbot, tmp_path):
    from canvasser.ui.dialogs.sync import SyncDialog

    c, people = make_county(tmp_path, households=2)
    town = make_township(c, tmp_path, EAST)
    record_visit(town, ids_in(people, EAST)[0], "not_home", by="乡镇干事")
    # the township: up to its county first, then its villages
    dlg = SyncDialog(town, ImmediateRunner(town))
    qtbot.addWidget(dlg)
    assert dlg.village.itemText(0) == "上报某某县" and dlg.village.currentData() is None
    assert "县里尚未收到的改动" in dlg.info.text() and dlg.setup_button.text() == "为村生成配置包…"
    dlg.export(tmp_path / "up.ccpkg")
    assert dlg.last["direction"] == "up" and dlg.last["receiver"] == "某某县" and dlg.last["events"] >= 1
    # the county: its townships, a return package for each in one action
    cdlg = SyncDialog(c, ImmediateRunner(c))
    qtbot.addWidget(cdlg)
    cdlg.receive(tmp_path / "up.ccpkg")
    assert [cdlg.village.itemText(i) for i in range(cdlg.village.count())] == [EAST]
    assert cdlg.all_button.text() == "生成全部乡镇的回传包…" and cdlg.setup_button.text() == "为乡镇生成配置包…"
    folder = tmp_path / "down"
    folder.mkdir()
    cdlg.export_all(folder)
    assert [r["receiver"] for r in cdlg.last["packages"]] == [EAST]
    town.close()


def test_a_township_that_worked_alone_joins_its_county_from_the_sync_screen(app, qtbot, tmp_path):
    """加入县…: shown only to a township with no county; joining keeps its work and says what differs;
    the window then reopens on a township under its county (上报某某县 first in 发给)."""
    from canvasser.core.lists.roster import import_roster
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.sync import init_township, make_setup_package
    from tests.county_support import county_rows
    from tests.fixtures import TODAY, write_csv

    c, people = make_county(tmp_path, households=2)
    make_setup_package(c, EAST, tmp_path / "join.ccpkg", code="QS7K-2M9P-XT4D-8RWA")
    mine = [dict(p, **{"乡镇（街道）": ""}) for p in county_rows(2) if p["乡镇（街道）"] == EAST]
    mine[0]["联系电话"] = "13900000000" if mine[0]["联系电话"] != "13900000000" else "13911111111"
    t = open_workspace(tmp_path / "alone.db")
    init_township(t, EAST)
    import_roster(t, write_csv(tmp_path / "alone.csv", mine), today=TODAY)
    pid = ids_in(people, EAST)[1]
    record_visit(t, pid, "paid_self", by="乡镇干事")
    w = MainWindow(t, canvasser="乡镇干事", runner=ImmediateRunner(t))
    qtbot.addWidget(w)
    dlg = w.open_sync()
    assert dlg.county_button.isVisibleTo(dlg) and not dlg.join_button.isVisibleTo(dlg)
    reopened: list[str] = []
    w.switch_requested.connect(reopened.append)
    res = dlg.join_county(tmp_path / "join.ccpkg", "QS7K-2M9P-XT4D-8RWA")
    assert res is not None, dlg.result_label.text()
    assert res["joined"] and res["county"] == "某某县" and res["pending"] > 0
    text = dlg.result_label.text()
    assert "已加入 某某县" in text and "1</b> 人在县里名单和本乡镇名单里不一致" in text and mine[0]["姓名"] in text
    assert "电话" in text and "县密钥指纹" in text
    assert not dlg.county_button.isVisibleTo(dlg)
    dlg.accept()
    assert reopened == [str(t.path)]
    w.close()
    t.close()
    t = open_workspace(tmp_path / "alone.db")
    try:
        assert t.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_self"
        again = SyncDialog_for(t, qtbot)
        assert again.village.itemText(0) == "上报某某县" and not again.county_button.isVisibleTo(again)
    finally:
        t.close()
        c.close()


def SyncDialog_for(ws, qtbot):  # noqa: N802 - a helper named for what it opens
    from canvasser.ui.dialogs.sync import SyncDialog

    dlg = SyncDialog(ws, ImmediateRunner(ws))
    qtbot.addWidget(dlg)
    return dlg


def test_the_windows_report_at_a_county_is_the_countys_report(app, tmp_path):
    """导出进度日报 at a county writes the 约谈会's report (as `canvasser report --out` does), named by its maker."""
    import openpyxl

    from canvasser.ui import operations

    c, _people = make_county(tmp_path, households=2)
    try:
        figs = operations.report(c, tmp_path / "通报.xlsx", by="县医保局王五")
        assert "by_township" in figs
        wb = openpyxl.load_workbook(tmp_path / "通报.xlsx")
        assert wb.sheetnames[:2] == ["约谈要点", "乡镇排名"]
        assert any(r[0] == "制表人：县医保局王五" for r in wb["约谈要点"].iter_rows(values_only=True))
        assert operations.report(c, tmp_path / "通报.pdf", by="县医保局王五")["pages"] >= 1
    finally:
        c.close()
