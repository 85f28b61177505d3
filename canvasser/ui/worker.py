"""One serial database worker: long jobs (import, print, export, receive, reports) off the GUI thread.

Like Anki's CollectionOp/QueryOp: a job is a function of a workspace, run in order on one background
thread that owns its own `store.Workspace` connection on the same file (sqlite connections belong to
one thread), and its result or error is handed back to the main thread through a signal. Long jobs
get a progress callback; when the user cancels, the callback returns False, core raises
`errors.Cancelled` and rolls the transaction back.

For tests the runner is swappable for `ImmediateRunner`, which runs jobs at once on the caller's
thread (Picard's pattern), so background code is tested synchronously.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from ..core.errors import Cancelled
from ..core.storage.store import Workspace
from ..core.views import open_worker

Progress = Callable[[int, str], bool]


def show_failure(exc: BaseException) -> None:
    """What a job without its own `failure` does with an error: tell the user (never lose it).

    A cancelled job says nothing (the user asked for it). The box is not modal, so a worker error
    never blocks the window (or a test)."""
    if isinstance(exc, Cancelled):
        return
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "操作失败", str(exc) or type(exc).__name__,
                      QMessageBox.StandardButton.Ok, QApplication.activeWindow())
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    FAILURES.append(str(exc))
    if box.parent() is None:  # no window to belong to: Python alone would hold it, kept until closed
        _OPEN.append(box)
        box.finished.connect(lambda _r, b=box: _OPEN.remove(b) if b in _OPEN else None)
    box.show()


FAILURES: list[str] = []  # the errors shown by default, newest last (tests read it)
_OPEN: list = []


JobFn = Callable[[Workspace, Progress], Any]


@dataclass
class Job:
    """A unit of background work and what to do with its outcome on the main thread."""

    fn: JobFn
    success: Callable[[Any], None] | None = None
    failure: Callable[[BaseException], None] | None = None
    label: str = ""
    job_id: int = 0
    cancel: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    message: str = ""
    changes: object = None  # what it changes (operations.OpChanges, or a function of its result): announced after success

    def changed(self, result: Any):
        """The changes to announce after this job's success (None: nothing the window shows)."""
        return self.changes(result) if callable(self.changes) else self.changes

    def progress(self, done: int, message: str = "") -> bool:
        """The callback handed to core: records progress, returns False once cancelled."""
        self.done, self.message = done, message
        return not self.cancel.is_set()


class _Bridge(QObject):
    """Signals emitted from the worker thread, delivered (queued) on the main thread."""

    finished = Signal(int, object, object)  # job id, result, error
    progressed = Signal(int, int, str)  # job id, done, message


class DbWorker(QThread):
    """The serial worker: a QThread with its own Workspace, running queued jobs one at a time."""

    changed = Signal(object)  # an operation's OpChanges, after its success (on the main thread)

    def __init__(self, db_path: str | Path, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self.bridge = _Bridge()
        self.bridge.finished.connect(self._deliver)
        self.bridge.progressed.connect(self._relay_progress)
        self.progress_listeners: list[Callable[[Job], None]] = []
        self.start()

    # ---- main thread ---------------------------------------------------------------------------
    def submit(self, job: Job) -> Job:
        job.job_id = next(self._ids)
        self._jobs[job.job_id] = job
        self._queue.put(job)
        return job

    def pending(self) -> int:
        return len(self._jobs)

    def wait_idle(self, timeout_ms: int = 60000) -> bool:
        """Process events until every submitted job has been delivered (screenshots, shutdown)."""
        timer = QTimer()
        timer.setSingleShot(True)
        timer.start(timeout_ms)
        while self._jobs and timer.isActive():
            QApplication.processEvents()
            self.msleep(5)
        return not self._jobs

    def shutdown(self) -> None:
        for job in self._jobs.values():
            job.cancel.set()
        self._queue.put(None)
        self.wait(30000)

    def _deliver(self, job_id: int, result: object, error: object) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        if error is None:
            if job.success:
                job.success(result)
            announce(self.changed, job, result)
        else:
            (job.failure or show_failure)(error)  # type: ignore[arg-type]

    def _relay_progress(self, job_id: int, done: int, message: str) -> None:
        job = self._jobs.get(job_id)
        if job is not None:
            for listener in list(self.progress_listeners):
                listener(job)

    # ---- worker thread -------------------------------------------------------------------------
    def run(self) -> None:
        ws = open_worker(self.db_path)
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    return
                self._run_one(ws, job)
        finally:
            ws.close()

    def _run_one(self, ws: Workspace, job: Job) -> None:
        bridge = self.bridge

        def progress(done: int, message: str = "") -> bool:
            keep_going = job.progress(done, message)
            bridge.progressed.emit(job.job_id, done, message)
            return keep_going

        try:
            if job.cancel.is_set():
                raise Cancelled("已取消")
            result = job.fn(ws, progress)
            bridge.finished.emit(job.job_id, result, None)
        except BaseException as exc:  # noqa: BLE001 — every error goes back to the main thread
            bridge.finished.emit(job.job_id, None, exc)


class _Announcer(QObject):
    changed = Signal(object)


def announce(signal, job: Job, result: Any) -> None:
    """Tell the window what a successful operation changed (once its own callback has run)."""
    changes = job.changed(result)
    if changes is not None:
        signal.emit(changes)


class ImmediateRunner:
    """Runs each job at once on the calling thread with the given workspace (tests, screenshots)."""

    immediate = True

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.progress_listeners: list[Callable[[Job], None]] = []
        self._ids = itertools.count(1)
        self._announcer = _Announcer()
        self.changed = self._announcer.changed

    def submit(self, job: Job) -> Job:
        job.job_id = next(self._ids)

        def progress(done: int, message: str = "") -> bool:
            keep_going = job.progress(done, message)
            for listener in list(self.progress_listeners):
                listener(job)
            QApplication.processEvents()
            return keep_going

        try:
            result = job.fn(self.ws, progress)
        except BaseException as exc:  # noqa: BLE001
            (job.failure or show_failure)(exc)
            return job
        if job.success:
            job.success(result)
        announce(self.changed, job, result)
        return job

    def pending(self) -> int:
        return 0

    def wait_idle(self, timeout_ms: int = 0) -> bool:
        return True

    def shutdown(self) -> None:
        return None


def run_with_progress(runner, parent: QWidget | None, label: str, fn: JobFn, *,
                      success: Callable[[Any], None] | None = None,
                      failure: Callable[[BaseException], None] | None = None,
                      cancellable: bool = True, changes: object = None) -> Job:
    """Submit a job with a progress dialog that has a Cancel button (Anki's `.with_progress()`);
    `changes` as for any operation (operations.py)."""
    dialog = QProgressDialog(label, "取消" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle("请稍候")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)  # no edits while a long job writes
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    job = Job(fn, label=label, changes=changes)

    def on_progress(j: Job) -> None:
        if j is job and dialog.wasCanceled():
            job.cancel.set()
        elif j is job:
            dialog.setLabelText(f"{label}\n{j.message}" if j.message else label)

    def finish() -> None:
        if on_progress in runner.progress_listeners:
            runner.progress_listeners.remove(on_progress)
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()

    def ok(result: Any) -> None:
        finish()
        if success:
            success(result)

    def bad(exc: BaseException) -> None:
        finish()
        (failure or show_failure)(exc)

    job.success, job.failure = ok, bad
    dialog.canceled.connect(job.cancel.set)
    runner.progress_listeners.append(on_progress)
    job.dialog = dialog  # type: ignore[attr-defined] — tests reach the dialog to press Cancel
    dialog.show()
    return runner.submit(job)
