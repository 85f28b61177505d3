"""The Qt binding keeps Python's counts of None and True (issue 28: the township window ended with
"Fatal Python error: none_dealloc"). PySide6 6.12.0 on Python 3.11 took a reference to None from
every call of a method that returns nothing (setText, processEvents ...) and to True from every
signal emitted, until the count reached zero; pyproject.toml keeps that release out. These checks
say whether a PySide6 release is safe before that bound is lifted."""

from __future__ import annotations

import gc
import sys

import pytest
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QLabel

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="None and True are immortal from Python 3.12")
CALLS = 2000


def test_a_call_that_returns_nothing_keeps_none(qapp):
    label = QLabel()
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        label.setText("乡镇")
        qapp.processEvents()
    gc.collect()
    assert sys.getrefcount(None) > before - CALLS // 10


class _Bridge(QObject):
    finished = Signal(int, object, object)  # the worker's signal (ui/worker.py)


def test_a_signal_from_the_worker_thread_keeps_true(qapp):
    bridge = _Bridge()
    got: list[int] = []
    bridge.finished.connect(lambda i, _r, _e: got.append(i))

    class Emitter(QThread):
        def run(self) -> None:
            for i in range(CALLS):
                bridge.finished.emit(i, None, None)

    gc.collect()
    before = sys.getrefcount(True)
    emitter = Emitter()
    emitter.start()
    emitter.wait()
    while len(got) < CALLS:
        qapp.processEvents()
    gc.collect()
    assert sys.getrefcount(True) > before - CALLS // 10
