"""Campaign settings (征缴设置): a form over `campaign.load` / `campaign.update`.

Core validates; a bad value is shown here and nothing is written. Saved settings are events, so
the township's changes reach every village. What the tier above decides (core `authority`) is shown
read-only, marked "由乡镇设置"; a workspace's own settings (its lock time) stay editable.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import authority, views
from ...core.errors import InputError
from .. import operations

DATES = ("collection_start", "collection_end", "supplementary_end")
NUMBERS = {"coverage_year": (2000, 2100), "standard": (0, 100000), "fiscal_subsidy": (0, 100000),
           "waiting_fixed_months": (0, 24), "waiting_per_year_months": (0, 12), "silent_days": (1, 60),
           "lock_minutes": (1, 240)}
TEXTS = ("payment_link", "payment_caption", "bureau_phone", "issuer")
CODE_ROLE = Qt.ItemDataRole.UserRole + 1


def _pairs_table(pairs: dict, headers: tuple[str, str]) -> QTableWidget:
    t = QTableWidget(len(pairs), 2)
    t.setHorizontalHeaderLabels(list(headers))
    t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    t.verticalHeader().hide()
    for r, (k, v) in enumerate(pairs.items()):
        t.setItem(r, 0, QTableWidgetItem(str(k)))
        t.setItem(r, 1, QTableWidgetItem(str(v)))
    t.setMinimumHeight(150)
    return t


def _read_pairs(t: QTableWidget, what: str) -> dict:
    out = {}
    for r in range(t.rowCount()):
        k = (t.item(r, 0).text() if t.item(r, 0) else "").strip()
        v = (t.item(r, 1).text() if t.item(r, 1) else "").strip()
        if not k and not v:
            continue
        if not k:
            raise InputError(f"{what}第 {r + 1} 行缺少名称")
        try:
            out[k] = int(v or 0)
        except ValueError as exc:
            raise InputError(f"{what}“{k}”应为整数：{v}") from exc
    return out


class SettingsDialog(QDialog):
    def __init__(self, ws, runner, author: str = "", parent=None):
        super().__init__(parent)
        self.ws, self.runner = ws, runner
        self.author = author
        self.values = views.campaign(ws).values
        self.set_above = authority.set_above(ws)  # "由乡镇设置" ('' at the top)
        self.mine = {k for k in views.SETTING_KEYS if authority.decides(ws, k)}
        self.setWindowTitle("征缴设置")
        self.resize(720, 680)
        outer = QVBoxLayout(self)
        note = "这些设置按本县本年度的文件填写；乡镇修改后会随同步包发到各村。"
        if len(self.mine) < len(views.SETTING_KEYS):
            note = (f"标有“{self.set_above}”的项目由上级统一设置，本工作区只能查看（上级修改后随数据包送到）；"
                    "其余是本工作区自己的设置。")
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        outer.addWidget(self.note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        form = QFormLayout(body)
        self.widgets: dict[str, QWidget] = {}
        L = views.LABELS
        for key, (lo, hi) in NUMBERS.items():
            w = QSpinBox()
            w.setRange(lo, hi)
            w.setValue(int(self.values[key]))
            self.widgets[key] = w
        for key in DATES:
            w = QDateEdit()
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            d = dt.date.fromisoformat(self.values[key])
            w.setDate(QDate(d.year, d.month, d.day))
            self.widgets[key] = w
        for key in TEXTS:
            self.widgets[key] = QLineEdit(str(self.values.get(key) or ""))
        self.channels = QPlainTextEdit("\n".join(self.values["payment_channels"]))
        self.channels.setMaximumHeight(90)
        self.special = QLineEdit("、".join(self.values["special_groups"]))
        self.done_list = QListWidget()
        for code, (label, _) in views.OUTCOMES.items():
            item = QListWidgetItem(label)
            item.setData(CODE_ROLE, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in self.values["done_outcomes"] else Qt.CheckState.Unchecked)
            self.done_list.addItem(item)
        self.done_list.setMinimumHeight(160)
        self.subsidies = _pairs_table(self.values["subsidies"], ("类别关键词", "资助金额（元）"))
        villages = views.villages(ws)
        targets = {v: self.values["targets"].get(v, "") for v in villages}
        targets.update({k: v for k, v in self.values["targets"].items() if k not in targets})
        self.targets = _pairs_table(targets, ("村（社区）", "任务数（人）"))
        add_sub = QPushButton("增加一行资助标准")
        add_sub.clicked.connect(lambda: self.subsidies.setRowCount(self.subsidies.rowCount() + 1))

        self.fixed: dict[str, QWidget] = {}  # the tier above's settings, shown read-only

        def row(key: str, widget: QWidget, label: str = "") -> None:
            label = label or L[key]
            if key not in self.mine:
                label += f"（{self.set_above}）"
                widget.setEnabled(False)
                widget.setToolTip(f"{self.set_above}，本工作区不能修改")
                self.fixed[key] = widget
            form.addRow(label, widget)

        for key in ("coverage_year", "collection_start", "collection_end", "supplementary_end", "standard",
                    "fiscal_subsidy", "waiting_fixed_months", "waiting_per_year_months", "lock_minutes"):
            row(key, self.widgets[key])
        row("subsidies", self.subsidies)
        form.addRow("", add_sub)
        add_sub.setVisible("subsidies" in self.mine)
        row("special_groups", self.special, L["special_groups"] + "（用、分隔）")
        row("done_outcomes", self.done_list)
        row("targets", self.targets)
        if self.ws.tier.coordinates:  # only a tier with units below waits for their packages
            row("silent_days", self.widgets["silent_days"])
        row("payment_channels", self.channels, L["payment_channels"] + "（每行一个）")
        for key in TEXTS:
            row(key, self.widgets[key])
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.error.setWordWrap(True)
        outer.addWidget(self.error)
        buttons = QDialogButtonBox()
        buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def changes(self) -> dict:
        out: dict = {}
        for key in NUMBERS:
            out[key] = self.widgets[key].value()
        for key in DATES:
            out[key] = self.widgets[key].date().toString("yyyy-MM-dd")
        for key in TEXTS:
            out[key] = self.widgets[key].text().strip()
        out["payment_channels"] = [x.strip() for x in self.channels.toPlainText().splitlines() if x.strip()]
        out["special_groups"] = [x.strip() for x in self.special.text().replace(",", "、").replace("，", "、").split("、")
                                 if x.strip()]
        out["done_outcomes"] = [self.done_list.item(i).data(CODE_ROLE) for i in range(self.done_list.count())
                                if self.done_list.item(i).checkState() == Qt.CheckState.Checked]
        out["subsidies"] = _read_pairs(self.subsidies, "资助标准")
        out["targets"] = {k: v for k, v in _read_pairs(self.targets, "任务数").items() if v > 0}
        return {k: v for k, v in out.items() if k in self.mine}  # never the tier above's

    def save(self) -> None:
        try:
            changes = self.changes()
        except InputError as exc:
            self.error.setText(str(exc))
            return

        def done(written: dict) -> None:
            self.written = written
            self.accept()

        operations.save_campaign(self.runner, changes, by=self.author, success=done, failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(str(exc))
