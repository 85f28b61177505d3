"""A finished PDF is printed from the system's viewer: 打开文件（可打印） hands it to the system (on Windows
ShellExecute "open", os.startfile), and says so when nothing can open it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton

from canvasser.ui import folders
from canvasser.ui.dialogs import outputs


def test_windows_opens_the_file_itself_with_its_program(tmp_path, monkeypatch):
    pdf = tmp_path / "通知 #1 100%.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    opened: list[str] = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(os, "startfile", opened.append, raising=False)
    assert folders.open_with_system(pdf) and opened == [str(pdf)]  # the path as it is, no URL

    def no_program(path):
        raise OSError(22, "没有与之关联的应用", path, 1155)

    monkeypatch.setattr(os, "startfile", no_program, raising=False)
    assert not folders.open_with_system(pdf)
    assert not folders.open_with_system(tmp_path / "已删除.pdf")


def test_elsewhere_the_desktop_opens_it(tmp_path, monkeypatch):
    pdf = tmp_path / "通知 #1.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    urls = []
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(Path(url.toLocalFile())) or True)
    assert folders.open_with_system(pdf) and urls == [pdf]


def test_the_done_dialog_opens_the_pdf_and_says_when_it_cannot(app, qtbot, tmp_path, monkeypatch):
    pdf = tmp_path / "缴费通知单.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    asked: list = []
    monkeypatch.setattr(outputs, "open_with_system", lambda p: asked.append(p) or len(asked) == 1)
    dlg = outputs.DoneDialog("打印缴费通知单", "已生成 3 户。", pdf)
    qtbot.addWidget(dlg)
    dlg.show()
    button = next(b for b in dlg.findChildren(QPushButton) if b.text().startswith("打开文件"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert asked == [pdf] and "无法打开" not in dlg.text.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # the second time nothing can open it
    assert "无法打开文件" in dlg.text.text() and str(tmp_path) in dlg.text.text()
