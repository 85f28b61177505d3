"""Finding people: the search box (pinyin initials, ID tail, phone), the filters, the tree, sorting."""

from __future__ import annotations

from PySide6.QtCore import Qt

from canvasser.core.text import pinyin
from canvasser.ui.people_model import COLUMNS, PID_ROLE, PeopleModel

NAME_COL = [c.key for c in COLUMNS].index("name")


def _pids(window) -> list[str]:
    m = window.model
    return [m.index(r, 0).data(PID_ROLE) for r in range(m.rowCount())]


def test_search_by_pinyin_initials_is_debounced_and_finds_the_person(window, ws, qtbot):
    pid, name = ws.one("SELECT pid, name FROM persons WHERE length(name) = 3 ORDER BY pid LIMIT 1").values()
    initials = pinyin.keys(name)[0]
    total = window.model.rowCount()
    qtbot.keyClicks(window.search_box, initials)
    assert window.model.rowCount() == total  # nothing runs per keystroke
    qtbot.waitUntil(lambda: window.model.rowCount() < total, timeout=2000)
    found = _pids(window)
    assert pid in found
    for p in found:
        n = ws.scalar("SELECT name FROM persons WHERE pid=?", (p,))
        assert pinyin.keys(n)[0].startswith(initials) or pinyin.keys(n)[1].startswith(initials)
    assert window.count_label.text() == f"{len(found)} 人"


def test_search_by_id_tail_and_by_phone(window, ws, qtbot):
    pid, phone = ws.one("SELECT pid, phone FROM persons WHERE phone != '' ORDER BY pid DESC LIMIT 1").values()
    window.search_box.setText(pid[-6:])
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert pid in _pids(window)
    assert window.detail.pid == pid or window.model.rowCount() > 1
    window.search_box.setText(phone)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert _pids(window)[0] == pid or pid in _pids(window)


def test_filter_by_special_category(window, ws, qtbot):
    i = window.category_filter.findData("低保")
    assert i > 0
    window.category_filter.setCurrentIndex(i)
    want = ws.scalar("SELECT count(*) FROM persons WHERE categories LIKE '%低保%'")
    assert want > 0 and window.model.rowCount() == want
    for p in _pids(window):
        assert "低保" in ws.scalar("SELECT categories FROM persons WHERE pid=?", (p,))
    window.category_filter.setCurrentIndex(window.category_filter.findData("*"))
    special = ws.scalar("SELECT count(*) FROM persons WHERE " + " OR ".join(
        f"categories LIKE '%{g}%'" for g in ("特困", "孤儿", "事实无人抚养", "低保", "监测", "脱贫", "重度残疾")))
    assert window.model.rowCount() == special


def test_filter_by_status_and_followup(window, ws, qtbot):
    window.status_filter.setCurrentIndex(window.status_filter.findData("none"))
    assert window.model.rowCount() == ws.scalar("SELECT count(*) FROM persons WHERE status=''")
    window.status_filter.setCurrentIndex(window.status_filter.findData("refused"))
    assert window.model.rowCount() == ws.scalar("SELECT count(*) FROM persons WHERE status='refused'")
    window.status_filter.setCurrentIndex(window.status_filter.findData("todo"))
    todo = window.model.rowCount()
    window.status_filter.setCurrentIndex(window.status_filter.findData("done"))
    assert todo + window.model.rowCount() == ws.scalar("SELECT count(*) FROM persons")
    window.status_filter.setCurrentIndex(0)
    window.followup_filter.setChecked(True)
    from canvasser.core.rules.visits import followups
    assert sorted(_pids(window)) == sorted(r["pid"] for r in followups(ws))


def test_tree_group_and_household_narrow_the_table(window, ws, qtbot):
    counts = {(r["village"], r["grp"]): r for r in ws.query(
        "SELECT village, grp, count(*) AS n FROM persons GROUP BY village, grp")}
    (village, grp), row = next(iter(counts.items()))
    window.tree.select_scope(village, grp, None)
    assert window.model.rowCount() == row["n"]
    item = window.tree.currentItem()
    assert item.text(1).endswith(f"/{row['n']}")
    item.setExpanded(True)
    assert item.childCount() > 0
    window.tree.setCurrentItem(item.child(0))
    hid = window.tree.current_scope()[2]
    assert sorted(_pids(window)) == sorted(r["pid"] for r in ws.query("SELECT pid FROM persons WHERE household=?",
                                                                          (hid,)))


def test_header_click_sorts_in_sql(window, ws, qtbot):
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(NAME_COL) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center().__class__(x, 5))
    names = [window.model.index(r, NAME_COL).data() for r in range(window.model.rowCount())]
    keys = [ws.scalar("SELECT py_full FROM persons WHERE name=? LIMIT 1", (n,)) for n in names]
    assert keys == sorted(keys)


def roster_order(ws) -> list[tuple[str, str]]:
    """(pid, name) in the roster's order, computed here: village, group (一组, 二组 …), household, row."""
    from canvasser.core.rules.groups import group_key

    rows = ws.conn.execute("SELECT pid, name, village, grp, household, rowid FROM persons").fetchall()
    return [(r[0], r[1]) for r in sorted(rows, key=lambda r: (r[2], group_key(r[3]), r[4], r[5]))]


def test_model_reads_only_the_blocks_it_shows(ws, app):
    model = PeopleModel(ws)
    model.BLOCK = 16
    n = model.search()
    assert n == ws.scalar("SELECT count(*) FROM persons") and n > model.BLOCK
    assert model._rows == {}
    last = model.index(n - 1, NAME_COL).data()
    assert last == roster_order(ws)[-1][1]  # (village, group as people count them, household)
    assert 0 < len(model._rows) <= model.BLOCK


def test_a_large_search_shows_a_first_page_then_the_whole_ordered_list(window, ws, qtbot):
    """With the real worker: the first page comes at once, the full list (in order) follows."""
    from canvasser.ui.worker import DbWorker

    worker = DbWorker(ws.path)
    model = PeopleModel(ws, runner=worker)
    model.FIRST_PAGE = 10
    try:
        arrived: list = []
        model.completed.connect(arrived.append)
        shown = model.search()
        total = ws.scalar("SELECT count(*) FROM persons")
        assert shown == 10 and not model.complete
        qtbot.waitUntil(lambda: bool(arrived), timeout=10000)
        assert arrived == [total] and model.complete and model.rowCount() == total
        ordered = [pid for pid, _ in roster_order(ws)]
        assert [model.pid_at(r) for r in range(total)] == ordered
        # a newer search supersedes an older one still on its way
        model.search()
        n = model.search()
        assert n == 10
        qtbot.waitUntil(lambda: model.complete, timeout=10000)
        assert model.rowCount() == total
    finally:
        worker.shutdown()


def test_keyboard_only_search_then_record(window, ws, qtbot):
    """Type a tail, press Down, press Enter: the visit dialog opens for that person."""
    pid = ws.scalar("SELECT pid FROM persons ORDER BY pid LIMIT 1")
    window.search_box.setFocus()
    qtbot.keyClicks(window.search_box, pid[-6:])
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    assert window.table.hasFocus() or window.focusWidget() is window.table
    assert window.current_pid() == pid
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert window.visit_dialog is not None and window.visit_dialog.person["pid"] == pid
    window.visit_dialog.reject()
