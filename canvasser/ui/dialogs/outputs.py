"""Files the app writes: ledgers, the daily report, the bureau feedback sheet (core `ledgers`,
`reports`, `report_pdf`), and the printed papers — payment notices, leaflets, letters to parents,
visit sheets (core `notices`). Each runs on the worker with a progress dialog, then offers to open
the file (the system's PDF viewer prints it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLabel, QVBoxLayout

from ...core.errors import Cancelled, InputError
from ..worker import run_with_progress

# The core modules behind these screens pull in reportlab and openpyxl: they are imported when a
# file is made (on the worker), not when the window starts.


def _ledgers():
    from ...core import ledgers

    return ledgers


def _notices():
    from ...core.notices import leaflet, notice, sheet

    return notice.build_notices, leaflet.build_leaflet, sheet.build_visit_sheet


def _pct(rate: float) -> str:
    from ...core.reports import pct

    return pct(rate)


@dataclass
class Context:
    """What the window knows when the user asks for a file: who works, what is selected."""

    canvasser: str = ""
    household: str = ""
    village: str | None = None
    grp: str | None = None
    password: str | None = None  # the open password of an export holding full IDs


@dataclass
class Output:
    key: str
    title: str
    filename: str  # default file name; {date} is today
    filter: str
    make: Callable[[object, Path, Callable, Context], object]
    describe: Callable[[object, Path], str]


def _glyphs(res) -> str:
    if not getattr(res, "missing_glyphs", None):
        return ""
    from ...core.notices.preflight import summary as glyph_summary

    return ("<br><span style='color:#b3261e'>注意：有生僻字字体中没有，已印为虚线方框，请手写补全：</span><br>"
            + glyph_summary(res.missing_glyphs).replace("\n", "<br>"))


def _report(ws, out: Path, _progress, _ctx: Context) -> dict:
    from ...core import report_pdf, reports

    figs = reports.make_report(ws, dt.date.today())
    if out.suffix.lower() == ".pdf":
        figs["pages"] = report_pdf.write_report_pdf(figs, out)["pages"]
    else:
        _ledgers().write_report_xlsx(figs, out)
    return figs


def _need_household(ctx: Context) -> list[str]:
    if not ctx.household:
        raise InputError("请先在表格中选择这一户的任何一个人")
    return [ctx.household]


OUTPUTS: dict[str, Output] = {o.key: o for o in (
    Output("ledger", "导出台账", "台账_{date}.xlsx", "Excel (*.xlsx)",
           lambda ws, out, p, c: _ledgers().write_ledger(ws, out, progress=p, password=c.password),
           lambda r, out: "台账已导出：" + "，".join(f"{k} {v} 人" for k, v in r["sheets"].items())),
    Output("report", "导出进度日报", "进度日报_{date}.xlsx", "Excel (*.xlsx);;PDF (*.pdf)", _report,
           lambda r, out: (f"{r['date']} 进度：名单 {r['total']} 人，完成 {r['done']} 人（{_pct(r['rate'])}），"
                           f"未完成 {r['remaining']} 人。")),
    Output("feedback", "导出反馈表（报医保局）", "未参保人员反馈表_{date}.xlsx", "Excel (*.xlsx)",
           lambda ws, out, p, c: _ledgers().write_feedback(ws, out, progress=p, password=c.password),
           lambda r, out: f"反馈表已导出：共 {r['rows']} 人，未参保 {r['not_paid']}，已缴费待核实 {r['claimed']}。"),
    Output("notice_household", "打印本户缴费通知单", "缴费通知单_本户.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: _notices()[0](ws, out, households=_need_household(c), by=c.canvasser, progress=p),
           lambda r, out: f"已生成缴费通知单：{r.households} 户，{r.persons} 人，{r.pages} 页。" + _glyphs(r)),
    Output("notices", "打印全部缴费通知单", "缴费通知单_{date}.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: _notices()[0](ws, out, by=c.canvasser, progress=p),
           lambda r, out: f"已生成缴费通知单：{r.households} 户，{r.persons} 人，{r.pages} 页。" + _glyphs(r)),
    Output("leaflet", "打印明白纸", "明白纸.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: _notices()[1](ws, out, template="leaflet", by=c.canvasser, progress=p),
           lambda r, out: f"已生成明白纸（{r.pages} 页）。" + _glyphs(r)),
    Output("letter", "打印致家长的一封信", "致家长的一封信.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: _notices()[1](ws, out, template="letter", by=c.canvasser, progress=p),
           lambda r, out: f"已生成致家长的信 {r.extra.get('letters', 1)} 份（{r.pages} 页）。" + _glyphs(r)),
    Output("visit_sheet", "打印入户走访登记表", "入户走访登记表_{date}.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: _notices()[2](ws, out, groups=[c.grp] if c.grp else None,
                                               village=c.village, progress=p),
           lambda r, out: f"已生成入户走访登记表：{r.households} 户，{r.persons} 人，{r.pages} 页。" + _glyphs(r)),
)}
EXPORTS = ("ledger", "report", "feedback")
FULL_IDS = ("ledger", "feedback")  # exports holding full ID numbers: offered an open password
PRINTS = ("notice_household", "notices", "leaflet", "letter", "visit_sheet")


def ask_target(parent, output: Output, folder: Path) -> Path | None:
    name = output.filename.format(date=dt.date.today().isoformat())
    chosen, _ = QFileDialog.getSaveFileName(parent, output.title, str(folder / name), output.filter)
    if not chosen:
        return None
    path = Path(chosen)
    if not path.suffix:
        path = path.with_suffix(Path(name).suffix)
    return path


class DoneDialog(QDialog):
    """What was written, with a button to open it (and print it from the viewer)."""

    def __init__(self, title: str, text: str, path: Path, parent=None, *, ok: bool = True):
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        lay = QVBoxLayout(self)
        self.text = QLabel(f"{text}<br><br>文件：{path}")
        self.text.setWordWrap(True)
        lay.addWidget(self.text)
        buttons = QDialogButtonBox()
        open_b = buttons.addButton("打开文件（可打印）", QDialogButtonBox.ButtonRole.ActionRole)
        folder_b = buttons.addButton("打开所在文件夹", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        open_b.setVisible(ok)
        folder_b.setVisible(ok)
        open_b.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))
        folder_b.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


def run_output(window, key: str, out: Path | None = None, folder: Path | None = None,
               password: str | None = None):
    """Ask where (unless `out` is given) and, for full IDs, about a password; write on the worker,
    then show what was written."""
    output = OUTPUTS[key]
    ctx = window.output_context()
    if out is None:
        out = ask_target(window, output, folder or Path.home())
        if out is None:
            return None
        if key in FULL_IDS and password is None:
            from .export_password import ExportPasswordDialog

            ask = ExportPasswordDialog(output.title, window)
            if ask.exec() != QDialog.DialogCode.Accepted:
                return None
            password = ask.password
    ctx.password = password

    def done(res) -> None:
        text = output.describe(res, out)
        window.last_output = (key, out, res)
        window.statusBar().showMessage(f"{output.title}：已保存 {out.name}", 6000)
        dlg = DoneDialog(output.title, text, out, window)
        window.done_dialog = dlg
        dlg.open()

    def failed(exc: BaseException) -> None:
        window.last_output = (key, out, exc)
        if isinstance(exc, Cancelled):
            message = "已取消，没有生成文件。"
        elif isinstance(exc, (InputError, OSError)):
            message = str(exc)
        else:
            message = f"失败：{exc}"
        window.statusBar().showMessage(f"{output.title}：{message}", 8000)
        dlg = DoneDialog(output.title, f"<span style='color:#b3261e'>{message}</span>", out, window, ok=False)
        window.done_dialog = dlg
        dlg.open()

    return run_with_progress(window.runner, window, f"{output.title}…",
                             lambda ws, progress: output.make(ws, out, progress, ctx), success=done, failure=failed)
