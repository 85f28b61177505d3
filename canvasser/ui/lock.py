"""The window and encryption at rest: unlocking at open, and the idle lock.

`ensure_unlocked` runs before a workspace is opened: an encrypted file needs its passphrase (from
CANVASSER_PASSPHRASE or the dialog); a new or old plain file gets one (and a recovery code). The
key then lives in this process (`atrest.remember`), so the window's worker opens the file too.

`IdleLock` watches the user's input; after the campaign's `lock_minutes` without any, it covers the
main window and every open dialog with an opaque panel (the data is hidden, nothing is closed, so a
half-filled visit form keeps what was typed) and asks for the passphrase again. A plain (demo)
workspace has nothing to protect and does not lock.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout, QWidget

from ..core.storage import atrest
from ..core.storage.opening import is_demo_file, open_workspace
from .dialogs.passphrase import NewPassphraseDialog, PassphraseDialog, show_recovery_code

ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
            QEvent.Type.TouchBegin}


def _must_wait(path: Path) -> bool:
    try:
        return atrest.KeyFile.load(path).wait_before_try() > 0
    except Exception:  # noqa: BLE001 — a missing key file is said by the try itself
        return False


def ensure_unlocked(path: str | Path, parent: QWidget | None = None) -> bool:
    """True when `path` can be opened now (its key is known in this process, or it is plain)."""
    path = Path(path)
    state = atrest.file_state(path)
    if state == "encrypted":
        if atrest.remembered(path) is not None:
            return True
        phrase = atrest.given_passphrase()
        if phrase and not _must_wait(path):  # a wait is counted down in the dialog, never a frozen window
            try:
                atrest.unlock(path, phrase)
                return True
            except atrest.PassphraseError:
                pass
        return PassphraseDialog(path, parent).exec() == QDialog.DialogCode.Accepted
    if state == "plain" and is_demo_file(path):
        return True
    phrase = atrest.given_passphrase()
    if not phrase:
        dlg = NewPassphraseDialog(parent, converting=state == "plain")
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        phrase = dlg.passphrase
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        with open_workspace(path, passphrase=phrase) as ws:
            code = ws.recovery_code
    finally:
        QApplication.restoreOverrideCursor()
    if code:
        show_recovery_code(parent, code, path)
    return True


def new_passphrase(parent: QWidget | None = None) -> str | None:
    """A passphrase for a workspace about to be made (a village from its setup package)."""
    phrase = atrest.given_passphrase()
    if phrase:
        return phrase
    dlg = NewPassphraseDialog(parent)
    return dlg.passphrase if dlg.exec() == QDialog.DialogCode.Accepted else None


class Cover(QWidget):
    """An opaque panel over a window while it is locked; follows its size."""

    def __init__(self, target: QWidget):
        super().__init__(target)
        self.target = target
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("background:#e8eaed")
        lay = QVBoxLayout(self)
        label = QLabel("已锁定 — 请输入口令继续")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(label)
        target.installEventFilter(self)
        self.setGeometry(target.rect())
        self.raise_()
        self.show()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt's name
        if obj is self.target and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.target.rect())
            self.raise_()
        return False


class IdleLock(QObject):
    """Locks `window` after `minutes` without input; unlocking needs the workspace passphrase."""

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window: QWidget, db_path: str | Path, minutes: float):
        super().__init__(window)
        self.window = window
        self.db_path = Path(db_path)
        self.covers: list[Cover] = []
        self.dialog: PassphraseDialog | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.set_minutes(minutes)
        QApplication.instance().installEventFilter(self)
        self.timer.start()

    def set_minutes(self, minutes: float) -> None:
        self.timer.setInterval(max(1, int(minutes * 60_000)))
        if self.timer.isActive():
            self.timer.start()

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt's name
        if event.type() in ACTIVITY and not self.is_locked:
            self.timer.start()
        return False

    def lock(self) -> None:
        if self.is_locked:
            return
        self.timer.stop()
        shown = [w for w in QApplication.topLevelWidgets()
                 if w.isVisible() and (w is self.window or isinstance(w, QDialog))]
        self.covers = [Cover(w) for w in shown]
        self.dialog = PassphraseDialog(self.db_path, self.window, locked=True, cancel=False)
        self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.dialog.accepted.connect(self._unlock)
        self.dialog.open()
        self.locked.emit()

    def _unlock(self) -> None:
        for c in self.covers:
            c.target.removeEventFilter(c)
            c.hide()
            c.deleteLater()
        self.covers = []
        self.dialog = None
        self.timer.start()
        self.unlocked.emit()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def install_idle_lock(window, minutes: float | None = None) -> IdleLock | None:
    """The idle lock of a window on an encrypted workspace (None for a plain demo)."""
    if getattr(window.ws, "key", None) is None:
        return None
    if minutes is None:
        from ..core import views

        minutes = float(views.campaign(window.ws).values.get("lock_minutes") or 15)
    return IdleLock(window, window.ws.path, minutes)
