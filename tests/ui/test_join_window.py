"""Joining the township from the window: differences between the lists are shown, never dropped, and
a workspace does not become a township by one click."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from canvasser.core import sync
from canvasser.core.lists import roster
from canvasser.core.storage.opening import open_workspace
from canvasser.ui.main_window import MainWindow
from canvasser.ui.worker import ImmediateRunner
from tests.fixtures import rows, write_xlsx


def test_join_shows_where_the_townships_list_differs(qtbot, app, tmp_path):
    people = rows(seed=31, households=8, village="青石村")
    mine = write_xlsx(tmp_path / "mine.xlsx", people)
    changed = [dict(p) for p in people]
    changed[0]["联系电话"] = "13900000000" if changed[0]["联系电话"] != "13900000000" else "13911111111"
    theirs = write_xlsx(tmp_path / "theirs.xlsx", changed)
    town = open_workspace(tmp_path / "t.db")
    sync.init_township(town, "某某镇")
    roster.import_roster(town, theirs)
    code = sync.make_setup_package(town, "青石村", tmp_path / "s.ccpkg")["code"]  # a code by default
    town.close()

    ws = open_workspace(tmp_path / "v.db")
    roster.import_roster(ws, mine)
    window = MainWindow(ws, canvasser="李书记", runner=ImmediateRunner(ws))
    qtbot.addWidget(window)
    dlg = window.open_sync()
    assert dlg.join_button.isVisibleTo(dlg)
    res = dlg.join(tmp_path / "s.ccpkg", code)
    assert res is not None, dlg.last
    assert res["joined"] and len(res["differences"]) == 1
    text = dlg.result_label.text()
    assert "1</b> 人在乡镇名单和本机名单里不一致" in text and people[0]["姓名"] in text and "电话" in text
    assert not dlg.join_button.isVisibleTo(dlg) and not dlg.township_button.isVisibleTo(dlg)
    ws.close()


def test_join_says_which_settings_the_township_replaced_and_warns_when_the_lists_share_nobody(qtbot, app, tmp_path):
    """A payment link set alone before joining gives way to the township's (its rules are the county's):
    said, with both values; a township list with none of the local people is a warning, not "no differences"."""
    from canvasser.core.rules import campaign

    town = open_workspace(tmp_path / "t.db")
    sync.init_township(town, "某某镇")
    roster.import_roster(town, write_xlsx(tmp_path / "theirs.xlsx", rows(seed=41, households=6, village="青石村")))
    campaign.update(town, {"payment_link": "https://county.example/pay"})
    code = sync.make_setup_package(town, "青石村", tmp_path / "s.ccpkg")["code"]
    town.close()

    ws = open_workspace(tmp_path / "v.db")
    roster.import_roster(ws, write_xlsx(tmp_path / "mine.xlsx", rows(seed=42, households=6, village="青石村")))
    campaign.update(ws, {"payment_link": "https://village.example/pay"})
    window = MainWindow(ws, canvasser="李书记", runner=ImmediateRunner(ws))
    qtbot.addWidget(window)
    dlg = window.open_sync()
    res = dlg.join(tmp_path / "s.ccpkg", code)
    assert res["no_overlap"] and res["shared"] == 0
    assert {"key": "payment_link", "label": "缴费二维码链接", "本村": "https://village.example/pay",
            "乡镇": "https://county.example/pay"} in res["replaced_settings"]
    text = dlg.result_label.text()
    assert "没有一个相同的人" in text and "没有不一致的地方" not in text
    assert "缴费二维码链接：本村“https://village.example/pay” → 乡镇“https://county.example/pay”" in text
    assert campaign.load(ws).values["payment_link"] == "https://county.example/pay"
    ws.close()


def test_becoming_a_township_asks_first(window, monkeypatch):
    dlg = window.open_sync()
    asked: list[str] = []

    def no(_parent, _title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    assert dlg.become_township() is None
    assert "加入乡镇" in asked[0] and window.ws.mode == "standalone"
