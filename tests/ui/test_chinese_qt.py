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
