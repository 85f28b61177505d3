"""Recording a visit in seconds: big outcome buttons (keys 1–9, 0), channel, reason, dates, note, photo.

The dialog only collects; `submit(values, done, failed)` (the window's record-visit operation on the
worker, core's `visits.record_visit` behind it) validates and writes. A core `InputError` is shown in
the dialog and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import clock, outcomes
from ..core.views import CHANNELS, OUTCOMES, PHOTO_SUFFIXES, REFUSAL_REASONS, TAKES_DATE, TAKES_REASON
from .screen import scrolling

# most frequent first (the outcome records' order, core/outcomes.py): the first ten get the keys 1–9 and 0
OUTCOME_ORDER = tuple(o.code for o in outcomes.RECORDED)
KEYS = "1234567890"


def _today() -> QDate:
    """Today (core/clock.py) as the date edits take it."""
    day = clock.today()
    return QDate(day.year, day.month, day.day)


class VisitDialog(QDialog):
    def __init__(self, person: dict, canvasser: str, submit: Callable[..., object], parent: QWidget | None = None):
        super().__init__(parent)
        self.person = person
        self.submit = submit
        self.photos: list[str] = []
        self.setWindowTitle(f"记录走访 — {person['name']}")
        self.setModal(True)
        self.setMinimumWidth(620)
        lay = QVBoxLayout(self)

        head = QLabel(f"<span style='font-size:x-large;font-weight:bold'>{person['name']}</span>"
                      f"&nbsp;&nbsp;{person.get('grp', '')}&nbsp;&nbsp;走访人：<b>{canvasser or '（未选择）'}</b>")
        lay.addWidget(head)
        lay.addWidget(QLabel("走访结果（按数字键选择）："))

        grid = QGridLayout()
        grid.setSpacing(6)
        self.outcomes = QButtonGroup(self)
        self.outcomes.setExclusive(True)
        self.outcome_buttons: dict[str, QPushButton] = {}
        codes = [c for c in OUTCOME_ORDER if c in OUTCOMES] + [c for c in OUTCOMES if c not in OUTCOME_ORDER]
        for i, code in enumerate(codes):
            key = KEYS[i] if i < len(KEYS) else ""
            b = QPushButton(f"{key}  {OUTCOMES[code][0]}" if key else OUTCOMES[code][0])
            b.setCheckable(True)
            b.setAutoDefault(False)  # Return saves; it never re-clicks the focused outcome
            b.setMinimumHeight(36)
            b.setProperty("code", code)
            b.setStyleSheet("QPushButton { text-align: left; padding-left: 8px; }"
                            "QPushButton:checked { background: #0b5cad; color: white; font-weight: bold; }")
            self.outcomes.addButton(b, i)
            self.outcome_buttons[code] = b
            grid.addWidget(b, i // 4, i % 4)
        self.codes = codes
        self.outcomes.buttonToggled.connect(lambda *_: self._update_fields())
        lay.addLayout(grid)

        form = QFormLayout()
        chan_row = QHBoxLayout()
        self.channels = QButtonGroup(self)
        for i, ch in enumerate(CHANNELS):
            b = QPushButton(ch)
            b.setCheckable(True)
            b.setAutoDefault(False)
            b.setStyleSheet("QPushButton:checked { background: #444; color: white; }")
            self.channels.addButton(b, i)
            chan_row.addWidget(b)
            if i == 0:
                b.setChecked(True)
        chan_row.addStretch(1)
        form.addRow("联系方式", chan_row)

        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(REFUSAL_REASONS)
        form.addRow("拒绝原因", self.reason)

        self.promised = QDateEdit(_today().addDays(7))
        self.promised.setCalendarPopup(True)
        self.promised.setDisplayFormat("yyyy-MM-dd")
        form.addRow("承诺缴费日期", self.promised)

        fu_row = QHBoxLayout()
        self.followup_on = QCheckBox("设置")
        self.followup = QDateEdit(_today().addDays(3))
        self.followup.setCalendarPopup(True)
        self.followup.setDisplayFormat("yyyy-MM-dd")
        self.followup_on.toggled.connect(self.followup.setEnabled)
        self.followup.setEnabled(False)
        fu_row.addWidget(self.followup_on)
        fu_row.addWidget(self.followup)
        fu_row.addStretch(1)
        form.addRow("下次跟进", fu_row)

        self.note = QLineEdit()
        self.note.setPlaceholderText("例如：儿子在外打工，已发微信通知")
        form.addRow("备注", self.note)

        photo_row = QHBoxLayout()
        self.photo_button = QPushButton("添加照片/材料…")
        self.photo_button.setAutoDefault(False)
        self.photo_button.clicked.connect(self.pick_photos)
        self.photo_label = QLabel("无")
        photo_row.addWidget(self.photo_button)
        photo_row.addWidget(self.photo_label, 1)
        form.addRow("证明材料", photo_row)
        lay.addWidget(scrolling(form), 1)  # the details scroll on a short screen; the outcomes stay in view

        self.error = QLabel("")
        self.error.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存  Enter", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.save_button.setMinimumHeight(36)
        buttons.addButton("取消  Esc", QDialogButtonBox.ButtonRole.RejectRole).setAutoDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._update_fields()

    # ---- choosing ------------------------------------------------------------------------------
    def choose(self, code: str) -> None:
        self.outcome_buttons[code].setChecked(True)

    def choose_channel(self, channel: str) -> None:
        for b in self.channels.buttons():
            if b.text() == channel:
                b.setChecked(True)

    def outcome(self) -> str:
        b = self.outcomes.checkedButton()
        return b.property("code") if b else ""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 — Qt's name
        text = event.text()
        if text and text in KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            i = KEYS.index(text)
            if i < len(self.codes):
                self.choose(self.codes[i])
                return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self._popup_open():
            self.save()  # Enter saves wherever the focus is, as the button says
            return
        super().keyPressEvent(event)

    def _popup_open(self) -> bool:
        """An open combo list or calendar takes its own Enter (choosing an item, not saving)."""
        return self.reason.view().isVisible()

    def _update_fields(self) -> None:
        code = self.outcome()
        self.reason.setEnabled(code in TAKES_REASON)
        self.promised.setEnabled(code in TAKES_DATE)
        self.save_button.setEnabled(bool(code))

    def pick_photos(self) -> None:
        pattern = " ".join(f"*{s}" for s in PHOTO_SUFFIXES)
        from .folders import last_folder, remember

        files, _ = QFileDialog.getOpenFileNames(self, "选择证明材料", str(last_folder("photos")), f"图片或PDF ({pattern})")
        if files:
            remember("photos", files[0])
            self.photos = list(dict.fromkeys([*self.photos, *files]))
            self.photo_label.setText("、".join(Path(f).name for f in self.photos))

    # ---- saving --------------------------------------------------------------------------------
    def values(self) -> dict:
        code = self.outcome()
        return {
            "outcome": code,
            "via": self.channels.checkedButton().text() if self.channels.checkedButton() else CHANNELS[0],
            "reason": self.reason.currentText().strip() if code in TAKES_REASON else "",
            outcomes.DATE_FIELD: self.promised.date().toString("yyyy-MM-dd") if code in TAKES_DATE else "",
            "followup": self.followup.date().toString("yyyy-MM-dd") if self.followup_on.isChecked() else "",
            "note": self.note.text().strip(),
            "photos": list(self.photos),
        }

    def save(self) -> None:
        if not self.outcome():
            self.error.setText("请先选择走访结果（按数字键或点击按钮）")
            return
        self.save_button.setEnabled(False)  # one visit per press, even while the worker is busy
        self.submit(self.values(), self._saved, self._failed)

    def _saved(self, _result=None) -> None:
        self.save_button.setEnabled(True)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        """Core refused (an InputError: nothing was written) or the write failed: say why, stay open."""
        self.save_button.setEnabled(True)
        self.error.setText(str(exc))
