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

from ..core import ids
from ..core.campaign import OUTCOMES, STATUS_LABELS
from ..core.campaign import load as load_campaign
from ..core.dashboard import household_members
from ..core.store import Workspace
from ..core.visits import history
from .people_model import status_colour

KIND_LABELS = {"person.created": "建档", "person.updated": "修改信息", "visit.recorded": "走访",
               "visit.voided": "作废走访", "status.official": "医保局确认缴费", "conflict.resolved": "处理重复建档"}
FIELD_LABELS = {"name": "姓名", "phone": "电话", "phones": "电话", "address": "地址", "grp": "组", "categories": "类别",
                "note": "备注", "relation": "关系", "away_place": "外出地", "household": "户", "village": "村",
                "active": "在册", "left_reason": "离开原因"}
PID_ROLE = Qt.ItemDataRole.UserRole + 1


def describe_event(ev: dict) -> str:
    """One line of history in words a cadre reads (no raw codes)."""
    aside = ev.get("set_aside")
    if aside:  # a list's values a person's edit outranks (core/ownership.py)
        return describe_event({**ev, "set_aside": None}) + "（名单上的" + "、".join(
            dict.fromkeys(FIELD_LABELS.get(k, k) for k in aside)) + "与入户核实的不同，以核实的为准）"
    p = ev["payload"]
    kind = ev["kind"]
    if kind == "visit.recorded":
        parts = [OUTCOMES.get(p.get("outcome", ""), (p.get("outcome", ""),))[0], p.get("via", "")]
        if p.get("reason"):
            parts.append(f"原因：{p['reason']}")
        if p.get("promised"):
            parts.append(f"承诺 {p['promised']} 前缴费")
        if p.get("followup"):
            parts.append(f"下次跟进 {p['followup']}")
        if p.get("note"):
            parts.append(f"备注：{p['note']}")
        if p.get("photos"):
            parts.append(f"证明材料 {len(p['photos'])} 份")
        return "，".join(x for x in parts if x)
    if kind == "visit.voided":
        return f"作废一条走访（{p.get('reason', '')}）"
    if kind == "status.official":
        amount = p.get("amount")
        return "医保局确认已缴费" + (f" {amount} 元" if amount not in (None, "") else "") + \
            (f"，{p.get('paid_at')}" if p.get("paid_at") else "")
    if kind == "person.created":
        return "建档" + (f"（来源：{'医保局名单' if p.get('source') == 'bureau' else p.get('source')}）" if p.get("source") else "")
    if kind == "person.updated":
        keys = [FIELD_LABELS.get(k, k) for k in p if k != "phones"]
        return "修改：" + "、".join(dict.fromkeys(keys))
    return KIND_LABELS.get(kind, kind)


class DetailPanel(QWidget):
    """Right-hand panel. Emits person_requested(pid) when a household member is chosen."""

    person_requested = Signal(str)
    record_requested = Signal()
    message_requested = Signal()
    edit_requested = Signal()
    message = Signal(str)

    def __init__(self, ws: Workspace, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.pid = ""
        self.setMinimumWidth(320)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.setSpacing(6)

        top = QHBoxLayout()
        self.name = QLabel("未选择人员")
        self.name.setObjectName("personName")
        self.name.setStyleSheet("font-size: 20px; font-weight: bold;")
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
                                          ("next", "跟进"))):
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
        actions = QHBoxLayout()
        actions.addWidget(self.record, 1)
        actions.addWidget(self.message_button)
        actions.addWidget(self.edit_button)
        outer.addLayout(actions)

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
        p = self.ws.one("SELECT * FROM persons WHERE pid=?", (pid,)) if pid else None
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
            self.history.setHtml("<p style='color:#888'>在左侧表格中选择一个人，这里显示其家庭成员、联系方式和全部走访记录。</p>")
            return
        camp = load_campaign(self.ws)
        self.name.setText(p["name"])
        self.status.setText(STATUS_LABELS.get(p["status"], p["status"]))
        self.status.setStyleSheet(f"padding: 3px 8px; border-radius: 4px; color: white; font-weight: bold; "
                                  f"background: {status_colour(p['status'], camp)};")
        try:
            age = ids.age_on(dt.date.fromisoformat(p["birth"]), dt.date.today())
            basic = f"{p['sex']}，{age} 岁，{p['relation'] or '—'}"
        except (TypeError, ValueError):
            basic = f"{p['sex']}，{p['relation'] or '—'}"
        if not p["active"]:
            basic += "（已离开名单）"
        self.fields["basic"].setText(basic)
        self.fields["id"].setText(p["pid"])
        self.fields["household"].setText(f"{p['village']}{p['grp']}  户编号 {p['household']}")
        self.fields["address"].setText(p["address"] or "—")
        cats = p["categories"].replace(",", "、")
        self.fields["categories"].setText(cats or "普通居民")
        self.fields["categories"].setStyleSheet("color: #8a2be2; font-weight: bold;" if camp.is_special(p["categories"])
                                                else "")
        due = camp.amount_due(p["categories"])
        sub = camp.subsidy_for(p["categories"])
        self.fields["due"].setText(f"{due} 元" + (f"（资助 {sub} 元）" if sub else ""))
        nxt = []
        if p["promised"]:
            nxt.append(f"承诺 {p['promised']}")
        if p["followup"] and p["followup"] != p["promised"]:
            nxt.append(f"跟进 {p['followup']}")
        if p["last_visit_at"]:
            nxt.append(f"上次 {p['last_visit_at'][:10]} {p['last_visit_by']}")
        self.fields["next"].setText("，".join(nxt) or "—")
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
        for m in household_members(self.ws, p["household"]) if p["household"] else []:
            text = f"{m['name']}  {m['relation'] or ''}  —  {STATUS_LABELS.get(m['status'], m['status'])}"
            item = QListWidgetItem(("▶ " if m["pid"] == pid else "   ") + text)
            item.setData(PID_ROLE, m["pid"])
            item.setForeground(QGuiApplication.palette().text() if m["pid"] != pid else item.foreground())
            self.members.addItem(item)
        self.history.setHtml(self._history_html(pid))

    def _history_html(self, pid: str) -> str:
        events = history(self.ws, pid)
        voided = {e["payload"].get("visit") for e in events if e["kind"] == "visit.voided"}
        rows = []
        for e in reversed(events):
            when = html.escape((e["payload"].get("at") if e["kind"] == "visit.recorded" else "") or e["time"])
            when = when[:16].replace("T", " ")
            text = html.escape(describe_event(e))
            style = "text-decoration: line-through; color:#999;" if e["event_id"] in voided else ""
            kind = KIND_LABELS.get(e["kind"], e["kind"])
            rows.append(f"<tr><td style='color:#666; white-space:nowrap; padding-right:6px'>{when}</td>"
                        f"<td style='white-space:nowrap; padding-right:6px'><b>{html.escape(kind)}</b></td>"
                        f"<td style='{style}'>{text}<span style='color:#888'> — {html.escape(e['author'] or '系统')}</span>"
                        f"</td></tr>")
        return "<table cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table>"

    def _copy_id(self) -> None:
        if self.pid:
            self._copy(self.pid, "已复制身份证号")

    def _copy(self, text: str, message: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.message.emit(message)
