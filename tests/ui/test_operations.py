"""The window's boundary: every write is a named operation that says what it changed (and the window
follows without a refresh wired by hand), the restore is one too (refused ones leave the window as it
was), and an error nobody expected is said in Chinese while the window stays open."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from canvasser.core import views
from canvasser.core.storage.opening import open_workspace
from canvasser.ui import errors, operations


def test_an_operation_says_what_it_changed_and_the_window_follows(window, ws, qtbot):
    heard: list[operations.OpChanges] = []
    window.runner.changed.connect(heard.append)
    pid = ws.scalar("SELECT pid FROM persons WHERE status='' LIMIT 1")
    # a new special group: no dialog in between, the category filter lists it once the operation is done
    groups = [*views.campaign(ws).values["special_groups"], "残疾人家庭"]
    operations.save_campaign(window.runner, {"special_groups": groups}, by="李书记")
    assert heard[-1].campaign and heard[-1].figures
    assert window.category_filter.findData("残疾人家庭") >= 0
    # an edit: the person is selected and shows the new name; the status bar says it
    operations.update_person(window.runner, pid, {"name": "改过的名字"}, by="李书记")
    assert heard[-1].people and heard[-1].pid == pid
    assert window.detail.pid == pid and window.detail.name.text().startswith("改过的名字")
    assert window.statusBar().currentMessage() == "已保存人员信息"
    # a read-only job announces nothing
    n = len(heard)
    operations.check(window.runner, window)
    assert len(heard) == n


def test_a_refused_restore_leaves_the_window_as_it_was(window, ws, qtbot, tmp_path):
    reopened: list = []
    window.switch_requested.connect(reopened.append)
    bad = tmp_path / "不是备份.db"
    bad.write_bytes(b"not a workspace at all")
    said: list[str] = []
    window.restore_from(str(bad), failure=lambda exc: said.append(str(exc)))
    assert said and not reopened and window.isVisible()
    other = tmp_path / "other.db"
    with open_workspace(other) as o:  # another workspace's file is refused by name
        o.set_meta("village", "别的村")
    window.restore_from(str(other), failure=lambda exc: said.append(str(exc)))
    assert "另一个工作区" in said[-1] and not reopened
    assert ws.scalar("SELECT count(*) FROM persons") > 0  # nothing was replaced


def test_an_unexpected_error_is_said_in_chinese_and_the_window_stays(window, qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    errors.install()
    assert sys.excepthook is errors.show_unexpected
    try:
        raise RuntimeError("解析失败：510321199001011234 的记录，电话 13812345678")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    boxes = [w for w in QApplication.allWidgets() if isinstance(w, QMessageBox) and w.isVisible()
             and w.windowTitle() == "程序出错了" and "RuntimeError" in w.informativeText()]
    assert boxes  # on screen (a box with no window to belong to is kept alive until closed)
    box = boxes[-1]
    assert "没有写入" in box.text()
    assert "RuntimeError" in errors.SHOWN[-1] and window.isVisible()
    assert "1234" in box.informativeText() and "510321199001011234" not in box.informativeText()
    logged = (data_dir / "logs" / "errors.log").read_text(encoding="utf-8")
    assert "RuntimeError" in logged and "510321199001011234" not in logged and "13812345678" not in logged
    assert "**************1234" in logged  # only the last four digits
    for b in boxes:
        b.close()
