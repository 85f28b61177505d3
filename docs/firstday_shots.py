"""Pictures of a cadre's first day for the README (docs/firstday-*.png), taken from the real window.

    QT_QPA_PLATFORM=offscreen python docs/firstday_shots.py

The same steps as tests/ui/test_first_day.py, on a generated sample list: 新建工作区 → the empty
workspace → import → search by initials → the visit dialog → one group's notices → joining the
township → export; the last picture is `canvasser gui --screenshot` of the joined village.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TMP = Path(tempfile.mkdtemp(prefix="canvasser-firstday-"))
os.environ["CANVASSER_DATA"] = str(TMP / "data")  # the user's real settings and data stay untouched
os.environ["XDG_CONFIG_HOME"] = str(TMP / "config")
os.environ.setdefault("CANVASSER_PASSPHRASE", "截图用的口令 2026")  # workspaces are encrypted at rest

from PySide6.QtWidgets import QApplication  # noqa: E402

from canvasser.core import sync  # noqa: E402
from canvasser.core.demo import people as demo_people  # noqa: E402
from canvasser.core.lists import roster  # noqa: E402
from canvasser.core.storage.opening import name_village, open_workspace  # noqa: E402
from canvasser.core.storage.store import Workspace  # noqa: E402
from canvasser.core.text import pinyin  # noqa: E402
from canvasser.ui.app import make_app  # noqa: E402
from canvasser.ui.dialogs.import_roster import ImportDialog  # noqa: E402
from canvasser.ui.dialogs.new_workspace import NewWorkspaceDialog  # noqa: E402
from canvasser.ui.main_window import MainWindow  # noqa: E402
from canvasser.ui.screen import LAPTOP  # noqa: E402
from canvasser.ui.worker import ImmediateRunner  # noqa: E402

CODE = "QS7K-2M9P-XT4D-8RWA"


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def shot(widget, name: str) -> None:
    settle()
    out = ROOT / "docs" / f"firstday-{name}.png"
    if not widget.grab().save(str(out)):
        raise OSError(out)
    print(out.relative_to(ROOT))


def write_list(path: Path, people: list[dict]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    header = list(people[0])
    sheet.append(header)
    for p in people:
        sheet.append([str(p[h]) for h in header])
    wb.save(path)
    return path


def window_on(ws: Workspace) -> MainWindow:
    w = MainWindow(ws, canvasser="李书记", runner=ImmediateRunner(ws))
    w.resize(LAPTOP)
    w.show()
    settle()
    return w


def main() -> None:
    import datetime as dt

    make_app()
    people = demo_people(21, 30, "青石村", "某某镇", dt.date(2026, 11, 20))
    src = write_list(TMP / "青石村未参保名单.xlsx", people)

    new = NewWorkspaceDialog()
    new.show()
    shot(new, "1-new")
    new.close()

    path = TMP / "青石村.db"
    ws = open_workspace(path)
    from canvasser.ui.dialogs.passphrase import RecoveryCodeDialog

    name_village(ws, "青石村")
    box = RecoveryCodeDialog(None, ws.recovery_code, path)
    box.show()
    shot(box, "1b-recovery")
    box.close()
    from canvasser.core.rules import visits

    visits.ensure_canvasser(ws, "李书记", "13908150000")
    w = window_on(ws)
    shot(w, "2-empty")

    dlg = ImportDialog(ws, w.runner, "李书记", w)
    dlg.imported.connect(lambda _r: w.after_change(None, "名单已导入"))
    dlg.show()
    dlg.set_file(src)
    dlg.start()
    shot(dlg, "3-import")
    dlg.close()

    person = people[7]
    w.search_box.setText(pinyin.keys(person["姓名"])[0])
    w._search_now()
    w.select_person(person["公民身份号码"])
    shot(w, "4-search")

    visit = w.open_visit_dialog()
    visit.choose("paid_on_site")
    shot(visit, "5-visit")
    visit.save()

    w.search_box.clear()
    group = sorted({p["村民小组"] for p in people})[1]
    w.tree.select_scope("青石村", group, None)
    w.channel_checked = True
    w.run_output("notices", None)
    shot(w.scope_dialog, "6-print")
    w.scope_dialog.close()

    town = open_workspace(TMP / "乡镇.db")
    sync.init_township(town, "某某镇")
    roster.import_roster(town, src)
    sync.make_setup_package(town, "青石村", TMP / "青石村_配置包.ccpkg", code=CODE)
    dlg = w.open_sync()
    shot(dlg, "7-sync-standalone")
    dlg.join(TMP / "青石村_配置包.ccpkg", CODE)
    shot(dlg, "8-joined")
    dlg.close()
    w.close()
    ws.close()

    ws = open_workspace(path)
    w = window_on(ws)
    dlg = w.open_sync()
    dlg.export(TMP / "青石村_上报.ccpkg")
    shot(dlg, "9-export")
    dlg.close()
    w.close()
    ws.close()
    sync.receive_packages(town, [TMP / "青石村_上报.ccpkg"])
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (person["公民身份号码"],)) == "paid_on_site"
    town.close()

    out = ROOT / "docs" / "firstday-10-village.png"
    subprocess.run([sys.executable, "-m", "canvasser", "gui", "--db", str(path), "--screenshot", str(out)], check=True,
                   env={**os.environ})
    print(out.relative_to(ROOT))


if __name__ == "__main__":
    main()
