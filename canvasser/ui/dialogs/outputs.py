"""Files the app writes: ledgers, the daily report, the bureau feedback sheet (core `ledgers`,
`reports`, `report_pdf`), and the printed papers — payment notices, leaflets, letters to parents,
visit sheets (core `notices`). Each runs on the worker with a progress dialog, then offers to open
the file (the system's PDF viewer prints it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLabel, QVBoxLayout

from ...core import clock, views
from ...core.errors import Cancelled, InputError
from .. import operations
from ..folders import last_folder, open_with_system, remember

# The core modules behind these screens pull in reportlab and openpyxl: the operations import them
# when a file is made (on the worker), not when the window starts.


@dataclass
class Context:
    """What the window knows when the user asks for a file: who works, what is selected."""

    canvasser: str = ""
    household: str = ""
    village: str | None = None
    grp: str | None = None
    scope: object = field(default_factory=views.scope)  # the tree's selection (a Scope), for printing what is selected
    table: object = None  # the table's PeopleFilter: a search or status filter prints the people it shows
    chosen: list[str] | None = None  # households to print, once the scope is settled (None = everyone)
    everything: bool = False  # the user chose 打印全部
    unit: str = ""  # the workspace's unit (某某镇光明村): default file names carry it
    household_label: str = ""  # the selected household in a file name (王䶮户)
    file_scope: str = ""  # the chosen scope in a file name, once settled (光明村七组)

    def sheet_scope(self):
        """Visit sheets walk whole groups: the tree's village and group, never a filtered list."""
        return views.scope(village=self.scope.village, groups=list(self.scope.groups))
    password: str | None = None  # the open password of an export holding full IDs


@dataclass
class Output:
    key: str
    title: str
    filename: str  # default file name; {scope}: what it covers (unit, group, household), {date}: today
    filter: str
    make: Callable[[object, Path, Callable, Context], object]
    describe: Callable[[object, Path], str]


def _glyphs(res) -> str:
    if not getattr(res, "missing_glyphs", None):
        return ""
    return ("<br><span style='color:#b3261e'>注意：有生僻字字体中没有，已印为虚线方框，请手写补全：</span><br>"
            + views.glyph_summary(res.missing_glyphs).replace("\n", "<br>"))


def _need_household(ctx: Context) -> list[str]:
    if not ctx.household:
        raise InputError("请先在表格中选择这一户的任何一个人")
    return [ctx.household]


def _ledger_done(r: dict, out: Path) -> str:
    parts = [f"{k} {v} 人" + (f"（分 {len(r['parts'][k])} 部分打印）" if len(r["parts"][k]) > 1 else "")
             for k, v in r["sheets"].items()]
    return f"台账已导出（{r['paper']} 横向打印）：" + "，".join(parts)


OUTPUTS: dict[str, Output] = {o.key: o for o in (
    Output("ledger", "导出台账", "台账_{scope}_{date}.xlsx", "Excel (*.xlsx)",
           lambda ws, out, p, c: operations.ledger(ws, out, p, password=c.password), _ledger_done),
    Output("ledger_a3", "导出台账（A3 纸，宽表整张打印）", "台账_A3_{scope}_{date}.xlsx", "Excel (*.xlsx)",
           lambda ws, out, p, c: operations.ledger(ws, out, p, password=c.password, paper="A3"),
           _ledger_done),
    Output("report", "导出进度日报", "进度日报_{scope}_{date}.xlsx", "Excel (*.xlsx);;PDF (*.pdf)",
           lambda ws, out, p, c: operations.report(ws, out, p, by=c.canvasser),
           lambda r, out: views.headline(r)),
    Output("feedback", "导出反馈表（报医保局）", "未参保人员反馈表_{scope}_{date}.xlsx", "Excel (*.xlsx)",
           lambda ws, out, p, c: operations.feedback(ws, out, p, password=c.password),
           lambda r, out: f"反馈表已导出：{views.feedback_line(r)}。"),
    Output("notice_household", "打印本户缴费通知单", "缴费通知单_{scope}_{date}.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: operations.notices(ws, out, p, households=_need_household(c), by=c.canvasser),
           lambda r, out: f"已生成缴费通知单：{r.households} 户，{r.persons} 人，{r.pages} 页。" + _glyphs(r)),
    Output("notices", "打印缴费通知单（所选范围）", "缴费通知单_{scope}_{date}.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: operations.notices(ws, out, p, households=c.chosen, by=c.canvasser),
           lambda r, out: f"已生成缴费通知单：{r.households} 户，{r.persons} 人，{r.pages} 页。" + _glyphs(r)),
    Output("leaflet", "打印明白纸", "明白纸_{scope}_{date}.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: operations.leaflet(ws, out, p, template="leaflet", by=c.canvasser,
                                                    households=c.chosen),
           lambda r, out: (f"已生成明白纸 {r.extra.get('letters', 1)} 份，每户一份（{r.pages} 页）。" if r.households
                           else f"已生成明白纸（{r.pages} 页）。") + _glyphs(r)),
    Output("letter", "打印致家长的一封信", "致家长的一封信_{scope}_{date}.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: operations.leaflet(ws, out, p, template="letter", by=c.canvasser,
                                                    households=c.chosen),
           lambda r, out: f"已生成致家长的信 {r.extra.get('letters', 1)} 份（{r.pages} 页）。" + _glyphs(r)),
    Output("visit_sheet", "打印入户走访登记表", "入户走访登记表_{scope}_{date}.pdf", "PDF (*.pdf)",
           lambda ws, out, p, c: operations.visit_sheet(
               ws, out, p, groups=None if c.everything else c.sheet_scope().groups or None,
               village=None if c.everything else c.village),
           lambda r, out: f"已生成入户走访登记表：{r.households} 户，{r.persons} 人，{r.pages} 页。" + _glyphs(r)),
)}
EXPORTS = ("ledger", "ledger_a3", "report", "feedback")
FULL_IDS = ("ledger", "ledger_a3", "feedback")  # exports holding full ID numbers: offered an open password
PRINTS = ("notice_household", "notices", "leaflet", "letter", "visit_sheet")
SCOPED = ("notices", "leaflet", "letter", "visit_sheet")  # these follow the tree's or the table's selection


def default_name(output: Output, ctx: Context, folder: Path) -> Path:
    """The suggested file: what it covers and today's date in its name, never an earlier file's
    name (a second print the same day of the same group is "…(2).pdf"), so nothing earlier is
    replaced unless the user picks that file (and the save dialog asks first)."""
    scope = (ctx.file_scope or (ctx.household_label if output.key == "notice_household" else "")
             or ctx.unit or "全部")
    path = folder / output.filename.format(scope=scope, date=clock.today().isoformat())
    n = 2
    while path.exists():
        base = output.filename.format(scope=scope, date=clock.today().isoformat())
        path = folder / f"{Path(base).stem}({n}){Path(base).suffix}"
        n += 1
    return path


def ask_target(parent, output: Output, folder: Path, ctx: Context | None = None) -> Path | None:
    suggested = default_name(output, ctx or Context(), folder)
    chosen, _ = QFileDialog.getSaveFileName(parent, output.title, str(suggested), output.filter)
    if not chosen:
        return None
    path = Path(chosen)
    if not path.suffix:
        path = path.with_suffix(suggested.suffix)
    return path


class DoneDialog(QDialog):
    """What was written, with a button to open it (and print it from the viewer)."""

    def __init__(self, title: str, text: str, path: Path, parent=None, *, ok: bool = True):
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        lay = QVBoxLayout(self)
        self.text = QLabel(f"{text}<br><br>文件：{path}" if ok else text)  # nothing written: no file named
        self.text.setWordWrap(True)
        lay.addWidget(self.text)
        buttons = QDialogButtonBox()
        open_b = buttons.addButton("打开文件（可打印）", QDialogButtonBox.ButtonRole.ActionRole)
        folder_b = buttons.addButton("打开所在文件夹", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        open_b.setVisible(ok)
        folder_b.setVisible(ok)
        open_b.clicked.connect(lambda: self.open_target(path))
        folder_b.clicked.connect(lambda: self.open_target(path.parent))
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


    def open_target(self, target: Path) -> bool:
        """The PDF in the system's viewer (where it is printed) or the folder; says so when nothing opens it."""
        if open_with_system(target):
            return True
        what = "文件夹" if target.is_dir() else "文件"
        self.text.setText(f"{self.text.text()}<br><br><b>无法打开{what}</b>：这台电脑上没有能打开它的程序"
                          f"（PDF 可以装 WPS，或用浏览器打开）。请到“{target if target.is_dir() else target.parent}”里找到它。")
        return False


class ScopeDialog(QDialog):
    """Says what will be printed before anything is ("七组：28 户，97 人"), with 打印全部 beside it."""

    def __init__(self, title: str, info: dict, whole: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.everything = False
        lay = QVBoxLayout(self)
        n = info["count"]
        self.text = QLabel(_scope_text(info, whole))
        self.text.setWordWrap(True)
        lay.addWidget(self.text)
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton(f"打印{info['label']}（{n['households']} 户）",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button.setDefault(True)
        self.all_button = buttons.addButton(f"打印全部（{whole['households']} 户）", QDialogButtonBox.ButtonRole.ActionRole)
        self.all_button.setAutoDefault(False)
        self.all_button.setVisible(info["households"] is not None)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.all_button.clicked.connect(self._all)
        lay.addWidget(buttons)

    def _all(self) -> None:
        self.everything = True
        self.accept()


def _describe(ws, key: str, ctx: Context, progress=None, prepare: bool = False) -> tuple[dict, dict]:
    """The selection's households and counts; for notices (with `prepare`) the PDF itself, made into
    memory, so the dialog can say its pages ("七组：28 户，28 页") and saving it needs no second pass."""
    import io

    if key == "visit_sheet":
        info = views.selection(ws, ctx.sheet_scope())
    else:
        info = views.selection(ws, ctx.scope, ctx.table)
    if prepare and key == "notices":
        buf = io.BytesIO()
        res = operations.notices(ws, buf, progress, households=info["households"], by=ctx.canvasser)
        info["prepared"] = (buf.getvalue(), res)
    return info, views.count_households(ws, None)


def _saved(data: bytes, res):
    """Write a PDF already made (in memory) to the chosen file, replacing it only once written."""
    def make(_ws, out: Path, _progress, _ctx):
        operations.save_made(data, out)
        res.out = str(out)
        return res

    return make


def _scope_text(info: dict, whole: dict) -> str:
    n = info["count"]
    if "prepared" in info:
        res = info["prepared"][1]
        text = f"将打印 <b>{info['label']}</b>：{res.households} 户，{res.pages} 页"
        if res.households < n["households"]:
            text += f"（其余 {n['households'] - res.households} 户已全部完成，不用通知）"
        text += "。"
    else:
        text = f"将打印 <b>{info['label']}</b>：{n['households']} 户，{n['people']} 人。"
    if info["households"] is not None:
        text += f"<br><span style='color:#555'>全部共 {whole['households']} 户，{whole['people']} 人。</span>"
    return text


def _ask_scope(window, key: str, ctx: Context, out: Path | None, folder: Path | None):
    """On the worker: which households the selection means; then say it and let the user choose."""
    from ..worker import Job

    def described(result: tuple[dict, dict]) -> None:
        info, whole = result
        ctx.chosen = info["households"]
        ctx.file_scope = info.get("file", "")
        if out is not None:  # asked for a file directly (a script, a test): the selection as it stands
            _write(window, key, ctx, out, folder)
            return
        dlg = ScopeDialog(OUTPUTS[key].title, info, whole, window)
        window.scope_dialog = dlg

        def answered(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                return
            if dlg.everything:
                ctx.chosen, ctx.everything, ctx.file_scope = None, True, ctx.unit

                def go() -> None:
                    _write(window, key, ctx, None, folder)
            else:
                def go() -> None:
                    _write(window, key, ctx, None, folder, info.get("prepared"))
            if key == "letter":  # school-age people no list names as students: the cadre says
                from .before_print import ask_students

                ask_students(window, ctx, go)
            else:
                go()

        dlg.finished.connect(answered)
        dlg.open()

    def failed(exc: BaseException) -> None:
        window.last_output = (key, out, exc)
        window.statusBar().showMessage(f"{OUTPUTS[key].title}：{exc}", 8000)

    if out is None and key == "notices":  # the notices are made now, so their pages can be said
        return operations.make_file(window.runner, window, f"{OUTPUTS[key].title}：正在排版…",
                                    lambda ws, progress: _describe(ws, key, ctx, progress, prepare=True),
                                    success=described, failure=failed)
    return window.runner.submit(Job(lambda ws, _p: _describe(ws, key, ctx), success=described, failure=failed,
                                    label="所选范围"))


def _ask_channel(window, then: Callable[[], object]):
    """On the worker: is a channel missing? If so the dialog asks; its answer is saved by core."""
    from ..worker import Job
    from .payment import PaymentChannelDialog

    def asked(due: bool) -> None:
        window.channel_checked = True
        if not due:
            then()
            return
        dlg = PaymentChannelDialog(window)
        window.channel_dialog = dlg

        def answered(result: int) -> None:
            values = dlg.values() if result == QDialog.DialogCode.Accepted else {}
            operations.set_payment_channel(window.runner, values, by=window.output_context().canvasser,
                                           success=lambda _r: then(),
                                           failure=lambda exc: (setattr(window, "channel_checked", False),
                                                                window.statusBar().showMessage(str(exc), 8000)))

        dlg.finished.connect(answered)
        dlg.open()

    return window.runner.submit(Job(lambda ws, _p: views.channel_prompt_due(ws), success=asked,
                                    label="缴费渠道"))


def run_output(window, key: str, out: Path | None = None, folder: Path | None = None,
               password: str | None = None):
    """Ask where (unless `out` is given) and, for full IDs, about a password; write on the worker,
    then show what was written. Notices chosen from the menu with no payment channel set first ask
    for one (once)."""
    if out is None and key in ("notices", "notice_household") and not getattr(window, "channel_checked", False):
        return _ask_channel(window, lambda: run_output(window, key, None, folder, password))
    if out is None and key in PRINTS and getattr(window, "print_checked", None) != key:
        from .before_print import prepare_print  # this year's amounts confirmed, a contact phone

        def ready() -> None:
            window.print_checked = key
            try:
                run_output(window, key, None, folder, password)
            finally:
                window.print_checked = None

        return prepare_print(window, key, ready)
    ctx = window.output_context()
    if key in SCOPED:
        return _ask_scope(window, key, ctx, out, folder)
    return _write(window, key, ctx, out, folder, password=password)


def _write(window, key: str, ctx: Context, out: Path | None, folder: Path | None, prepared=None,
           password: str | None = None):
    """Ask where (unless given), make the file on the worker (or save the one `prepared`), then say
    what was written."""
    output = OUTPUTS[key]
    make = _saved(*prepared) if prepared else output.make
    if out is None:
        out = ask_target(window, output, folder or last_folder("outputs"), ctx)
        if out is None:
            return None
        remember("outputs", out)
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

    return operations.make_file(window.runner, window, f"{output.title}…",
                                lambda ws, progress: make(ws, out, progress, ctx), success=done, failure=failed)
