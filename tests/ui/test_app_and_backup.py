"""Start-up (font, demo, screenshot), the dashboard, settings, the integrity check, backups."""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtGui import QFontDatabase, QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from canvasser import cli
from canvasser.core.rules import campaign, reports, visits
from canvasser.core.storage import backup, integrity
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import CHILD_ENCODING


def test_screenshot_of_the_demo_village_shows_a_populated_window(app, tmp_path, data_dir):
    from canvasser.ui.app import run_gui

    png = tmp_path / "main.png"
    assert run_gui(demo=True, screenshot=str(png)) == 0
    img = QImage(str(png))
    assert img.width() >= 1000 and img.height() >= 600
    colours = {img.pixel(x, y) for x in range(0, img.width(), 9) for y in range(0, img.height(), 9)}
    assert len(colours) > 20
    assert (data_dir / "demo.db").exists()
    assert "WenQuanYi Zen Hei" in QFontDatabase.applicationFontFamilies(0) or \
        QApplication.font().family() == "WenQuanYi Zen Hei"


def test_dashboard_draws_the_report_figures(window, ws, qtbot):
    window.tabs.setCurrentWidget(window.dashboard)
    data = window.dashboard.data
    figs = reports.figures(ws)
    assert data["figures"]["done"] == figs["done"] and data["figures"]["total"] == figs["total"]
    assert window.dashboard.cards["done"].value.text() == str(figs["done"])
    assert [b.label for b in window.dashboard.groups.bars] == list(figs["by_group"])
    assert sum(d["visits"] for d in data["trend"]) > 0
    assert sum(v[0] for v in data["canvassers"].values()) > 0
    assert not window.dashboard.grab().isNull()


def test_settings_form_writes_campaign_changes(window, ws, qtbot):
    dlg = window.open_settings()
    dlg.widgets["standard"].setValue(420)
    dlg.special.setText("特困、低保")
    dlg.save()
    values = campaign.load(ws).values
    assert values["standard"] == 420 and values["special_groups"] == ["特困", "低保"]
    assert ws.scalar("SELECT author FROM events WHERE kind='campaign.set' ORDER BY hlc DESC LIMIT 1") == "李书记"
    assert window.category_filter.count() == 4  # all, any special, 特困, 低保


def test_integrity_check_screen(window, qtbot):
    dlg = window.open_check()
    assert dlg.check_result is not None and dlg.check_result["ok"]
    assert "检查通过" in dlg.outcome.text()


def test_daily_backup_keeps_seven_and_restore_starts_a_new_origin(ws, data_dir):
    folder = backup.backup_dir(ws.path)
    folder.mkdir(parents=True)
    for i in range(1, 10):
        (folder / f"2026-10-{i:02d}.db").write_bytes(b"old")
    made = backup.daily(ws, today=dt.date(2026, 11, 1))
    assert made == folder / "2026-11-01.db"
    assert backup.daily(ws, today=dt.date(2026, 11, 1)) is None  # once a day
    daily = sorted(p.name for p in folder.glob("*.db"))
    assert len(daily) == 7 and daily[-1] == "2026-11-01.db" and "2026-10-01.db" not in daily

    pid = ws.scalar("SELECT pid FROM persons WHERE status='' LIMIT 1")
    old_origin = ws.origin
    visits.record_visit(ws, pid, "not_home", by="王主任")
    path = ws.path
    ws.close()
    res = backup.restore(path, made)
    assert res["saved_previous"] and "before-restore" in res["saved_previous"]
    with open_workspace(path) as again:
        assert again.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == ""
        assert integrity.check(again)["ok"]
        visits.record_visit(again, pid, "not_home", by="王主任")
        assert again.origin != old_origin


def test_backup_and_restore_commands(ws, tmp_path, capsys):
    path = str(ws.path)
    ws.close()
    assert cli.main(["backup", "--db", path, "--json", "--today", "2027-10-08"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["events"] > 0 and out["backup"].endswith("2027-10-08.db")  # named by the day given
    assert cli.main(["restore", "--db", path, "--from", str(tmp_path / "nope.db")]) == 2
    assert "找不到备份文件" in capsys.readouterr().err
    assert cli.main(["restore", "--db", path, "--from", out["backup"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == out["events"]


def test_backup_screen_restores_and_reopens(window, ws, qtbot, monkeypatch):
    dlg = window.open_backup()
    dlg.backup_now()
    assert dlg.list.count() == 1
    pid = ws.scalar("SELECT pid FROM persons WHERE status='' LIMIT 1")
    visits.record_visit(ws, pid, "refused", by="李书记")
    reopened: list = []
    window.switch_requested.connect(reopened.append)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dlg.list.setCurrentRow(0)
    res = dlg.restore_selected()
    assert res and reopened == [str(ws.path)]
    with open_workspace(ws.path) as again:
        assert again.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == ""


def test_killed_mid_write_the_workspace_opens_as_it_was(ws, tmp_path):
    """A process killed while writing visits leaves a consistent file (WAL): check passes on reopen."""
    import subprocess
    import sys
    import time

    path = str(ws.path)
    before = ws.event_count()
    ws.close()
    script = (
        "import sys\n"
        "from canvasser.core.storage.opening import open_workspace\n"
        "from canvasser.core.rules import visits\n"
        "ws = open_workspace(sys.argv[1])\n"
        "pids = [r['pid'] for r in ws.query('SELECT pid FROM persons')]\n"
        "print('ready', flush=True)\n"
        "i = 0\n"
        "while True:\n"
        "    visits.record_visit(ws, pids[i % len(pids)], 'not_home', by='测试')\n"
        "    i += 1\n")
    proc = subprocess.Popen([sys.executable, "-c", script, path], stdout=subprocess.PIPE,
                            encoding=CHILD_ENCODING)
    assert proc.stdout.readline().strip() == "ready"
    with open_workspace(path) as probe:
        deadline = time.monotonic() + 30
        while probe.event_count() < before + 20 and time.monotonic() < deadline:
            time.sleep(0.05)
    proc.kill()  # SIGKILL; TerminateProcess on Windows
    proc.wait()
    with open_workspace(path) as again:
        assert again.event_count() >= before + 20
        assert integrity.check(again)["ok"]
        assert again.scalar("SELECT count(*) FROM visits") == again.scalar(
            "SELECT count(*) FROM events WHERE kind='visit.recorded'")


def test_interactive_start_remembers_the_workspace_and_backs_it_up(app, tmp_path, monkeypatch, data_dir, qtbot):
    """`canvasser gui --db`: who works is asked, the window opens, today's backup is made, the
    workspace is remembered for the next start without --db (a real one: the demo is a sandbox)."""
    from PySide6.QtCore import QSettings, QTimer

    from canvasser.ui import app as app_mod

    path = tmp_path / "青石村.db"
    open_workspace(path).close()
    asked: list = []
    monkeypatch.setattr(app_mod, "pick_canvasser", lambda w, parent=None: asked.append(w.path) or "王主任")

    def finish() -> None:
        qtbot.waitUntil(lambda: backup.backup_dir(path).is_dir() and any(backup.backup_dir(path).glob("*.db")),
                        timeout=20000)
        window = QApplication.instance()._windows[0]
        assert window.canvasser == "王主任" and window.isVisible()
        window.close()

    QTimer.singleShot(0, finish)
    assert app_mod.run_gui(db=str(path)) == 0
    assert asked == [path]
    assert app_mod.last_workspace() == path.resolve()
    ini = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)  # not the registry
    assert ini.value("last_workspace") == str(path.resolve())


def test_township_dashboard_ranks_villages(window, ws, qtbot):
    from canvasser.core.rules import people
    from canvasser.core.text.ids import check_digit

    body = "51032119900101123"
    people.add_person(ws, body + check_digit(body), "白河人", village="白河村", grp="一组")
    window.tabs.setCurrentWidget(window.dashboard)
    figs = reports.figures(ws)
    assert window.dashboard.groups.title.startswith("各村进度")
    assert [b.label.split(". ", 1)[1].split("（差")[0] for b in window.dashboard.groups.bars] == figs["ranking"]


def test_qt_dialog_buttons_are_chinese_and_the_window_has_its_icon(app):
    """Qt's own buttons (file dialogs, message boxes) come from its zh_CN translation."""
    from PySide6.QtCore import QCoreApplication

    from canvasser.ui.app import make_app

    make_app()
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert not QApplication.windowIcon().isNull()
