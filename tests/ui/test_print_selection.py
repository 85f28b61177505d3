"""Printing what is selected: the tree's group, or the people the table shows; the scope is said first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.pdfread import pages_of


@pytest.fixture(autouse=True)
def amounts_confirmed(ws):
    """This year's amounts were confirmed at an earlier print (that dialog has its own tests)."""
    from canvasser.core.outputs.notices import firstprint

    firstprint.confirm(ws)



def _due_households(ws, grp: str | None = None) -> int:
    """What core prints for that group (households with someone still due), asked of core directly."""
    import io

    from canvasser.core.outputs.notices.notice import build_notices
    from canvasser.core.outputs.selection import Scope, households

    return build_notices(ws, io.BytesIO(), households=households(ws, Scope(groups=[grp])) if grp else None).households


def test_notices_for_the_selected_group_say_the_scope_and_print_only_that_group(window, ws, tmp_path, monkeypatch,
                                                                                 qtbot):
    window.channel_checked = True  # the channel prompt has its own test
    grp = ws.scalar("SELECT grp FROM persons WHERE status='' GROUP BY grp ORDER BY count(*) DESC LIMIT 1")
    households = ws.scalar("SELECT count(*) FROM households WHERE grp=?", (grp,))
    window.tree.select_scope(ws.meta("village"), grp, None)
    out = tmp_path / "group.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    window.run_output("notices")
    dlg = window.scope_dialog
    qtbot.waitUntil(dlg.isVisible)
    due = _due_households(ws, grp)
    assert f"{grp}</b>：{due} 户，" in dlg.text.text() and due <= households
    assert dlg.all_button.isVisible() and not out.exists()  # made in memory: nothing saved before the user says so
    qtbot.mouseClick(dlg.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: out.exists(), timeout=20000)
    res = window.last_output[2]
    assert res.households == due < _due_households(ws)
    assert pages_of(out) == res.pages >= res.households
    assert f"{due} 户，{res.pages} 页" in dlg.text.text()  # the pages were said before printing


def test_print_all_stays_available_and_a_filtered_table_prints_the_people_shown(window, ws, tmp_path, monkeypatch,
                                                                                  qtbot):
    window.channel_checked = True
    grp = ws.scalar("SELECT grp FROM persons WHERE status='' LIMIT 1")
    window.tree.select_scope(ws.meta("village"), grp, None)
    out = tmp_path / "all.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    window.run_output("notices")
    window.scope_dialog.all_button.click()
    qtbot.waitUntil(lambda: out.exists(), timeout=30000)
    assert window.last_output[2].households == _due_households(ws)

    person = ws.one("SELECT pid, name FROM persons WHERE status='' LIMIT 1")
    window.tree.select_scope(None, None, None)
    window.search_box.setText(person["pid"][-6:])
    window.apply_filter()
    out2 = tmp_path / "shown.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out2), ""))
    window.run_output("notices")
    assert "表格中筛选出的 1 人" in window.scope_dialog.text.text()
    window.scope_dialog.print_button.click()
    qtbot.waitUntil(lambda: out2.exists(), timeout=20000)
    assert window.last_output[2].households == 1
