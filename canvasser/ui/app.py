"""Application start: Qt setup, the bundled CJK font, which workspace and who is working, screenshots.

`run_gui` is what `canvasser gui` (and plain `canvasser`) calls.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..core import views
from ..core.storage.opening import is_demo_file, open_workspace
from ..core.storage.store import Workspace, WorkspaceError
from ..core.storage.winlock import WindowLock
from ..core.text import fonts
from ..paths import resource
from .choose import choose_workspace_file, demo_path
from .memory import APP_NAME, last_workspace, remember_workspace, remembering, sandbox, settings
from .worker import ImmediateRunner


def register_font() -> str:
    """Register the bundled WenQuanYi Zen Hei so Chinese shows on machines without Chinese fonts."""
    return _add_font(str(fonts.font_path()))


def _add_font(path: str) -> str:
    fid = QFontDatabase.addApplicationFont(path)
    families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
    return families[0] if families else ""


def extb_family() -> str:
    """The font the window falls back to for what the bundled font lacks (Extension B: 𠀀, 𪚥 in a
    name): an installed Extension-B family by name (Windows' SimSun-ExtB), else the first font file the
    PDFs would fall back to (core.fonts: CANVASSER_EXTB_FONT, then the usual places), loaded; '' for none."""
    installed = set(QFontDatabase.families())
    for family in fonts.EXTB_FAMILIES:
        if family in installed:
            return family
    for path in fonts.fallback_candidates():
        if Path(path).is_file() and (family := _add_font(path)):
            return family
    return ""


def window_font(family: str) -> QFont:
    """The bundled font, with the Extension-B fallback behind it, so a name shows in the window as the
    notice prints it (its size: textsize.apply)."""
    font = QFont(family)
    font.setFamilies([family, *filter(None, [extb_family()])])
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    return font


def install_qt_translation(app: QApplication) -> bool:
    """Qt's own words (the buttons of file dialogs and message boxes: Open, Cancel, Yes …) in Chinese."""
    translator = QTranslator(app)
    where = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", where):
        return False
    from .qt_chinese import FallbackTranslator

    app._qt_fallback = FallbackTranslator(app)  # type: ignore[attr-defined] — the strings qtbase lacks
    app.installTranslator(app._qt_fallback)  # type: ignore[attr-defined]
    app.installTranslator(translator)  # installed last: asked first
    from .qt_chinese import roomy_file_dialogs

    roomy_file_dialogs(app)
    app._qt_translator = translator  # type: ignore[attr-defined] — keep it alive with the app
    return True


def make_app(argv: list[str] | None = None) -> QApplication:
    from . import errors

    errors.install()  # an unexpected error is said in Chinese and the window stays open
    app = QApplication.instance()
    if app is None:
        from .qt_chinese import chinese_dates

        chinese_dates()
        app = QApplication(argv if argv is not None else [sys.argv[0]])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("医保参保入户动员")
    app.setStyle("Fusion")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))  # dates, calendars: Chinese form
    from .screen import fit_dialogs

    fit_dialogs(app)  # every dialog inside the screen it opens on
    if not getattr(app, "_qt_translator", None):
        install_qt_translation(app)
    icon = resource("icons", "canvasser.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    family = register_font()
    if family:
        app.setFont(window_font(family))
    from . import textsize

    textsize.apply(app)  # 字号: this computer's choice (标准 / 大 / 特大)
    return app  # type: ignore[return-value]


def pick_canvasser(ws: Workspace, parent: QWidget | None = None) -> str:
    """Who is working (asked at every start: cadres share the laptop); the last one is preselected.

    Runs before the window and its worker exist: `ws` is a writable connection, adding a profile is
    an operation run at once on it."""
    from .dialogs.canvassers import CanvasserDialog

    key = f"canvasser/{ws.workspace_id}"
    last = str(settings().value(key, "")) if remembering() else ""
    dlg = CanvasserDialog(ws, ImmediateRunner(ws), last, parent)
    if dlg.exec() and dlg.chosen:
        if remembering():
            settings().setValue(key, dlg.chosen)
        return dlg.chosen
    return ""


def start_daily_backup(window) -> None:
    """Today's backup on the worker: consistent (SQLite backup API) and never blocking the window.
    The demo's made-up people are not backed up (nothing of the sandbox is kept)."""
    if not remembering():
        return

    def done(path) -> None:
        if path:
            window.statusBar().showMessage(f"已自动备份：{Path(path).name}", 4000)

    from . import operations

    operations.daily_backup(window.runner, success=done, failure=window._job_failed)


def show_window(window) -> None:
    """Shown as it opens: maximised on a laptop's screen, else at 1366×768 (`screen`)."""
    if window.maximise:
        window.showMaximized()
    else:
        window.show()


def screenshot_window(window, path: str | Path, tab: int = 0) -> Path:
    """Render the window at the size it takes on this screen (the available area of a laptop's
    screen, 1366×768 on a larger one), a person selected, and save it in the screen's pixels."""
    from .screen import place_main_window

    app = QApplication.instance()
    place_main_window(window)  # no window manager maximises it here: take the size it would have
    window.show()
    window.tabs.setCurrentIndex(tab)
    for _ in range(3):
        app.processEvents()
    window.runner.wait_idle()
    pid = views.showcase_person(window.ws)
    if pid:
        window.select_person(pid)
    if tab == 1 and window.dashboard is not None:
        window.dashboard.refresh()
    for _ in range(3):
        app.processEvents()
    window.runner.wait_idle()
    app.processEvents()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out)):
        raise OSError(f"无法保存截图：{out}")
    return out


def open_window(path: Path, *, canvasser: str | None = None, parent: QWidget | None = None,
                ask_location: bool = True):
    from .dialogs.location import where_to_work
    from .main_window import MainWindow

    if ask_location:  # a stick, a share, a read-only folder: offer the laptop's copy
        path = where_to_work(path, parent)
    from .lock import ensure_unlocked

    if not ensure_unlocked(path, parent):
        raise WorkspaceError("没有输入口令，工作区未打开")
    sandbox(is_demo_file(path))  # the demo remembers nothing on this computer
    lock = WindowLock(path).acquire()  # a second window on the same file is refused with a message
    try:
        ws = open_workspace(path)  # migrates an older file, binds its origin; the window then reads on its own
        try:
            who = canvasser if canvasser is not None else pick_canvasser(ws, parent)
        finally:
            ws.close()
    except BaseException:
        lock.release()
        raise
    window = MainWindow(ws, canvasser=who)
    window.destroyed.connect(lambda *_: lock.release())
    window.window_lock = lock
    window.switch_requested.connect(lambda p, w=window: _switch(w, Path(p)))
    remember_workspace(path)
    return window


def _switch(old, path: Path) -> None:
    lock = getattr(old, "window_lock", None)
    if lock is not None and Path(path).resolve() == Path(old.ws.path).resolve():
        lock.release()  # reopening the same file (after a restore): this window is about to go
    new = open_window(path)
    show_window(new)
    start_daily_backup(new)
    old.close()
    old.ws.close()
    if lock is not None:
        lock.release()
    QApplication.instance()._windows = [new]  # type: ignore[attr-defined] — keep it alive


def run_gui(db: str | None = None, demo: bool = False, screenshot: str | None = None) -> int:
    app = make_app()
    try:
        if demo:
            path = demo_path()
        elif db:
            path = Path(db)
        else:
            path = last_workspace() or (None if screenshot else choose_workspace_file())
            if path is None:
                if screenshot:
                    sys.stderr.write("截图需要 --db 或 --demo\n")
                    return 2
                return 0
        if screenshot:
            from .lock import ensure_unlocked

            if not ensure_unlocked(path):
                raise WorkspaceError("没有口令，工作区未打开")
            with open_workspace(path) as ws_probe:
                first = next((c["name"] for c in views.canvassers(ws_probe)), "")
            window = open_window(path, canvasser=first, ask_location=False)
            screenshot_window(window, screenshot)
            window.close()
            window.ws.close()
            return 0
        window = open_window(path)
    except WorkspaceError as exc:
        QMessageBox.critical(None, "无法打开工作区", str(exc)) if not screenshot else None
        sys.stderr.write(f"工作区错误：{exc}\n")
        return 1
    show_window(window)
    start_daily_backup(window)
    app._windows = [window]  # type: ignore[attr-defined]
    app.setQuitOnLastWindowClosed(True)
    app.aboutToQuit.connect(lambda: [w.runner.shutdown() for w in app._windows])  # type: ignore[attr-defined]
    return app.exec()


