"""An empty workspace offers the import; a group chosen in the tree shows its rows from the top."""

from __future__ import annotations

from PySide6.QtCore import Qt

from canvasser.core.storage.opening import open_workspace
from canvasser.ui.dialogs.import_roster import ImportDialog
from canvasser.ui.main_window import MainWindow
from canvasser.ui.worker import ImmediateRunner


def test_an_empty_workspace_offers_to_import_a_list(qtbot, app, tmp_path, sample_list):
    ws = open_workspace(tmp_path / "new.db")
    window = MainWindow(ws, canvasser="李书记", runner=ImmediateRunner(ws))
    qtbot.addWidget(window)
    window.show()
    assert window.detail.import_button.isVisible() and "还没有名单" in window.detail.name.text()
    assert "导入名单" in window.detail.history.toPlainText() and not window.detail.record.isEnabled()
    qtbot.mouseClick(window.detail.import_button, Qt.MouseButton.LeftButton)
    dlg = next(d for d in window.findChildren(ImportDialog) if d.isVisible())
    dlg.set_file(sample_list)
    dlg.start()
    assert window.model.rowCount() > 0
    assert not window.detail.import_button.isVisible() and window.detail.record.isEnabled()
    assert window.table.verticalScrollBar().value() == 0
    assert dlg.export_button.isVisible() and not dlg.folder_button.isVisible()  # the rejects stay inside
    window.close()
    ws.close()


def test_a_group_chosen_in_the_tree_shows_its_rows_from_the_top(window, ws, qtbot):
    window.resize(900, 300)
    grp = ws.scalar("SELECT grp FROM persons GROUP BY grp ORDER BY count(*) DESC LIMIT 1")
    window.tree.select_scope(ws.meta("village"), grp, None)
    bar = window.table.verticalScrollBar()
    window.select_row(window.model.rowCount() - 1)  # the last of the group: the table scrolled down
    assert bar.value() > 0
    window.tree.select_scope(ws.meta("village"), None, None)
    window.tree.select_scope(ws.meta("village"), grp, None)
    assert bar.value() == 0 and window.model.rowCount() > 0
