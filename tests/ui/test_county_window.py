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
