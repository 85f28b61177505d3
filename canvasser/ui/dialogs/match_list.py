"""Another department's list (低保, 特困, 学生, 死亡, ...): import it, see the three-part comparison, accept
the exact matches, confirm or reject each proposed one, save the report, withdraw a list.

Everything here calls `core.matching` (and `core.matchreport`) on the worker; the screen holds no rules.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from ...core import views
from ...core.text import ids
from .. import operations
from .import_roster import TableImportDialog


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return t


def _fill(t: QTableWidget, rows: list[list]) -> None:
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            t.setItem(i, j, QTableWidgetItem("" if v is None else str(v)))


class MatchDialog(TableImportDialog):
    title = "比对部门名单（民政、残联、教育、卫健……）"
    aliases = views.list_aliases("match")
    required = ("name",)
    progress_label = "正在比对名单…"

    def __init__(self, ws, runner, author: str = "", parent=None):
        super().__init__(ws, runner, author, parent)
        self.once = False  # comparing writes nothing: it may be run again (another kind or date)
        self.apply = False  # the first run only compares; 接受全部精确匹配 writes
        self.result = None
        self.pending: list[dict] = []
        self.file_edit.setPlaceholderText("选择部门发来的名单（xlsx / xls / csv）")
        self.start_button.setText("比对（不写入）")
        row = QHBoxLayout()
        row.addWidget(QLabel("名单种类："))
        self.kind = QComboBox()
        for k in views.list_kinds(ws):
            self.kind.addItem(k, k)
        row.addWidget(self.kind)
        row.addWidget(QLabel("名单日期："))
        self.date = QLineEdit()
        self.date.setPlaceholderText("YYYY-MM-DD，不填则取标题中的年月")
        row.addWidget(self.date, 1)
        self.layout().insertLayout(1, row)

        self.matched = _table(["名单行号", "姓名", "身份证号", "村（社区）", "匹配方式"])
        self.proposed = _table(["名单行号", "名单上的姓名", "本方姓名", "身份证号", "出生日期", "村（社区）", "状态"])
        self.theirs = _table(["名单行号", "姓名", "出生日期", "村（社区）", "判断", "说明"])
        self.ours = _table(["姓名", "身份证号", "村（社区）", "本方人员类别"])
        for t, name in ((self.matched, "已匹配"), (self.proposed, "待确认"), (self.theirs, "仅部门名单有"),
                        (self.ours, "仅本方名单有")):
            self.tabs.addTab(t, name)
        self.tabs.setTabText(1, "未能读取的行")

        buttons = QHBoxLayout()
        self.accept_exact = QPushButton("接受全部精确匹配")
        self.accept_exact.setEnabled(False)
        self.accept_exact.clicked.connect(self.apply_exact)
        self.confirm_button = QPushButton("确认所选比对")
        self.reject_button = QPushButton("否定所选比对")
        self.confirm_button.clicked.connect(lambda: self.review(True))
        self.reject_button.clicked.connect(lambda: self.review(False))
        self.report_button = QPushButton("另存比对结果…")
        self.report_button.clicked.connect(lambda: self.save_report())
        self.withdraw_button = QPushButton("撤回此名单")
        self.withdraw_button.clicked.connect(self.withdraw)
        for b in (self.confirm_button, self.reject_button, self.report_button, self.withdraw_button):
            b.setEnabled(False)
        for b in (self.accept_exact, self.confirm_button, self.reject_button, self.report_button, self.withdraw_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.layout().insertLayout(self.layout().count() - 1, buttons)

    # ---- the hooks of TableImportDialog ----------------------------------------------------------
    def read(self, path: Path, overrides: dict[str, str]):
        return views.read_list(path, "match", overrides, self.required)

    def submit(self, path: Path, overrides: dict[str, str]):
        return operations.match_list(self.runner, self, self.progress_label, path, self.kind.currentData(),
                                     date=self.date.text().strip() or None, overrides=overrides, by=self.author,
                                     apply=self.apply, success=self._done, failure=self._failed)

    def describe(self, res) -> str:
        words = views.likely_words()
        likely = "，".join(f"{words[k]} {v}" for k, v in res.as_json()["likely"].items())
        text = (f"名单“{res.info.name}”（{res.info.kind}，{res.info.date}）：已匹配 <b>{len(res.matched)}</b> 人；"
                f"待人工确认 <b>{len(res.proposed)}</b> 人；仅部门名单有 {len(res.only_theirs)} 人"
                f"{f'（{likely}）' if likely else ''}；"
                f"仅本方有此类别 {len(res.only_ours)} 人。")
        if res.removed or res.added:
            text += f"<br>较上一份同类名单：新增 {len(res.added)} 人，不再在名单上 {len(res.removed)} 人。"
        text += ("<br>已写入精确匹配，待确认的请逐个确认或否定。" if self.apply
                 else "<br>这只是比对，还没有写入：核对后点“接受全部精确匹配”。")
        return text

    def problem_rows(self, res) -> list[dict]:
        return [*res.rejected, *res.duplicates]

    def _done(self, res) -> None:
        self.result = res
        super()._done(res)
        _fill(self.matched, [[m["row"], m["name"], ids.mask(m["pid"]), m["village"],
                              "身份证号一致" if m["how"] == "id" else "人工确认"] for m in res.matched])
        words = views.likely_words()
        _fill(self.theirs, [[r["row"], r["name"], r["birth"], r["village"], words[r["likely"]], r["why"]]
                            for r in res.only_theirs])
        _fill(self.ours, [[r["name"], ids.mask(r["pid"]), r["village"], r["categories"]] for r in res.only_ours])
        self.accept_exact.setEnabled(not self.apply)
        self.report_button.setEnabled(True)
        self.withdraw_button.setEnabled(self.apply)
        if self.apply:
            self.load_proposals()
        else:
            _fill(self.proposed, [[p["row"], p["listed_name"], p["name"], ids.mask(p["pid"]), p["birth"],
                                   p["village"], "待写入"] for p in res.proposed])

    # ---- review ----------------------------------------------------------------------------------
    def apply_exact(self):
        """Write the exact matches (and the proposals, still without effect)."""
        self.apply = True
        return self.start()

    def load_proposals(self) -> None:
        lid = self.result.info.id

        def shown(rows) -> None:
            self.pending = rows
            _fill(self.proposed, [[r["row"], "", r["name"], ids.mask(r["pid"]), r["birth"], r["village"], "待确认"]
                                  for r in rows])
            listed = {(p["row"], p["pid"]): p["listed_name"] for p in self.result.proposed}
            for i, r in enumerate(rows):
                self.proposed.setItem(i, 1, QTableWidgetItem(listed.get((r["row"], r["pid"]), "")))
            self.confirm_button.setEnabled(bool(rows))
            self.reject_button.setEnabled(bool(rows))

        shown(views.match_proposals(self.ws, lid))  # a read, on the window's own connection

    def review(self, yes: bool) -> None:
        chosen = sorted({i.row() for i in self.proposed.selectedIndexes()})
        pids = [self.pending[i]["pid"] for i in chosen if i < len(self.pending)]
        if not pids:
            self.summary.setText("请先在“待确认”中选择要确认或否定的比对。")
            return
        lid = self.result.info.id

        def done(n: int) -> None:
            self.summary.setText(f"已{'确认' if yes else '否定'} {n} 条比对。")
            self.load_proposals()
            self.imported.emit(self.result)

        operations.review_matches(self.runner, lid, pids, yes, by=self.author, success=done, failure=self._failed)

    def withdraw(self) -> None:
        lid = self.result.info.id

        def done(out) -> None:
            info, n = out
            self.summary.setText(f"已撤回名单“{info.name}”：{n} 人的比对结果不再生效。")
            self.withdraw_button.setEnabled(False)
            self.load_proposals()
            self.imported.emit(self.result)

        operations.withdraw_list(self.runner, lid, by=self.author, success=done, failure=self._failed)

    def save_report(self, target: str | None = None) -> Path | None:
        if target is None:
            target, _ = QFileDialog.getSaveFileName(self, "另存比对结果", views.safe_name(f"{self.result.info.kind}比对结果") + ".xlsx",
                                                    "Excel (*.xlsx)")
        if not target:
            return None
        out = operations.write_match_report(self.result, target)
        self.summary.setText(f"比对结果已另存为 {out}")
        return out
