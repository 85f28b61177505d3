"""pytest-qt fixtures: offscreen Qt, an isolated data folder and settings, a small demo workspace."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path


def laptop_screen() -> str:
    """Qt's offscreen platform with a laptop's screen (1366×768 unless CANVASSER_TEST_SCREEN says e.g.
    "1366x768@1.5": the run at 150% scaling), set before Qt is imported anywhere."""
    import json

    size, _, scale = os.environ.get("CANVASSER_TEST_SCREEN", "1366x768@1").partition("@")
    width, height = (int(n) for n in size.split("x"))
    config = _screen_folder() / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    os.environ["QT_SCALE_FACTOR"] = scale or "1"
    # Qt splits the platform string at every ':' and stops the program (qFatal) when the file cannot be
    # read: on Windows the file is named relative to the current folder, without its drive's colon
    return f"offscreen:configfile={os.path.relpath(config) if os.name == 'nt' else config}"


def _screen_folder() -> Path:
    """A temporary folder for the screen's description; on Windows on the current folder's drive (a
    relative path reaches no other drive), beside the tests' current folder when the temporary folder
    is elsewhere (removed at the end of the run)."""
    folder = Path(tempfile.mkdtemp(prefix="canvasser-screen-"))
    if os.name == "nt" and folder.drive.lower() != Path.cwd().drive.lower():
        shutil.rmtree(folder, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=".canvasser-screen-", dir=Path.cwd()))
        atexit.register(shutil.rmtree, folder, True)
    return folder


os.environ["QT_QPA_PLATFORM"] = laptop_screen()
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="canvasser-qsettings-"))

import pytest  # noqa: E402

from canvasser.core.demo import make_demo  # noqa: E402
from canvasser.core.storage.opening import open_workspace  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data"
CANVASSER = "李书记"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    """Backups, the demo village and the settings of each test live in its own folder."""
    folder = tmp_path / "appdata"
    monkeypatch.setenv("CANVASSER_DATA", str(folder))
    return folder


@pytest.fixture(autouse=True)
def out_of_the_sandbox():
    """A test that opened the demo through the app leaves the next one remembering again."""
    yield
    from canvasser.ui.app import sandbox

    sandbox(False)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    make_demo(path, seed=7, households=40)
    return path


@pytest.fixture
def ws(tmp_path, demo_template):
    path = tmp_path / "village.db"
    shutil.copy(demo_template, path)
    workspace = open_workspace(path)
    yield workspace
    workspace.close()


@pytest.fixture
def app(qapp):
    from canvasser.ui.app import make_app

    return make_app()


@pytest.fixture
def window(qtbot, app, ws):
    """The main window on the demo village, jobs run at once (Picard's pattern)."""
    from canvasser.ui.main_window import MainWindow
    from canvasser.ui.worker import ImmediateRunner

    w = MainWindow(ws, canvasser=CANVASSER, runner=ImmediateRunner(ws))
    qtbot.addWidget(w)
    w.showMaximized() if w.maximise else w.show()  # as the app shows it on a laptop's screen
    return w


@pytest.fixture
def sample_list(tmp_path) -> Path:
    """The bureau's sample list, copied so the rejects file is written beside the copy."""
    target = tmp_path / "lists" / "village_unenrolled.xlsx"
    target.parent.mkdir()
    shutil.copy(DATA / "village_unenrolled.xlsx", target)
    return target


@pytest.fixture(autouse=True)
def _no_message_box_left_open():
    """A box a test left on screen (an error said by default is kept until closed) is closed after it,
    so it cannot take the next test's keys."""
    yield
    from PySide6.QtWidgets import QApplication, QMessageBox

    for w in QApplication.allWidgets() if QApplication.instance() else []:
        if isinstance(w, QMessageBox) and w.isVisible():
            w.close()
