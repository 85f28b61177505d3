"""The main window: tree of places, the people table, the selected person, progress at the top.

Thin: every figure and every write goes through core; long work goes to the serial worker.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..core import views
from ..core.errors import InputError
from ..core.tiers import Tier
from ..core.views import PREVIOUS_FILTERS, STATUS_FILTERS, PeopleFilter, Workspace
from . import operations, textsize
from .detail import DetailPanel
from .flow import FlowBox
from .operations import OpChanges
from .people_model import COLUMNS, PeopleModel
from .screen import MIN_WINDOW, place_main_window
from .status_filter import MultiStatusButton, status_width
from .textsize import emphasise
from .tree import PlaceTree
from .visit_dialog import VisitDialog
from .worker import DbWorker, ImmediateRunner, Job

ROW_HEIGHT = 26


WARM_MODULES = ("canvasser.core.storage.projection", "canvasser.core.lists.paid", "canvasser.core.sync",
                "canvasser.core.rules.reports", "canvasser.core.outputs.ledgers", "canvasser.core.outputs.notices")


class ProgressStrip(FlowBox):
    """Done against the target, the rate, days left, what the township has of this village's work,
    and who is working. Its parts wrap onto a second line when the window is narrow (150%, 特大)."""

    def __init__(self, parent=None):
        super().__init__(parent, spacing=14, margins=(8, 4, 8, 4))
        self.figures = emphasise(QLabel(""), 1.1)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(260)
        self.bar.setMinimumWidth(120)
        self.bar.setTextVisible(True)
        done = QWidget()  # the figures and their bar stay together
        row = QHBoxLayout(done)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.figures)
        row.addWidget(self.bar)
        self.days = emphasise(QLabel(""), 1.1)
        self.unsent = emphasise(QLabel(""), 1.0, bold=True)
        self.who = QLabel("")
        for w in (done, self.days, self.unsent, self.who):
            self.add(w)

    def show_progress(self, p: dict) -> None:
        self.figures.setText(f"完成 <b>{p['done']}</b> / 任务 {p['target']} 人（名单 {p['total']} 人）")
        self.bar.setMaximum(max(1, p["target"]))
        self.bar.setValue(min(p["done"], p["target"]))
        self.bar.setToolTip(f"{views.RATE_TARGET}：已完成 ÷ 任务数（{views.TARGET_NOTE}）")
        self.bar.setFormat(f"占任务数 {views.percent(p['done'], p['target'])}" if p["target"]
                           else "尚无名单")  # never 100% of nothing
        self.days.setText(f"距集中征缴期截止（{p['deadline']}）还有 <b>{p['days_left']}</b> 天")


ORANGE, BLUE, GREEN, GREY = "#b26a00", "#0b5cad", "#1b7f3b", "#666666"


def banner(status: dict) -> tuple[str, str]:
    """What a village cadre needs to know about the township (text, colour): visits not handed over
    yet (orange), handed over and waiting for the township's confirmation (blue), confirmed (green)."""
    vu, vw = int(status.get("visits_unsent", 0)), int(status.get("visits_waiting", 0))
    ou, ow = int(status.get("other_unsent", 0)), int(status.get("other_waiting", 0))
    if vu:
        return (f"{vu} 条走访还没交给乡镇（同步 → 导出数据包）" + (f"，{vw} 条已导出等乡镇确认" if vw else ""), ORANGE)
    if vw:
        return f"{vw} 条走访已导出，等乡镇确认", BLUE
    if ou:
        return "有人员信息的修改还没交给乡镇（同步 → 导出数据包）", ORANGE
    if ow:
        return "修改已导出，等乡镇确认", BLUE
    if status.get("last_sent_at"):
        return "乡镇已确认收到全部走访", GREEN
    return "还没有要交给乡镇的走访", GREY


class MainWindow(QMainWindow):
    person_changed = Signal(str)
    switch_requested = Signal(str)

    def __init__(self, ws: Workspace, *, canvasser: str = "", runner=None, parent=None):
        """`ws` names the file; the window reads on its own read-only connection and writes only
        through operations on `runner` (the one database worker, or the tests' ImmediateRunner)."""
        super().__init__(parent)
        self.ws = views.open_reader(ws.path)
        self.canvasser = canvasser
        self.runner = runner if runner is not None else DbWorker(ws.path)
        self.runner.changed.connect(self.on_changes)  # every operation says what it changed
        ws = self.ws
        self.visit_dialog: VisitDialog | None = None
        self.last_output = None
        self._want = ""
        self.done_dialog = None
        self.setWindowTitle(self._title())
        self.maximise = place_main_window(self)  # the screen it opens on (1366×768 at 150% is 910×512)

        self.strip = ProgressStrip()
        self.tabs = QTabWidget()
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.strip)
        outer.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        # ---- the work tab: tree | table | detail ----
        self.tree = PlaceTree(ws)
        self.model = PeopleModel(ws, self, runner=self.runner)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.hide()
        hh = self.table.horizontalHeader()
        hh.setSectionsClickable(True)
        hh.setSortIndicatorShown(True)
        hh.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        hh.setHighlightSections(False)
        for i, col in enumerate(COLUMNS):
            self.table.setColumnHidden(i, col.key == "village" and not ws.tier.coordinates)  # 村: a township's list
        self._size_columns()
        hh.setStretchLastSection(True)
        hh.sortIndicatorChanged.connect(self._sort)
        self.table.activated.connect(lambda _: self.open_visit_dialog())  # Enter or double-click

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("搜索：姓名 / 拼音首字母（如 zs）/ 身份证号或后几位 / 电话")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumHeight(30)
        self.status_filter = QComboBox()
        for key, label in STATUS_FILTERS.items():
            self.status_filter.addItem(label, key)
        self.status_multi = MultiStatusButton()  # several statuses at once (issue 23)
        self.category_filter = QComboBox()
        self.previous_filter = QComboBox()
        for key, label in PREVIOUS_FILTERS.items():
            self.previous_filter.addItem(label, key)
        self.followup_filter = QCheckBox("待跟进")
        self.followup_filter.setToolTip("承诺到期、无人在家、外出、拒绝等需要再次联系的人")
        self.count_label = QLabel("")
        self._fill_categories()

        self.search_box.setMinimumWidth(220)
        self.search_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        filters = FlowBox(spacing=6)  # the filters go under the search box when the window is narrow
        for w in (self.search_box, self.status_filter, self.status_multi, self.category_filter, self.previous_filter,
                  self.followup_filter, self.count_label):
            filters.add(w)
        centre = QWidget()
        cl = QVBoxLayout(centre)
        cl.setContentsMargins(4, 4, 4, 0)
        cl.addWidget(filters)
        cl.addWidget(self.table, 1)

        self.detail = DetailPanel(ws)
        self.detail.person_requested.connect(self.select_person)
        self.detail.record_requested.connect(self.open_visit_dialog)
        self.detail.edit_requested.connect(self.open_person)
        self.detail.message.connect(lambda m: self.statusBar().showMessage(m, 4000))

        self.detail_scroll = QScrollArea()  # the person panel scrolls where the screen is short
        self.detail_scroll.setWidget(self.detail)
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setMinimumWidth(self.detail.minimumWidth())
        self.tree.setMinimumWidth(90)
        self.tree.setIndentation(14)  # the group's name stays whole in a narrow tree (150%)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.detail_scroll)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self._share_width()
        self.tabs.addTab(self.splitter, "走访")
        self.dashboard = None
        self._add_dashboard()

        # ---- wiring ----
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(150)
        self.debounce.timeout.connect(self.apply_filter)
        self.search_box.textChanged.connect(lambda _: self.debounce.start())
        self.search_box.returnPressed.connect(self._search_now)
        self.search_box.installEventFilter(self)
        self.status_filter.currentIndexChanged.connect(lambda _: self.apply_filter())
        self.status_multi.changed.connect(self.apply_filter)
        self.category_filter.currentIndexChanged.connect(lambda _: self.apply_filter())
        self.previous_filter.currentIndexChanged.connect(lambda _: self.apply_filter())
        self.followup_filter.toggled.connect(lambda _: self.apply_filter())
        self.tree.scope_changed.connect(lambda *_: self._scope_changed())
        self.detail.import_requested.connect(self.open_import)
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.tabs.currentChanged.connect(self._on_tab)
        self.model.completed.connect(self._on_completed)

        self._build_actions()
        self.statusBar().showMessage("就绪：输入姓名、拼音首字母或身份证尾号查人，↓ 进入表格，Enter 或 Ctrl+N 记录走访")
        self.search_box.setFocus()
        self.apply_filter()
        self.refresh_figures()
        self.runner.submit(Job(lambda _ws, _p: [importlib.import_module(m) for m in WARM_MODULES], label="预加载"))
        from .lock import install_idle_lock  # encryption at rest: the idle lock (issue 19)
        self.idle_lock = install_idle_lock(self)

    # ---- layout helpers ------------------------------------------------------------------------
    def _title(self) -> str:
        """The place and the file; Qt adds the app's name (its display name) once, at the end."""
        place = self.ws.meta("village") or self.ws.meta("township") or ""
        name = self.ws.path.name
        return name if not place or place == self.ws.path.stem else f"{place} — {name}"

    @staticmethod
    def _text_ratio() -> float:
        """The window's text against 标准 (字号 大 1.25, 特大 1.5): fixed sizes in pixels follow it."""
        return QApplication.font().pointSizeF() / textsize.SIZES[textsize.DEFAULT]

    def _size_columns(self) -> None:
        """The table's row height and column widths for the text size (an ID's tail stays whole at 特大)."""
        ratio = self._text_ratio()
        self.table.verticalHeader().setDefaultSectionSize(round(ROW_HEIGHT * max(1.0, ratio)))
        hh = self.table.horizontalHeader()
        for i, col in enumerate(COLUMNS):
            hh.resizeSection(i, max(round(col.width * ratio), status_width(self.table) if col.key == "status" else 0))

    def _share_width(self) -> None:
        """Tree, table and person panel share the window's width: the table gets what is left."""
        width = max(self.width(), MIN_WINDOW.width())
        tree = max(round(170 * self._text_ratio()), width * 13 // 100)
        detail = max(self.detail.minimumWidth() + 20, width * 27 // 100, round(300 * self._text_ratio()))
        self.splitter.setSizes([tree, max(200, width - tree - detail), detail])

    def showEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().showEvent(event)
        if not getattr(self, "_shared", False):
            self._shared = True
            self._share_width()

    def _fill_categories(self) -> None:
        camp = views.campaign(self.ws)
        current = self.category_filter.currentData()
        self.category_filter.blockSignals(True)
        self.category_filter.clear()
        self.category_filter.addItem("全部人员类别", "")
        self.category_filter.addItem("特殊群体（任一）", "*")
        for g in camp.values.get("special_groups") or []:
            self.category_filter.addItem(g, g)
        i = self.category_filter.findData(current)
        self.category_filter.setCurrentIndex(max(0, i))
        self.category_filter.blockSignals(False)

    def _add_dashboard(self) -> None:
        from .dashboard import Dashboard

        self.dashboard = Dashboard(self.ws, self.runner)
        self.tabs.addTab(self.dashboard, "看板")
        self.dashboard.groups.clicked.connect(self._work_village)  # a village's bar opens its list

    def _build_actions(self) -> None:
        tb = QToolBar("常用")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(tb)
        self.toolbar = tb
        mb = self.menuBar()

        def act(text: str, slot, shortcut: str | None = None, menu=None, toolbar: bool = False) -> QAction:
            a = QAction(text, self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(lambda _=False: slot())
            if menu is not None:
                menu.addAction(a)
            if toolbar:
                tb.addAction(a)
            self.addAction(a)
            return a

        m_file = mb.addMenu("文件(&F)")
        m_visit = mb.addMenu("走访(&V)")
        self.m_data = mb.addMenu("导入导出(&D)")
        self.m_print = mb.addMenu("打印(&P)")
        self.m_sync = mb.addMenu("同步(&S)")
        m_tools = mb.addMenu("设置(&T)")

        self.act_record = act("记录走访", self.open_visit_dialog, "Ctrl+N", m_visit, True)
        self.act_undo = act("撤销上一次走访", self.undo_last, "Ctrl+Z", m_visit, True)
        act("修改人员信息…", self.open_person, "Ctrl+E", m_visit)
        act("新增名单外人员…", self.open_add_person, None, m_visit)
        m_visit.addSeparator()
        act("切换走访人…", self.choose_canvasser, None, m_visit)
        act("搜索", lambda: (self.search_box.setFocus(), self.search_box.selectAll()), "Ctrl+F", m_visit)
        tb.addSeparator()
        act("导入名单…", self.open_import, "Ctrl+I", self.m_data, True)
        act("开始新年度…", self.open_new_year, None, self.m_data)
        self._wire_optional_actions(tb)
        act("征缴设置…", self.open_settings, None, m_tools)
        self._text_size_menu(m_tools.addMenu("字号"))
        act("走访人员…", self.choose_canvasser, None, m_tools)
        act("完整性检查…", self.open_check, None, m_tools)
        act("备份工作区…", self.open_backup, None, m_file)
        act("新建工作区…", self.new_workspace, None, m_file)
        act("打开其他工作区…", self.open_other, "Ctrl+O", m_file)
        m_file.addSeparator()
        act("退出", self.close, "Ctrl+Q", m_file)
        for m in (self.m_print, self.m_sync):
            m.menuAction().setVisible(not m.isEmpty())

    def _text_size_menu(self, menu) -> None:
        """字号 标准 / 大 / 特大: this computer's choice, applied at once (`textsize`)."""
        group = QActionGroup(self)
        self.text_size_actions: dict[str, QAction] = {}
        for name in textsize.SIZES:
            a = QAction(name, self, checkable=True)
            a.setChecked(name == textsize.current())
            a.triggered.connect(lambda _=False, n=name: self.set_text_size(n))
            group.addAction(a)
            menu.addAction(a)
            self.text_size_actions[name] = a

    def set_text_size(self, name: str) -> None:
        textsize.apply(QApplication.instance(), name, save=True)
        self.text_size_actions[name].setChecked(True)
        self._size_columns()
        self._share_width()
        self.statusBar().showMessage(f"字号：{name}", 3000)

    def _wire_optional_actions(self, tb: QToolBar) -> None:
        """Screens for core modules that other parts of the project provide, shown once they exist."""

        def add(menu, text: str, slot, toolbar: bool = False, shortcut: str | None = None) -> QAction:
            a = QAction(text, self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(lambda _=False: slot())
            menu.addAction(a)
            self.addAction(a)
            if toolbar:
                tb.addAction(a)
            return a

        from .dialogs.outputs import EXPORTS, OUTPUTS, PRINTS

        add(self.m_data, "导入已缴费名单…", self.open_paid_import, True)
        add(self.m_data, "比对部门名单（低保、特困、学生、死亡……）…", self.open_match)
        self.m_data.addSeparator()
        add(self.m_data, "导出当前列表（表格里显示的人）…", self.export_shown)
        for key in EXPORTS:
            add(self.m_data, OUTPUTS[key].title + "…", lambda k=key: self.run_output(k))
        tb.addSeparator()
        for key in PRINTS:
            add(self.m_print, OUTPUTS[key].title + "…", lambda k=key: self.run_output(k),
                toolbar=key == "notice_household", shortcut="Ctrl+P" if key == "notice_household" else None)
        self.m_print.addSeparator()
        add(self.m_print, "编辑明白纸、信件的文字…", self.open_templates)
        add(self.m_sync, "同步：导出/接收数据包…", self.open_sync, True)
        if self.ws.tier is Tier.STANDALONE:  # joining reopens the window: then these items are its own
            add(self.m_sync, "加入乡镇…", lambda: self.open_sync().join())
        else:
            add(self.m_sync, "导出数据包…", lambda: self.open_sync().export())
            add(self.m_sync, "接收数据包…", lambda: self.open_sync().receive())
        if self.ws.tier.coordinates:  # the 待核对 queue's own place (issue 23)
            self.act_conflicts = add(self.m_sync, "待核对重复建档…", self.open_conflicts, True)
            self.act_held = add(self.m_sync, f"待审核（{self.ws.tier.below.label}的数据包中暂存的记录）…",
                                self.open_held, True)
        self.strip.unsent.linkActivated.connect(self._open_link)
        self.detail.enable_message(True)
        self.detail.message_requested.connect(self.open_message)

    # ---- searching -----------------------------------------------------------------------------
    def current_filter(self) -> PeopleFilter:
        scope = self.tree.current_scope() or (None, None, None)
        return PeopleFilter(text=self.search_box.text(), status=self.status_filter.currentData() or "",
                            category=self.category_filter.currentData() or "", village=scope[0], grp=scope[1],
                            household=scope[2], followup_due=self.followup_filter.isChecked(),
                            statuses=self.status_multi.checked(), previous=self.previous_filter.currentData() or "")

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt's name
        """Down arrow in the search box goes to the table, so a cadre never needs the touchpad."""
        if obj is self.search_box and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            self.debounce.stop()
            self.apply_filter()
            self.table.setFocus()
            return True
        return super().eventFilter(obj, event)

    def _search_now(self) -> None:
        self.debounce.stop()
        self.apply_filter()
        if self.model.rowCount() and not self.detail.pid:
            self.select_row(0)

    def apply_filter(self) -> int:
        keep = self.detail.pid
        try:
            n = self.model.search(self.current_filter())
        except InputError as exc:
            self.statusBar().showMessage(str(exc), 5000)
            return 0
        self._show_count()
        self._want = keep if keep and not self.model.complete else ""
        if keep and self.model.row_of(keep) >= 0:
            self.select_person(keep)
        elif n:
            self.select_row(0)
        else:
            self.detail.show_person("")
        return n

    def _show_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"{n} 人" if self.model.complete else f"{n}+ 人…")
        flt = self.current_filter()
        self.detail.set_empty_workspace(n == 0 and self.model.complete and not (views.filtered(flt) or flt.grp
                                                                                 or flt.household))

    def _scope_changed(self) -> None:
        """A group chosen in the tree shows its rows from the top (the person shown stays selected)."""
        self.apply_filter()
        self.table.scrollToTop()

    def _on_completed(self, _n: int) -> None:
        """The full list of a large search arrived: keep the person shown selected."""
        self._show_count()
        for pid in (self._want, self.detail.pid):
            if pid and self.model.row_of(pid) >= 0:
                self.select_person(pid)
                break
        self._want = ""

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        keep = self.detail.pid
        self.model.sort(column, order)
        if keep:
            self.select_person(keep)

    # ---- selection -----------------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        if row < 0 or row >= self.model.rowCount():
            return
        idx = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(idx, QAbstractItemView.ScrollHint.EnsureVisible)

    def select_person(self, pid: str) -> None:
        row = self.model.row_of(pid)
        if row < 0:  # not in the current search: show it anyway, widen the search next time
            self.table.clearSelection()
            self.detail.show_person(pid)
            self.person_changed.emit(pid)
            return
        if self.table.currentIndex().row() == row:
            self.detail.show_person(pid)
            return
        self.select_row(row)

    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        pid = self.model.pid_at(current.row()) if current.isValid() else ""
        self.detail.show_person(pid)
        self.person_changed.emit(pid)

    def current_pid(self) -> str:
        return self.detail.pid

    # ---- visits --------------------------------------------------------------------------------
    def open_visit_dialog(self) -> VisitDialog | None:
        pid = self.current_pid()
        if not pid:
            self.statusBar().showMessage("请先在表格中选择一个人", 4000)
            return None
        if not self.canvasser and not self.choose_canvasser():
            return None
        person = views.person(self.ws, pid)
        if person is None:
            return None

        def submit(v: dict, done, failed) -> None:
            operations.record_visit(self.runner, pid, v, by=self.canvasser, success=done, failure=failed)

        dlg = VisitDialog(person, self.canvasser, submit, self)
        dlg.finished.connect(lambda _: setattr(self, "visit_dialog", None))
        self.visit_dialog = dlg
        dlg.open()
        return dlg

    def undo_last(self) -> dict | None:
        """Void this canvasser's last visit (on the worker); returns it once done (at once in tests)."""
        out: list = []

        def done(row: dict | None) -> None:
            if row is None:
                self.statusBar().showMessage(f"{self.canvasser or '您'}没有可撤销的走访记录", 4000)
                return
            out.append(row)  # (the table and figures follow the operation's changes)
            name = views.person_name(self.ws, row["pid"])
            self.statusBar().showMessage(f"已撤销 {name} 的最近一条走访记录（记录作废，不删除）", 5000)

        operations.undo_last(self.runner, by=self.canvasser, success=done)
        return out[0] if out else None

    def on_changes(self, changes: OpChanges) -> None:
        """An operation succeeded: refresh what shows what it changed (Anki's OpChanges)."""
        if changes.workspace:  # the file was replaced (a restore): every connection opens it again
            self.switch_requested.emit(str(self.ws.path))
            return
        if changes.campaign:  # (settings saved here or received from the township act at once)
            self._fill_categories()
            self._apply_settings()
        if changes.people:
            keep = changes.pid or self.detail.pid
            self.model.refresh()
            self._show_count()
            if keep:
                self.select_person(keep)
                self.detail.show_person(keep)
        if changes.figures:
            self.refresh_figures()
        elif changes.sync or changes.canvassers:
            self._show_unsent()
        if changes.message:
            self.statusBar().showMessage(changes.message, 5000)

    def after_change(self, pid: str | None = None, message: str = "") -> None:
        """Everything a write can change (what `on_changes` does for a change of people and figures)."""
        self.on_changes(OpChanges(people=True, figures=True, sync=True, pid=pid or "", message=message))

    def refresh_figures(self) -> None:
        self.runner.submit(Job(lambda ws, _p: views.progress(ws), success=self.strip.show_progress,
                               failure=self._job_failed, label="进度"))
        who = self.ws.tier.operator  # a township clerk is no canvasser
        self.strip.who.setText(f"{who}：<b>{self.canvasser or '未选择'}</b>")
        self._show_unsent()
        self.runner.submit(Job(lambda ws, _p: views.tree_counts(ws), success=self.tree.set_counts,
                               failure=self._job_failed, label="统计"))
        if self.dashboard is not None and self.tabs.currentWidget() is self.dashboard:
            self.dashboard.refresh()

    def _apply_settings(self) -> None:
        lock = getattr(self, "idle_lock", None)
        if lock is not None:
            lock.set_minutes(float(views.campaign(self.ws).values.get("lock_minutes") or 15))

    def _show_unsent(self) -> None:
        """"N changes not yet received by the township", from core's sync status (on the worker)."""
        def show(status: dict) -> None:
            self.strip.unsent.setToolTip("")
            if status.get("enabled") and status.get("mode") == "village":
                text, colour = banner(status)
                not_taken, waiting = status.get("returned_not_taken", 0), status.get("returned_waiting", 0)
                if not_taken or waiting:  # received, but not adopted: said, never hidden behind "确认收到"
                    parts = [f"乡镇未采用本村 {not_taken} 条记录" if not_taken else "",
                             f"{waiting} 条在乡镇待审核" if waiting else ""]
                    text += f"；<a href='sync'>{'，'.join(p for p in parts if p)}</a>"
                    colour = ORANGE
                self.strip.unsent.setText(text)
                self.strip.unsent.setStyleSheet(f"color: {colour};")
                self.strip.unsent.setToolTip(
                    f"乡镇尚未确认收到的改动共 {status.get('unsent', 0)} 条（走访 "
                    f"{status.get('visits_unsent', 0) + status.get('visits_waiting', 0)} 条）；"
                    f"上次导出 {(status.get('last_sent_at') or '从未')[:16].replace('T', ' ')}，"
                    f"上次收到乡镇数据包 {(status.get('last_received_at') or '从未')[:16].replace('T', ' ')}")
            elif status.get("enabled") and (status.get("conflicts") or status.get("held")):
                links = []
                if status.get("conflicts"):
                    links.append(f"<a href='conflicts'>待核对重复建档 {status['conflicts']} 人</a>")
                if status.get("held"):
                    links.append(f"<a href='held'>待审核 {status['held']} 条</a>")
                self.strip.unsent.setText("　".join(links))
                self.strip.unsent.setStyleSheet(f"color: {ORANGE};")
            else:
                self.strip.unsent.setText("")
            if getattr(self, "act_conflicts", None) is not None:  # the queue's own place, counted
                n = int(status.get("conflicts") or 0)
                self.act_conflicts.setText(f"待核对重复建档（{n}）" if n else "待核对重复建档")
            if getattr(self, "act_held", None) is not None:
                n = int(status.get("held") or 0)
                self.act_held.setText(f"待审核（{n}）" if n else "待审核")

        self.runner.submit(Job(lambda ws, _p: views.sync_status(ws), success=show,
                               failure=lambda _e: self.strip.unsent.setText(""), label="同步状态"))

    def _work_village(self, i: int) -> None:
        place = self.dashboard.place_for(i)  # a county's township opens its villages on the dashboard itself
        if place is not None:
            self.tree.select_scope(place, None, None)
            self.tabs.setCurrentIndex(0)

    def _on_tab(self, _index: int) -> None:
        if self.dashboard is not None and self.tabs.currentWidget() is self.dashboard:
            self.dashboard.refresh()

    def _job_failed(self, exc: BaseException) -> None:
        self.statusBar().showMessage(f"后台任务失败：{exc}", 8000)

    # ---- other screens (each calls one core operation) -----------------------------------------
    def choose_canvasser(self) -> bool:
        from .dialogs.canvassers import CanvasserDialog

        dlg = CanvasserDialog(self.ws, self.runner, self.canvasser, self)
        if dlg.exec() and dlg.chosen:
            self.canvasser = dlg.chosen
            self.refresh_figures()
            return True
        return False

    def open_import(self):
        from .dialogs.import_roster import ImportDialog

        dlg = ImportDialog(self.ws, self.runner, self.canvasser, self)
        dlg.imported.connect(lambda _res: self.detail.pid or self.table.scrollToTop())
        dlg.open()
        return dlg

    def open_new_year(self):
        from .dialogs.new_year import NewYearDialog

        refused = views.new_year_refusal(self.ws)  # a new year starts at the top and flows down
        if refused:
            box = QMessageBox(QMessageBox.Icon.Information, "开始新年度", refused, QMessageBox.StandardButton.Ok, self)
            box.open()  # (window-modal, not a nested event loop)
            return box
        dlg = NewYearDialog(self.ws, self.runner, self.canvasser, self)
        dlg.open()
        return dlg

    def open_paid_import(self):
        from .dialogs.paid_import import PaidImportDialog

        dlg = PaidImportDialog(self.ws, self.runner, self.canvasser, self)
        dlg.open()
        return dlg

    def open_match(self):
        from .dialogs.match_list import MatchDialog

        dlg = MatchDialog(self.ws, self.runner, self.canvasser, self)
        dlg.open()
        return dlg

    def open_person(self):
        from .dialogs.person import PersonDialog

        pid = self.current_pid()
        if not pid:
            self.statusBar().showMessage("请先在表格中选择一个人", 4000)
            return None
        dlg = PersonDialog(self.ws, self.runner, pid, self.canvasser, self)
        dlg.open()
        return dlg

    def open_add_person(self):
        from .dialogs.person import AddPersonDialog

        household = views.household(self.ws, views.household_of(self.ws, self.current_pid()))
        dlg = AddPersonDialog(self.ws, self.runner, self.canvasser, household, self)
        dlg.open()
        return dlg

    def output_context(self):
        from .dialogs.outputs import Context

        scope = self.tree.current_scope() or (None, None, None)
        hid = views.household_of(self.ws, self.detail.pid)
        picked = views.scope(village=scope[0], groups=[scope[1]] if scope[1] else [],
                             households=[scope[2]] if scope[2] else [])
        head = (views.household(self.ws, hid) or {}).get("head", "") if hid else ""
        return Context(canvasser=self.canvasser, household=hid, village=scope[0], grp=scope[1], scope=picked,
                       table=self.current_filter(), unit=views.unit_name(self.ws),
                       household_label=f"{head}户" if head else "")

    def run_output(self, key: str, out=None):
        from .dialogs.outputs import run_output

        return run_output(self, key, out)

    def open_templates(self):
        from .dialogs.templates import TemplateDialog

        dlg = TemplateDialog(self.ws, self.runner, self)
        dlg.open()
        return dlg

    def open_sync(self):
        from .dialogs.sync import SyncDialog

        dlg = SyncDialog(self.ws, self.runner, self)
        dlg.finished.connect(lambda _: self.refresh_figures())
        dlg.open()
        self.sync_dialog = dlg
        return dlg

    def export_shown(self, out=None, full_ids: bool | None = None):
        from .dialogs.export_people import export_shown

        return export_shown(self, out, full_ids)

    def open_conflicts(self):
        from .dialogs.conflicts import ConflictsDialog

        dlg = ConflictsDialog(self.ws, self.runner, self.canvasser, self)
        dlg.finished.connect(lambda _: self.refresh_figures())
        dlg.open()
        return dlg

    def open_held(self):
        from .dialogs.held import HeldDialog

        dlg = HeldDialog(self.ws, self.runner, self)
        dlg.finished.connect(lambda _: self.refresh_figures())  # (each decision's changes already shown)
        dlg.open()
        return dlg

    def _open_link(self, link: str) -> None:
        {"conflicts": self.open_conflicts, "held": self.open_held, "sync": self.open_sync}.get(link, self.open_sync)()

    def open_message(self, household: bool = False):
        from .dialogs.message import MessageDialog

        if not self.detail.pid:
            return None
        dlg = MessageDialog(self.ws, self.detail.pid, self.canvasser, self)
        dlg.open()
        return dlg

    def open_settings(self):
        from .dialogs.settings import SettingsDialog

        dlg = SettingsDialog(self.ws, self.runner, self.canvasser, self)
        dlg.open()
        return dlg

    def open_check(self):
        from .dialogs.check import CheckDialog

        dlg = CheckDialog(self.ws, self.runner, self)
        dlg.open()
        dlg.start()
        return dlg

    def open_backup(self):
        from .dialogs.backup import BackupDialog

        dlg = BackupDialog(self.ws, self.runner, self)
        dlg.open()
        return dlg

    def new_workspace(self) -> None:
        from .dialogs.new_workspace import new_workspace

        path = new_workspace(self)
        if path:
            self.switch_requested.emit(str(path))

    def open_other(self) -> None:
        from .choose import choose_workspace_file

        path = choose_workspace_file(self)
        if path:
            self.switch_requested.emit(str(path))

    def restore_from(self, source: str, *, success=None, failure=None):
        """Replace the workspace with a backup, as an operation on the worker; then every connection
        opens the file again (`on_changes`). Returns the result at once under the tests' runner."""
        out: list = []

        def done(res) -> None:
            out.append(res)
            if success:
                success(res)

        operations.restore(self.runner, self, source, success=done, failure=failure)
        return out[0] if out else None

    # ---- closing -------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        if self.idle_lock is not None:
            self.idle_lock.stop()
        self.runner.shutdown()
        super().closeEvent(event)


__all__ = ["MainWindow", "ImmediateRunner"]
