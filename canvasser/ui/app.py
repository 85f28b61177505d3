"""Application start: Qt setup, the bundled CJK font, which workspace and who is working, screenshots.

`run_gui` is what `canvasser gui` (and plain `canvasser`) calls.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from ..core import backup, fonts
from ..core.store import Workspace, WorkspaceError
from ..paths import data_dir, resource, settings_file
from .worker import Job

APP_NAME = "canvasser"
FONT_POINT_SIZE = 10
SCREEN_SIZE = (1366, 768)


def register_font() -> str:
    """Register the bundled WenQuanYi Zen Hei so Chinese shows on machines without Chinese fonts."""
    fid = QFontDatabase.addApplicationFont(str(fonts.font_path()))
    families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
    return families[0] if families else ""


def install_qt_translation(app: QApplication) -> bool:
    """Qt's own words (the buttons of file dialogs and message boxes: Open, Cancel, Yes …) in Chinese."""
    translator = QTranslator(app)
    where = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", where):
        return False
    app.installTranslator(translator)
    app._qt_translator = translator  # type: ignore[attr-defined] — keep it alive with the app
    return True


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else [sys.argv[0]])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("医保参保入户动员")
    app.setStyle("Fusion")
    if not getattr(app, "_qt_translator", None):
        install_qt_translation(app)
    icon = resource("icons", "canvasser.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    family = register_font()
    if family:
        font = QFont(family, FONT_POINT_SIZE)
        font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
        app.setFont(font)
    return app  # type: ignore[return-value]


def settings() -> QSettings:
    """The GUI's settings: an ini file in the data folder in portable mode (a laptop's registry
    must not keep a USB stick's last workspace), else the system store."""
    path = settings_file()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(APP_NAME, APP_NAME)


def remember_workspace(path: str | Path) -> None:
    settings().setValue("last_workspace", str(Path(path).resolve()))


def last_workspace() -> Path | None:
    value = settings().value("last_workspace", "")
    return Path(str(value)) if value and Path(str(value)).exists() else None


def demo_path() -> Path:
    """The demo village in the data folder, created if missing."""
    path = data_dir() / "demo.db"
    if not path.exists():
        from ..core.demo import make_demo  # imports the roster reader (openpyxl): only when needed

        path.parent.mkdir(parents=True, exist_ok=True)
        make_demo(path)
    return path


def choose_workspace_file(parent: QWidget | None = None) -> Path | None:
    """Ask for a workspace: open an existing one, create a new one, or open the demo village."""
    box = QMessageBox(parent)
    box.setWindowTitle("选择工作区")
    box.setText("请选择要打开的工作区（一个工作区保存一个村或一个乡镇的全部数据）。")
    open_b = box.addButton("打开已有工作区…", QMessageBox.ButtonRole.AcceptRole)
    new_b = box.addButton("新建工作区…", QMessageBox.ButtonRole.ActionRole)
    setup_b = box.addButton("用乡镇配置包新建村工作区…", QMessageBox.ButtonRole.ActionRole)
    demo_b = box.addButton("打开演示村", QMessageBox.ButtonRole.ActionRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    start = str(data_dir())
    if clicked is open_b:
        name, _ = QFileDialog.getOpenFileName(parent, "打开工作区", start, "工作区 (*.db *.sqlite);;所有文件 (*)")
        return Path(name) if name else None
    if clicked is new_b:
        name, _ = QFileDialog.getSaveFileName(parent, "新建工作区", str(data_dir() / "我的村.db"), "工作区 (*.db)")
        if not name:
            return None
        path = Path(name if name.endswith(".db") else name + ".db")
        from .lock import ensure_unlocked  # a new workspace gets its passphrase (and recovery code)

        return path if ensure_unlocked(path, parent) else None
    if clicked is setup_b:
        return village_from_setup(parent)
    if clicked is demo_b:
        return demo_path()
    return None


def village_from_setup(parent: QWidget | None = None) -> Path | None:
    """A village workspace from the township's setup package (core `sync.init_village`)."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from ..core import sync

    setup, _ = QFileDialog.getOpenFileName(parent, "选择乡镇发来的配置包", str(Path.home()), "配置包 (*.ccpkg)")
    if not setup:
        return None
    name, _ = QFileDialog.getSaveFileName(parent, "新工作区保存为", str(data_dir() / "本村.db"), "工作区 (*.db)")
    if not name:
        return None
    code, ok = QInputDialog.getText(parent, "配置包口令", "乡镇告知的口令（没有则不填）：", QLineEdit.EchoMode.Normal, "")
    if not ok:
        return None
    path = Path(name if name.endswith(".db") else name + ".db")
    from .lock import new_passphrase

    passphrase = new_passphrase(parent)
    if not passphrase:
        return None
    try:
        res = sync.init_village(path, setup, code=code.strip() or None, passphrase=passphrase)
    except Exception as exc:  # noqa: BLE001 — shown to the user; nothing was created
        QMessageBox.warning(parent, "无法建立工作区", str(exc))
        return None
    QMessageBox.information(parent, "已建立村工作区",
                            f"{res['township']} — {res['village']}：{res['people']} 人。\n"
                            f"乡镇密钥指纹 {res['township_fingerprint']}，请与乡镇核对。")
    return path


def pick_canvasser(ws: Workspace, parent: QWidget | None = None) -> str:
    """Who is working (asked at every start: cadres share the laptop); the last one is preselected."""
    from .dialogs.canvassers import CanvasserDialog

    key = f"canvasser/{ws.workspace_id}"
    dlg = CanvasserDialog(ws, str(settings().value(key, "")), parent)
    if dlg.exec() and dlg.chosen:
        settings().setValue(key, dlg.chosen)
        return dlg.chosen
    return ""


def start_daily_backup(window) -> None:
    """Today's backup on the worker: consistent (SQLite backup API) and never blocking the window."""
    def done(path) -> None:
        if path:
            window.statusBar().showMessage(f"已自动备份：{Path(path).name}", 4000)

    window.runner.submit(Job(lambda ws, _p: backup.daily(ws), success=done, failure=window._job_failed,
                             label="自动备份"))


def screenshot_window(window, path: str | Path, tab: int = 0) -> Path:
    """Render the window at the laptop size the app is designed for, a person selected, and save it."""
    app = QApplication.instance()
    window.resize(*SCREEN_SIZE)
    window.show()
    window.tabs.setCurrentIndex(tab)
    for _ in range(3):
        app.processEvents()
    window.runner.wait_idle()
    pid = window.ws.scalar(
        "SELECT p.pid FROM persons p JOIN households h ON h.hid = p.household "
        "WHERE p.visit_count >= 1 AND h.members >= 3 AND p.phone != '' AND p.categories != '' "
        "ORDER BY p.visit_count DESC, p.village, p.grp, p.household LIMIT 1") or window.ws.scalar(
        "SELECT pid FROM persons ORDER BY visit_count DESC LIMIT 1")
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


def open_window(path: Path, *, canvasser: str | None = None, parent: QWidget | None = None):
    from .lock import ensure_unlocked
    from .main_window import MainWindow

    if not ensure_unlocked(path, parent):
        raise WorkspaceError("没有输入口令，工作区未打开")
    ws = Workspace(path)
    who = canvasser if canvasser is not None else pick_canvasser(ws, parent)
    window = MainWindow(ws, canvasser=who)
    window.switch_requested.connect(lambda p, w=window: _switch(w, Path(p)))
    remember_workspace(path)
    return window


def _switch(old, path: Path) -> None:
    new = open_window(path)
    new.show()
    start_daily_backup(new)
    old.close()
    old.ws.close()
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
            ws_probe = Workspace(path)
            first = ws_probe.scalar("SELECT name FROM canvassers WHERE active=1 ORDER BY name") or ""
            ws_probe.close()
            window = open_window(path, canvasser=first)
            screenshot_window(window, screenshot)
            window.close()
            window.ws.close()
            return 0
        window = open_window(path)
    except WorkspaceError as exc:
        QMessageBox.critical(None, "无法打开工作区", str(exc)) if not screenshot else None
        sys.stderr.write(f"工作区错误：{exc}\n")
        return 1
    window.show()
    start_daily_backup(window)
    app._windows = [window]  # type: ignore[attr-defined]
    app.setQuitOnLastWindowClosed(True)
    app.aboutToQuit.connect(lambda: [w.runner.shutdown() for w in app._windows])  # type: ignore[attr-defined]
    return app.exec()


