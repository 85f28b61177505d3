"""Importing the bureau's paid list (已缴费名单): official statuses that outrank every claim (at the
top tier; below it the list is kept as claims, 自报待核实, and the screen says so). A list that matches
nobody or far fewer than its rows is shown with a warning and a few of its names."""

from __future__ import annotations

import html
from pathlib import Path

from ...core import authority, views
from .. import operations
from .import_roster import TableImportDialog


class PaidImportDialog(TableImportDialog):
    title = "导入已缴费名单（医保局/税务）"
    list_kind = "paid"
    aliases = views.list_aliases("paid")
    required = ("pid",)
    progress_label = "正在导入已缴费名单…"

    def submit(self, path: Path, overrides: dict[str, str]):
        return operations.import_paid(self.runner, self, self.progress_label, path, overrides=overrides,
                                      by=self.author, success=self._done, failure=self._failed)

    def describe(self, res) -> str:
        what = "新记为“已自行缴费（待核实）”" if res.claimed else "新确认已缴"
        text = (f"导入完成：名单中 {res.rows} 行，匹配到本工作区 <b>{res.matched}</b> 人，"
                f"其中{what} <b>{res.new}</b> 人，以前已记录 {res.already} 人。")
        if res.warning:
            text = f"<span style='color:#b3261e'><b>请注意：</b>{html.escape(res.warning)}</span><br>" + text
        if res.claimed:
            above = authority.above(self.ws)
            who = above.label if above else "上级"
            text += (f"<br>本工作区不导入医保局确认：这份名单上的人记为自报待核实，随数据包报{who}；"
                     f"“医保局确认”只来自{who}导入的医保局缴费名单。")
        not_here = len(res.unmatched) - len(res.rejected)  # unmatched also lists the unreadable rows
        if not_here:
            text += f"<br>本工作区没有的人 {not_here} 行（可能是外村人员）。"
        if res.rejected:
            text += f"<br><span style='color:#b3261e'>有 {len(res.rejected)} 行无法识别</span>（见“未导入的行”）。"
        return text

    def problem_rows(self, res) -> list[dict]:
        return [*res.unmatched, *res.duplicates]  # unmatched already holds the rejected rows
