"""Qt's own words and dates in Chinese, and file dialogs that start in the user's documents."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QLocale


def test_qt_dialog_words_and_dates_are_chinese(app):
    assert QCoreApplication.translate("QFileDialog", "Look in:") != "Look in:"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QLocale().language() == QLocale.Language.Chinese
    shown = QLocale().toString(QDate(2026, 11, 29), QLocale.FormatType.LongFormat)
    assert "2026年11月29日" in shown


def test_file_dialogs_start_in_documents_then_where_the_user_was(app, tmp_path, monkeypatch):
    from canvasser.ui import folders

    docs = tmp_path / "文档"
    docs.mkdir()
    monkeypatch.setattr(folders, "documents", lambda: docs)
    assert folders.last_folder("lists") == docs
    stick = tmp_path / "U盘"
    stick.mkdir()
    folders.remember("lists", stick / "名单.xlsx")
    assert folders.last_folder("lists") == stick
    assert Path(folders.last_folder("first-time-kind")) == docs


def test_qts_own_file_dialog_is_all_chinese_and_roomy(app, qtbot, tmp_path):
    from PySide6.QtWidgets import QFileDialog, QLabel

    dlg = QFileDialog(None, "导入名单", str(tmp_path), "表格 (*.xlsx *.xls *.xlsm *.ods *.csv *.txt);;所有文件 (*)")
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dlg)
    dlg.show()
    labels = {lab.text() for lab in dlg.findChildren(QLabel) if lab.isVisible()}
    # with an access key where the platform shows them ("&Look in:" on Linux, "Look in:" on Windows)
    assert labels & {"查找范围(&L)：", "查找范围："} and labels & {"文件类型(&T)：", "文件类型："}, labels
    assert not any(t.isascii() and t.strip() for t in labels), labels
    assert dlg.width() >= 880


def test_dates_are_chinese_where_the_system_is_not(tmp_path):
    import os
    import subprocess
    import sys

    code = ("from canvasser.ui.app import make_app; from PySide6.QtCore import QLocale, QDate; make_app(); "
            "print(QLocale.system().toString(QDate(2026, 11, 29), QLocale.FormatType.ShortFormat))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.update(LANG="C.UTF-8", QT_QPA_PLATFORM="offscreen", CANVASSER_DATA=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, encoding="utf-8", env=env, timeout=120)
    assert out.stdout.strip() == "2026/11/29", out.stderr[-500:]


def test_the_window_font_falls_back_to_an_extension_b_font(app, monkeypatch):
    """The bundled font first; behind it the system's Extension-B family (SimSun-ExtB on Chinese
    Windows) by name, else the font file the PDFs fall back to, loaded (reportlab's Vera stands in)."""
    import reportlab
    from PySide6.QtGui import QFontDatabase, QFontMetrics

    from canvasser.core.text import fonts
    from canvasser.ui.app import register_font, window_font

    family = register_font()
    monkeypatch.setattr(QFontDatabase, "families", staticmethod(lambda *a: [family, "SimSun-ExtB", "Arial"]))
    assert window_font(family).families() == [family, "SimSun-ExtB"]
    monkeypatch.setattr(QFontDatabase, "families", staticmethod(lambda *a: [family, "Arial"]))
    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    fonts.use_fallback_candidates([str(vera)])
    try:
        font = window_font(family)
    finally:
        fonts.use_fallback_candidates(None)
    assert font.families() == [family, "Bitstream Vera Sans"]
    assert not fonts.has_glyph("Š") and QFontMetrics(font).inFontUcs4(ord("Š"))
    fonts.use_fallback_candidates([])
    try:
        assert window_font(family).families() == [family]  # no Extension-B font on this machine
    finally:
        fonts.use_fallback_candidates(None)
