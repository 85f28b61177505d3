"""The selected person and their household: who they are, how to reach them, what happened so far."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..core import clock, outcomes, views
from ..core.text import ids
from ..core.views import STATUS_LABELS, Workspace, history_lines, previous_line
from .people_model import status_colour
from .textsize import emphasise

PID_ROLE = Qt.ItemDataRole.UserRole + 1


class DetailPanel(QWidget):
    """Right-hand panel. Emits person_requested(pid) when a household member is chosen."""

    person_requested = Signal(str)
    record_requested = Signal()
    message_requested = Signal()
    edit_requested = Signal()
    import_requested = Signal()
    message = Signal(str)

    def __init__(self, ws: Workspace, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.pid = ""
        self.setMinimumWidth(260)  # in a scroll area beside the table (1366×768 at 150% is 910 wide)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.setSpacing(6)

        top = QHBoxLayout()
        self.name = QLabel("未选择人员")
        self.name.setObjectName("personName")
        emphasise(self.name, 1.5, bold=True)
        top.addWidget(self.name)
        top.addStretch(1)
        self.status = QLabel("")
        self.status.setStyleSheet("padding: 3px 8px; border-radius: 4px; color: white; font-weight: bold;")
        top.addWidget(self.status)
        outer.addLayout(top)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        self.fields: dict[str, QLabel] = {}
        for i, (key, title) in enumerate((("basic", "基本"), ("id", "身份证"), ("household", "户"),
                                          ("address", "地址"), ("categories", "类别"), ("due", "应缴"),
                                          ("next", "跟进"), ("previous", "去年"))):
            t = QLabel(title)
            t.setStyleSheet("color: #666;")
            grid.addWidget(t, i, 0, Qt.AlignmentFlag.AlignTop)
            value = QLabel("")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, i, 1)
            self.fields[key] = value
        self.copy_id = QPushButton("复制")
        self.copy_id.setToolTip("复制身份证号（缴费时填写）")
        self.copy_id.clicked.connect(self._copy_id)
        grid.addWidget(self.copy_id, 1, 2)
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)

        phones = QHBoxLayout()
        label = QLabel("电话")
        label.setStyleSheet("color: #666;")
        phones.addWidget(label)
        self.phone_box = QHBoxLayout()
        phones.addLayout(self.phone_box)
        phones.addStretch(1)
        outer.addLayout(phones)

        self.record = QPushButton("记录走访  Ctrl+N")
        self.record.setObjectName("recordButton")
        self.record.setMinimumHeight(34)
        self.record.clicked.connect(self.record_requested)
        self.message_button = QPushButton("提醒文字")
        self.message_button.setToolTip("生成发给外出人员的缴费提醒（复制到微信/短信）")
        self.message_button.setMinimumHeight(34)
        self.message_button.clicked.connect(self.message_requested)
        self.message_button.hide()
        self.edit_button = QPushButton("修改信息")
        self.edit_button.setToolTip("改电话、地址、类别，调户，标记离开（Ctrl+E）")
        self.edit_button.setMinimumHeight(34)
        self.edit_button.clicked.connect(self.edit_requested)
        outer.addWidget(self.record)  # on its own line: whole at 150% and with 特大 text
        actions = QHBoxLayout()
        actions.addWidget(self.message_button, 1)
        actions.addWidget(self.edit_button, 1)
        outer.addLayout(actions)
        self.import_button = QPushButton("导入名单…  Ctrl+I")  # an empty workspace's first step
        self.import_button.setMinimumHeight(40)
        emphasise(self.import_button, 1.1, bold=True)
        self.import_button.clicked.connect(self.import_requested)
        self.import_button.hide()
        outer.addWidget(self.import_button)
        self.empty = False

        outer.addWidget(self._section("本户成员（双击查看）"))
        self.members = QListWidget()
        self.members.setMaximumHeight(112)
        self.members.itemActivated.connect(lambda it: self.person_requested.emit(it.data(PID_ROLE)))
        self.members.itemDoubleClicked.connect(lambda it: self.person_requested.emit(it.data(PID_ROLE)))
        outer.addWidget(self.members)

        outer.addWidget(self._section("全部记录"))
        self.history = QTextBrowser()
        self.history.setOpenLinks(False)
        self.history.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        outer.addWidget(self.history, 1)
        self.show_person("")

    def set_empty_workspace(self, empty: bool) -> None:
        """No list yet: offer the import instead of asking to pick someone from an empty table."""
        if empty == self.empty:
            return
        self.empty = empty
        self.import_button.setVisible(empty)
        self.record.setEnabled(not empty)
        self.edit_button.setEnabled(not empty)
        if not self.pid:
            self.show_person("")

    def enable_message(self, on: bool) -> None:
        self.message_button.setVisible(on)

    @staticmethod
    def _section(title: str) -> QLabel:
        label = QLabel(title)
        label.setStyleSheet("font-weight: bold; color: #333; border-bottom: 1px solid #ccc; padding-top: 4px;")
        label.setFrameShape(QFrame.Shape.NoFrame)
        return label

    def show_person(self, pid: str) -> None:
        self.pid = pid
        p = views.person(self.ws, pid)
        self.record.setEnabled(p is not None)
        self.message_button.setEnabled(p is not None)
        self.edit_button.setEnabled(p is not None)
        self.copy_id.setEnabled(p is not None)
        while self.phone_box.count():
            w = self.phone_box.takeAt(0).widget()
            if w is not None:
                w.hide()
                w.setParent(None)
                w.deleteLater()
        if p is None:
            self.pid = ""
            self.name.setText("未选择人员")
            self.status.setText("")
            self.status.setStyleSheet("")
            for v in self.fields.values():
                v.setText("")
            self.members.clear()
            if self.empty:
                self.name.setText("还没有名单")
                self.history.setHtml("<p>本工作区还没有名单。点上面的<b>“导入名单…”</b>，"
                                     "选择医保局发来的表格（xlsx、xls 或 csv），导入后就能查人、记录走访、打印通知单。</p>")
            else:
                self.history.setHtml("<p style='color:#888'>在左侧表格中选择一个人，这里显示其家庭成员、联系方式和全部走访记录。</p>")
            return
        camp = views.campaign(self.ws)
        self.name.setText(p["name"])
        self.status.setText(STATUS_LABELS.get(p["status"], p["status"]))
        self.status.setStyleSheet(f"padding: 3px 8px; border-radius: 4px; color: white; font-weight: bold; "
                                  f"background: {status_colour(p['status'], camp)};")
        try:
            age = ids.age_on(dt.date.fromisoformat(p["birth"]), clock.today())
            basic = f"{p['sex']}，{age} 岁，{p['relation'] or '—'}"
        except (TypeError, ValueError):
            basic = f"{p['sex']}，{p['relation'] or '—'}"
        if not p["active"]:
            basic += "（已离开名单）"
        self.fields["basic"].setText(basic)
        self.fields["id"].setText(p["pid"])
        self.fields["household"].setText(f"{p['village']}{p['grp']}  户编号 {p['household']}")
        place = views.away_place(self.ws, pid)
        self.fields["address"].setText((p["address"] or "—") + (f"；外出地点：{place}" if place else ""))
        cats = p["categories"].replace(",", "、")
        self.fields["categories"].setText(cats or "普通居民")
        self.fields["categories"].setStyleSheet("color: #8a2be2; font-weight: bold;" if camp.is_special(p["categories"])
                                                else "")
        due = camp.amount_due(p["categories"])
        sub = camp.subsidy_for(p["categories"])
        self.fields["due"].setText(f"{due} 元" + (f"（资助 {sub} 元）" if sub else ""))
        nxt = []
        promised = p[outcomes.DATE_FIELD]
        if promised:
            nxt.append(f"承诺 {promised}")
        if p["followup"] and p["followup"] != promised:
            nxt.append(f"跟进 {p['followup']}")
        if p["last_visit_at"]:
            nxt.append(f"上次 {p['last_visit_at'][:10]} {p['last_visit_by']}")
        self.fields["next"].setText("，".join(nxt) or "—")
        self.fields["previous"].setText(previous_line(p).removeprefix("去年：") or "—")
        phones = [x for x in (p["phones"] or p["phone"]).split(",") if x]
        if not phones:
            none = QLabel("无")
            self.phone_box.addWidget(none)
        for number in phones:
            b = QPushButton(number)
            b.setToolTip("点击复制号码")
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setStyleSheet("QPushButton { color: #0b5cad; text-decoration: underline; border: none; padding: 1px 4px; }")
            b.clicked.connect(lambda _=False, n=number: self._copy(n, f"已复制电话 {n}"))
            self.phone_box.addWidget(b)
        self.members.clear()
        house = views.household(self.ws, p["household"])
        for m in house["members"] if house else []:
            text = f"{m['name']}  {m['relation'] or ''}  —  {STATUS_LABELS.get(m['status'], m['status'])}"
            item = QListWidgetItem(("▶ " if m["pid"] == pid else "   ") + text)
            item.setData(PID_ROLE, m["pid"])
            item.setForeground(QGuiApplication.palette().text() if m["pid"] != pid else item.foreground())
            self.members.addItem(item)
        self.history.setHtml(self._history_html(pid))

    def _history_html(self, pid: str) -> str:
        rows = []
        for line in reversed(history_lines(self.ws, pid)):
            style = "text-decoration: line-through; color:#999;" if line.voided else ""
            rows.append(f"<tr><td style='color:#666; white-space:nowrap; padding-right:6px'>{html.escape(line.when)}</td>"
                        f"<td style='white-space:nowrap; padding-right:6px'><b>{html.escape(line.kind)}</b></td>"
                        f"<td style='{style}'>{html.escape(line.text)}<span style='color:#888'> — "
                        f"{html.escape(line.author)}</span></td></tr>")
        return "<table cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table>"

    def _copy_id(self) -> None:
        if self.pid:
            self._copy(self.pid, "已复制身份证号")

    def _copy(self, text: str, message: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.message.emit(message)
