"""Opening a workspace on a USB stick or a share: the window offers the laptop's copy, clicked as a
user would (the disk's kind is simulated; the copy is real)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from canvasser.core.storage import integrity, location
from canvasser.core.storage.store import WorkspaceError


def click_later(qtbot, text: str, seen: list[str]) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        button = next(b for b in box.buttons() if b.text().startswith(text))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(50, click)


def close(window, qtbot) -> None:
    window.close()
    qtbot.wait(200)  # the window's pending refreshes run before its workspace closes
    window.ws.close()


@pytest.fixture
def on_stick(tmp_path, demo_template, monkeypatch):
    stick = tmp_path / "KINGSTON" / "村 数据"
    stick.mkdir(parents=True)
    path = stick / "青石村.db"
    shutil.copy(demo_template, path)
    monkeypatch.setattr(location, "kind", lambda p: "removable")
    return path


def test_a_stick_workspace_is_copied_and_the_copy_opens(app, qtbot, on_stick, data_dir):
    from canvasser.ui.app import open_window

    seen: list[str] = []
    click_later(qtbot, "复制到本机", seen)
    window = open_window(on_stick, canvasser="李书记")
    assert "U 盘" in seen[0]
    assert window.ws.path == data_dir / "workspaces" / "青石村.db"
    assert integrity.check(window.ws)["ok"]
    close(window, qtbot)


def test_the_user_may_keep_working_on_the_stick(app, qtbot, on_stick, data_dir):
    from canvasser.ui.app import open_window

    seen: list[str] = []
    click_later(qtbot, "仍在原位置打开", seen)
    window = open_window(on_stick, canvasser="李书记")
    assert window.ws.path == on_stick and not (data_dir / "workspaces").exists()
    close(window, qtbot)


def test_a_read_only_folder_offers_only_the_copy(app, qtbot, on_stick, monkeypatch):
    from canvasser.ui.app import open_window

    monkeypatch.setattr(location, "writable", lambda folder: False)  # the real case: test_locations
    seen: list[str] = []
    click_later(qtbot, "取消", seen)
    with pytest.raises(WorkspaceError, match="只读"):
        open_window(on_stick, canvasser="李书记")
    assert "复制到本机" in seen[0]
