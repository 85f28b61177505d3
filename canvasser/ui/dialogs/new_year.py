"""开始新年度: next year's bureau list against this year's, in the same workspace.

Shows the settings rolled forward beside last year's (the standards to confirm), then imports the
new list through core's `newyear.start_year` (the list preview and the rejected rows are the
roster import's own screen)."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from ...core import views
from .. import operations
from .import_roster import ImportDialog


def _show(value) -> str:
    if isinstance(value, dict):
        return "，".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


class NewYearDialog(ImportDialog):
    title = "开始新年度：导入新一年的名单"
    progress_label = "正在开始新年度…"

    def __init__(self, ws, runner, author: str = "", parent=None):
        super().__init__(ws, runner, author, parent)
        self.above = views.year_started_above(ws)  # the tier above started this year: only our list comes in
        if self.above is not None:
            self.year = self.above
            self.setWindowTitle(f"导入{self.year}年度的名单")
            self.start_button.setText(f"导入{self.year}年度名单")
            self.info.setText(f"{self.year}年度已由上级开始。选择医保局发来的{self.year}年度未参保人员名单（本村部分）："
                              "去年的电话、微信、外出地点、备注、户和走访结果都会保留。")
            return
        proposed, diff = views.new_year_settings(ws)
        self.year = proposed["coverage_year"]
        self.settings = QTableWidget(len(diff), 3)
        self.settings.setHorizontalHeaderLabels(["设置", "去年", f"{self.year}年度"])
        self.settings.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.settings.verticalHeader().hide()
        for r, s in enumerate(diff):
            for c, text in enumerate((s["label"], _show(s["last_year"]),
                                      _show(s["this_year"]) + ("（已改）" if s["changed"] else "（请核对）"))):
                self.settings.setItem(r, c, QTableWidgetItem(text))
        self.tabs.insertTab(0, self.settings, "与去年相比")
        self.tabs.setCurrentIndex(0)
        self.start_button.setText(f"开始{self.year}年度")
        self.info.setText(f"选择医保局发来的{self.year}年度未参保人员名单。去年的电话、微信、外出地点、备注、户和走访结果都会保留，"
                          "今年的状态从头开始。")

    def submit(self, path, overrides):
        return operations.start_year(self.runner, self, self.progress_label, path, overrides=overrides,
                                     by=self.author, year=self.above, success=self._done, failure=self._failed)

    def describe(self, res) -> str:
        text = (f"已开始 <b>{res.year}</b> 年度：去年就在名单上的 <b>{res.again}</b> 人，新上名单 <b>{res.new}</b> 人，"
                f"去年在、今年不在名单上的 <b>{res.gone}</b> 人")
        if res.gone_implied:
            text += "（" + "，".join(f"{k} {v} 人" for k, v in res.gone_implied.items()) + "）"
        text += "。<br>请在“征缴设置”里核对本年度的缴费标准和资助标准。"
        if res.imported and res.imported.rejected:
            text += f"<br><span style='color:#b3261e'>有 {len(res.imported.rejected)} 行未导入</span>（见“未导入的行”）"
        return text

    def problem_rows(self, res) -> list[dict]:
        return [*res.imported.rejected, *res.imported.duplicates] if res.imported else []
