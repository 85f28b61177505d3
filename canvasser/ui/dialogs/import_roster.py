"""Importing a bureau list: choose the file, check how its columns were understood, import, see the
rows that were not imported and why.

The preview is core's own header detection (`roster.read_roster` / `tables.open_table`); a column the
user reassigns becomes an override passed to the import, exactly like the CLI's `--map`.
"""

from __future__ import annotations

import itertools
from html import escape
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
)

from ...core import views
from ...core.errors import Cancelled, InputError, Question
from .. import operations
from ..folders import last_folder, open_with_system, remember

SAMPLE_ROWS = 3


class TableImportDialog(QDialog):
    """Shared by the roster and the paid-list imports: preview of the mapping, then the result."""

    imported = Signal(object)
    title = "导入"
    aliases: dict[str, tuple[str, ...]] = {}
    required: tuple[str, ...] = ()
    progress_label = "正在导入…"
    once = True  # an import is done once per file chosen (开始导入 is not offered again)

    def __init__(self, ws, runner, author: str = "", parent=None):
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.author = author
        self.path: Path | None = None
        self._overrides: dict[str, str] = {}
        self.table = None  # the list's table, as the import will read it (views.read_list)
        self.import_result = None
        self.job = None
        self.setWindowTitle(self.title)
        self.resize(900, 600)
        lay = QVBoxLayout(self)

        row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("选择医保局发来的表格（xlsx / xls / csv）")
        pick = QPushButton("选择文件…")
        pick.clicked.connect(self.pick_file)
        row.addWidget(self.file_edit, 1)
        row.addWidget(pick)
        lay.addLayout(row)

        self.info = QLabel("")
        self.info.setWordWrap(True)
        lay.addWidget(self.info)

        self.tabs = QTabWidget()
        self.mapping = QTableWidget(0, 3)
        self.mapping.setHorizontalHeaderLabels(["表格中的列", "对应为", "前几行的内容"])
        self.mapping.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.mapping.verticalHeader().hide()
        self.tabs.addTab(self.mapping, "列的对应关系")
        self.rejected = QTableWidget(0, 3)
        self.rejected.setHorizontalHeaderLabels(["表格行号", "序号", "未导入的原因"])
        self.rejected.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.rejected.verticalHeader().hide()
        self.tabs.addTab(self.rejected, "未导入的行")
        lay.addWidget(self.tabs, 1)

        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 14px;")
        lay.addWidget(self.summary)

        buttons = QHBoxLayout()
        # the rows not imported stay in the workspace (encrypted); a file only when asked for
        self.export_button = QPushButton("导出未导入的行…")
        self.export_button.setToolTip("把未导入的行（含完整身份证号）导出为表格，改正后可再次导入")
        self.export_button.setVisible(False)
        self.export_button.clicked.connect(lambda: self.export_rejects())
        buttons.addWidget(self.export_button)
        self.folder_button = QPushButton("打开文件夹")  # where the exported rows were saved
        self.folder_button.setVisible(False)
        self.folder_button.clicked.connect(self.open_folder)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        self.start_button = QPushButton("开始导入")
        self.start_button.setEnabled(False)
        self.start_button.setMinimumHeight(34)
        self.start_button.clicked.connect(self.start)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.start_button)
        buttons.addWidget(close)
        lay.addLayout(buttons)

    # ---- hooks for the kinds of list -----------------------------------------------------------
    list_kind = "roster"  # views.read_list's kind of list
    keeps_rejects = False  # whether the import keeps its rejected rows for export (the unenrolled list)

    def read(self, path: Path, overrides: dict[str, str]):
        return views.read_list(path, self.list_kind, overrides, self.required)

    def submit(self, path: Path, overrides: dict[str, str]):
        """The operation that takes the list in (on the worker, with a progress dialog)."""
        return operations.import_roster(self.runner, self, self.progress_label, path, overrides=overrides,
                                        by=self.author, success=self._done, failure=self._failed)

    def describe(self, res) -> str:
        return ""

    def problem_rows(self, res) -> list[dict]:
        return list(res.rejected)

    # ---- preview -------------------------------------------------------------------------------
    def pick_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.title, str(last_folder("lists")),
                                              "表格 (*.xlsx *.xls *.xlsm *.ods *.csv *.txt)")
        if name:
            remember("lists", name)
            self.set_file(name)

    def set_file(self, path: str | Path) -> bool:
        self.path = Path(path)
        self.file_edit.setText(str(self.path))
        self.import_result = None
        self._overrides = {}
        self.summary.setText("")
        self.rejected.setRowCount(0)
        return self.preview()

    def overrides(self) -> dict[str, str]:
        """Columns the user assigned in the preview (as the CLI's `--map 列名=字段`)."""
        return dict(self._overrides)

    def _assign(self, row: int, combo: QComboBox) -> None:
        if self.table is None:
            return
        header, chosen = self.table.headers[row], combo.currentData()
        self._overrides = {h: f for h, f in self._overrides.items() if h != header and f != chosen}
        if chosen:
            self._overrides[header] = chosen
        self.preview(self._overrides)

    def preview(self, overrides: dict[str, str] | None = None) -> bool:
        try:
            table = self.read(self.path, overrides or {})
        except InputError as exc:
            self.table = None
            self.mapping.setRowCount(0)
            self.info.setText(f"<span style='color:#b3261e'>{exc}</span>")
            self.start_button.setEnabled(False)
            return False
        self.table = table
        samples = [cells for _, cells in itertools.islice(table.rows, SAMPLE_ROWS)]
        by_col = {i: f for f, i in table.mapping.items()}
        self.mapping.setRowCount(len(table.headers))
        for r, header in enumerate(table.headers):
            self.mapping.setItem(r, 0, QTableWidgetItem(header))
            combo = QComboBox()
            combo.addItem("（未对应）", "")
            for f, names in self.aliases.items():
                combo.addItem(names[0], f)
            combo.setCurrentIndex(max(0, combo.findData(by_col.get(r, ""))))
            combo.currentIndexChanged.connect(lambda _i, r=r, c=combo: self._assign(r, c))
            self.mapping.setCellWidget(r, 1, combo)
            values = [views.cell_text(c[r]) for c in samples if r < len(c) and views.cell_text(c[r])]
            self.mapping.setItem(r, 2, QTableWidgetItem("；".join(values)))
        self.mapping.resizeColumnToContents(0)
        self.mapping.setColumnWidth(1, 150)
        missing = [self.aliases[f][0] for f in self.required if f not in table.mapping]
        where = f"工作表“{table.sheet}”，" if table.sheet else ""
        self.info.setText(f"{where}表头在第 {table.header_row} 行，识别出 {len(table.mapping)} 列。"
                          + (f"<span style='color:#b3261e'>缺少：{'、'.join(missing)}</span>" if missing else
                             "请核对下面的对应关系，不对的可直接改。"))
        self.start_button.setEnabled(not missing)
        self.tabs.setCurrentIndex(0)
        return not missing

    # ---- importing -----------------------------------------------------------------------------
    def start(self):
        if self.path is None:
            return None
        path, overrides = self.path, self.overrides()
        self.start_button.setEnabled(False)
        self.summary.setText("正在导入…")
        self.job = self.submit(path, overrides)
        return self.job

    def rejects_folder(self) -> Path | None:
        """The folder the rows not imported were exported to, if they were."""
        file = getattr(self, "rejects_file", None) or getattr(self.import_result, "rejects_file", None)
        return Path(file).parent if file else None

    def export_rejects(self, path: str | Path | None = None) -> None:
        """Ask where (and under what open password) to write the rows not imported, then write them."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出未导入的行", str(last_folder("exports") /
                                                  f"{self.path.stem if self.path else '名单'}_未导入行.xlsx"),
                                                  "Excel 表格 (*.xlsx)")
            if not path:
                return
            remember("exports", path)
        password = self.export_password()

        def done(res) -> None:
            self.rejects_file = res["file"]
            self.folder_button.setVisible(True)
            self.summary.setText(self.summary.text() + f"<br>未导入的行已导出到 {escape(res['file'])}"
                                 + ("（已设打开密码）。" if res["protected"] else "（未设密码，含完整身份证号，请妥善保管）。"))

        self.job = operations.export_rejects(self.runner, self, path, password=password, success=done,
                                             failure=self._failed)

    def export_password(self) -> str | None:
        return None

    def open_folder(self) -> bool:
        folder = self.rejects_folder()
        return folder is not None and open_with_system(folder)

    def _done(self, res) -> None:
        self.import_result = res
        self.rejects_file = None
        self.folder_button.setVisible(self.rejects_folder() is not None)
        self.export_button.setVisible(bool(getattr(res, "rejected", None)) and self.keeps_rejects)
        self.start_button.setEnabled(not self.once)  # done: choosing a file again starts over
        self.summary.setText(self.describe(res))
        rows = self.problem_rows(res)
        self.rejected.setRowCount(len(rows))
        for i, r in enumerate(rows):
            self.rejected.setItem(i, 0, QTableWidgetItem(str(r.get("row", ""))))
            self.rejected.setItem(i, 1, QTableWidgetItem(str(r.get("serial", ""))))
            self.rejected.setItem(i, 2, QTableWidgetItem(str(r.get("reason", ""))))
        if rows:
            self.tabs.setCurrentIndex(1)
        self.imported.emit(res)

    def _failed(self, exc: BaseException) -> None:
        self.start_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.summary.setText("已取消导入，工作区没有任何改变。")
        elif isinstance(exc, InputError):
            self.summary.setText(f"<span style='color:#b3261e'>{exc}</span>")
        else:
            self.summary.setText(f"<span style='color:#b3261e'>导入失败（工作区没有改变）：{exc}</span>")


class ImportDialog(TableImportDialog):
    """The unenrolled list (未参保人员名单)."""

    title = "导入未参保人员名单"
    keeps_rejects = True
    aliases = views.list_aliases("roster")
    required = ("name", "pid")
    progress_label = "正在导入名单…"

    def describe(self, res) -> str:
        text = (f"导入完成：新增 <b>{res.imported}</b> 人，更新 {res.updated} 人，未变 {res.unchanged} 人；"
                f"共 {res.households} 户。")
        if res.rejected:
            text += f"<br><span style='color:#b3261e'>有 {len(res.rejected)} 行未导入</span>（见“未导入的行”）"
            text += "，保存在工作区里（已加密）；点“导出未导入的行…”可导出改正后再次导入。"
        if res.duplicates:
            text += f"<br>重复的人 {len(res.duplicates)} 行，只计一次。"
        if res.missing:
            text += f"<br>以前名单中有 {res.missing} 人不在本次名单里（未删除，仅提示）。"
        mine = self.ws.meta("village") or ""
        if mine and res.villages and mine not in res.villages:  # named at creation; the list calls it otherwise
            text += (f"<br>名单上的村（社区）是“{escape('、'.join(res.villages))}”，本工作区建立时填的是“{escape(mine)}”："
                     f"通知单的落款用“{escape(mine)}”。")
        if res.rare_names:
            who = "、".join(escape(r["name"]) for r in res.rare_names[:10])
            text += (f"<br><span style='color:#8a5300'>{len(res.rare_names)} 人的姓名含生僻字（{who}"
                     f"{'……' if len(res.rare_names) > 10 else ''}）：打印时留出方框请手写补全，查找时输入其余的字。</span>")
        return text

    def problem_rows(self, res) -> list[dict]:
        return [*res.rejected, *res.duplicates]

    def __init__(self, ws, runner, author: str = "", parent=None):
        super().__init__(ws, runner, author, parent)
        from PySide6.QtWidgets import QFormLayout

        # the rejected rows, when exported, hold full IDs as typed: offer an open password (issue 19)
        self.rejects_password = QLineEdit()
        self.rejects_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.rejects_password.setPlaceholderText("不填则不设密码")
        form = QFormLayout()
        form.addRow("导出未导入的行时的打开密码（该文件含完整身份证号）", self.rejects_password)
        self.layout().insertLayout(2, form)

    def export_password(self) -> str | None:
        return self.rejects_password.text() or None  # read here: the export runs on the worker

    def submit(self, path: Path, overrides: dict[str, str]):
        return operations.import_roster(self.runner, self, self.progress_label, path, overrides=overrides,
                                        by=self.author, answers=getattr(self, "answers", {}), success=self._done,
                                        failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        """A probable mistake (core's Question) is asked about; yes imports again with that answer."""
        if isinstance(exc, Question) and QMessageBox.question(self, self.title, exc.ask) == \
                QMessageBox.StandardButton.Yes:
            self.answers = {**getattr(self, "answers", {}), exc.option: True}
            self.start()
            return
        super()._failed(exc)

