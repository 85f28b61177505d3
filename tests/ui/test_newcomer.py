"""A newcomer's first minutes: the demo is a sandbox (nothing of its made-up people is remembered
for real workspaces), a new workspace starts with nobody chosen, and Enter never drops typed text."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from canvasser.core import views
from canvasser.core.storage.opening import open_workspace
from canvasser.ui import app as app_mod
from canvasser.ui.dialogs.canvassers import NAME_ROLE, CanvasserDialog


def _when_asked(qtbot, act) -> list:
    """Run `act(dialog)` on the 走访人 dialog once it is up (it is modal: the test goes on inside it)."""
    seen: list = []

    def look() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, CanvasserDialog):
            QTimer.singleShot(20, look)
            return
        seen.append(dlg)
        act(dlg)

    QTimer.singleShot(0, look)
    return seen


def _listed(dlg: CanvasserDialog) -> list[str]:
    return [dlg.list.item(i).data(NAME_ROLE) for i in range(dlg.list.count())]


def test_the_demo_leaves_nothing_behind_and_a_new_workspace_starts_with_nobody_chosen(
        app, qtbot, tmp_path, demo_template, data_dir):
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_template, data_dir / "demo.db")  # `gui --demo` opens the data folder's demo
    with open_workspace(data_dir / "demo.db") as demo:
        made_up = [c["name"] for c in views.canvassers(demo)]
    assert made_up

    # the newcomer opens the demo and presses Enter on whoever it offers
    asked = _when_asked(qtbot, lambda dlg: qtbot.keyClick(dlg.list, Qt.Key.Key_Return))
    window = app_mod.open_window(data_dir / "demo.db")
    assert asked and window.canvasser == made_up[0]
    from canvasser.ui import folders

    folders.remember("outputs", tmp_path)  # a folder chosen in the demo
    window.close()
    window.window_lock.release()
    ini = data_dir / "settings.ini"
    kept = ini.read_text(encoding="utf-8") if ini.exists() else ""
    assert not [n for n in made_up if n in kept], kept
    assert app_mod.last_workspace() is None and str(tmp_path) not in kept
    assert not (data_dir / "backups").exists() or not any((data_dir / "backups").rglob("*demo*"))

    # a real workspace: none of the demo's names, nobody preselected; typed name + Enter starts work
    real = tmp_path / "青石村.db"
    open_workspace(real).close()

    def type_and_enter(dlg: CanvasserDialog) -> None:
        assert not set(made_up) & set(_listed(dlg)) and dlg.list.currentItem() is None
        qtbot.keyClick(dlg, Qt.Key.Key_Return)  # Enter with nothing chosen or typed: asked, not guessed
        assert dlg.isVisible() and "请先选择或添加" in dlg.error.text()
        dlg.new_name.insert("陈书记")  # typed through the input method (QTest types ASCII only)
        qtbot.keyClicks(dlg.new_phone, "13908151234")
        qtbot.keyClick(dlg.new_phone, Qt.Key.Key_Return)

    asked = _when_asked(qtbot, type_and_enter)
    window = app_mod.open_window(real)
    assert asked and window.canvasser == "陈书记"
    assert "走访人：<b>陈书记</b>" in window.strip.who.text()
    with open_workspace(real) as ws:
        assert [(c["name"], c["phone"]) for c in views.canvassers(ws)] == [("陈书记", "13908151234")]
    window.close()
    window.window_lock.release()
    assert app_mod.last_workspace() == real.resolve()
    assert "陈书记" in ini.read_text(encoding="utf-8")  # real names are remembered for the next workspace
