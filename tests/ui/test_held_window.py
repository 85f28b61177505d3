"""Held records in the window (issue 28): the township's receive says what it held and why, 待审核
lists each held record, assigning a duplicate adopts what its village sent, the return package tells
the other village what was not adopted (its banner and sync screen), and a village sees the
township's settings read-only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from canvasser.core import sync
from canvasser.core.lists.roster import import_roster
from canvasser.core.rules import campaign, people, reports, visits
from canvasser.core.storage.opening import open_workspace
from canvasser.ui.main_window import MainWindow
from canvasser.ui.worker import ImmediateRunner
from tests.fixtures import TODAY, write_csv
from tests.test_sync_support import township_rows

A, B = "光明村", "龙泉村"


@pytest.fixture
def day(tmp_path):
    """Two villages; 龙泉村 adds two people of 光明村's list, pays one on the spot and records the other
    refusing, and (an older version) changes the township's payment link."""
    rows = township_rows(households=3, villages=(A, B))
    town = open_workspace(tmp_path / "镇.db")
    sync.init_township(town, "某某镇")
    import_roster(town, write_csv(tmp_path / "镇名单.csv", rows), today=TODAY)
    campaign.update(town, {"payment_link": "https://pay.example.invalid/county"})
    vs = {}
    for v in (A, B):
        code = sync.make_setup_package(town, v, tmp_path / f"setup-{v}.ccpkg")["code"]
        sync.init_village(tmp_path / f"{v}.db", tmp_path / f"setup-{v}.ccpkg", code=code)
        vs[v] = open_workspace(tmp_path / f"{v}.db")
    theirs = [r for r in rows if r["村（社区）"] == A]
    home = vs[B].scalar("SELECT household FROM persons WHERE village=? LIMIT 1", (B,))
    twins = [theirs[2], theirs[3]]
    for t, outcome in zip(twins, ("paid_on_site", "refused")):
        people.add_person(vs[B], t["公民身份号码"], t["姓名"], household=home, relation="其他", by="村文书")
        visits.record_visit(vs[B], t["公民身份号码"], outcome, by="村文书", reason="经济困难" if outcome == "refused" else "")
    vs[B].emit("campaign.set", "campaign", {"payment_link": "https://evil.example.invalid/pay"})
    up = tmp_path / "U盘"
    up.mkdir()
    for v in (A, B):
        sync.export_package(vs[v], up / f"{v}_上报.ccpkg")
    yield town, vs, [t["公民身份号码"] for t in twins], up
    for ws in (town, *vs.values()):
        ws.close()


def test_the_township_decides_in_the_window(app, qtbot, tmp_path, day, monkeypatch):
    town, vs, (paid, refused), up = day
    w = MainWindow(town, canvasser="乡镇干事", runner=ImmediateRunner(town))
    qtbot.addWidget(w)
    w.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (sorted(map(str, up.glob("*"))), ""))
    dlg = w.open_sync()
    qtbot.mouseClick(dlg.receive_button, Qt.MouseButton.LeftButton)
    said = dlg.result_label.text()
    assert "3 条记录未采用" in said and "暂存待审核 2 条" in said and "待核对" in said
    assert "不采用 1 条" in said and "由乡镇决定的设置" in said
    assert dlg.held_button.isVisible() and "2 条" in dlg.held_button.text()
    # nothing is chosen for the clerk: the assignment drop-down starts empty
    combo = dlg.conflicts.cellWidget(0, 3)
    assert combo.currentData() == "" and dlg.resolve_selected(0) is None and "请先" in dlg.result_label.text()
    dlg.accept()
    w.refresh_figures()
    assert "待审核 2 条" in w.strip.unsent.text() and "待核对重复建档 2 人" in w.strip.unsent.text()

    # 待审核: each held record with its village, person and reason
    w.act_held.trigger()
    from canvasser.ui.dialogs.held import HeldDialog

    held = w.findChildren(HeldDialog)[-1]
    assert held.table.rowCount() == 2
    texts = [" ".join(held.table.item(r, c).text() for c in range(held.table.columnCount()))
             for r in range(held.table.rowCount())]
    assert all(B in t and "待核对" in t for t in texts) and any("当场协助缴费" in t for t in texts)
    held.show_all.setChecked(True)  # the refused settings change is there too, decided at once
    assert held.table.rowCount() == 3 and held.accept_button.isEnabled()
    held.accept()

    # 待核对: 龙泉村's payment adopted on assignment to it; the other person stays 光明村's
    dlg = w.open_sync()
    said = []
    while dlg.conflicts.rowCount():
        pid = dlg.conflicts.item(0, 1).data(Qt.ItemDataRole.UserRole)
        combo = dlg.conflicts.cellWidget(0, 3)
        combo.setCurrentIndex(combo.findData(B if pid == paid else A))
        assert dlg.resolve_selected(0)["village"] == (B if pid == paid else A)
        said.append(dlg.result_label.text())
    assert any("采用了龙泉村暂存的 1 条记录" in t for t in said) and any("别村的 1 条记录未采用" in t for t in said)
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (paid,)) == "paid_on_site"
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (refused,)) == ""
    out = tmp_path / "回传"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    qtbot.mouseClick(dlg.all_button, Qt.MouseButton.LeftButton)
    dlg.accept()
    w.close()

    # the village: its banner and sync screen say what was not adopted, and why
    for v in (A, B):
        sync.receive_package(vs[v], next(out.glob(f"{v}_回传_*.ccpkg")))
    vil = MainWindow(vs[B], canvasser="村文书", runner=ImmediateRunner(vs[B]))
    qtbot.addWidget(vil)
    vil.show()
    vil.refresh_figures()
    assert "乡镇未采用本村 2 条记录" in vil.strip.unsent.text()
    vdlg = vil.open_sync()
    assert vdlg.returned.isVisible() and vdlg.returned.rowCount() == 2
    told = " ".join(vdlg.returned.item(r, 3).text() for r in range(2))
    assert f"此人已确定归属{A}" in told and "由乡镇决定的设置" in told
    vdlg.accept()
    assert campaign.load(vs[B]).values["payment_link"] == "https://pay.example.invalid/county"
    for v in (A, B):
        own, theirs = reports.figures(vs[v]), reports.figures(town)["by_village"][v]
        assert (own["total"], own["done"], own["visited"]) == (theirs["total"], theirs["done"], theirs["visited"])

    # the village's settings screen: the township's settings read-only, its lock time its own
    settings = vil.open_settings()
    assert not settings.widgets["payment_link"].isEnabled() and settings.widgets["lock_minutes"].isEnabled()
    labels = " ".join(lbl.text() for lbl in settings.findChildren(QWidget) if hasattr(lbl, "text")
                      and isinstance(lbl.text(), str))
    assert "由乡镇设置" in labels
    settings.widgets["lock_minutes"].setValue(7)
    settings.save()
    assert campaign.load(vs[B]).values["lock_minutes"] == 7
