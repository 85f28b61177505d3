"""Spreadsheets carry text, never formulas; control and invisible characters are removed at the door
and never reach (or break) an xlsx the app writes."""

from __future__ import annotations

import openpyxl

from tests.fixtures import corrupt_check_digit, rows, write_csv
from tests.test_sync_flow import cli

FORMULAS = ('=HYPERLINK("http://evil.example/x","点我")', "=cmd|' /C calc'!A0", "=2+2", "+SUM(1,2)", "@SUM(1)", "-1+2")


def _cells(book):
    for ws in openpyxl.load_workbook(book).worksheets:
        for row in ws.iter_rows():
            yield from row


def test_data_is_never_a_formula_or_a_control_character_in_any_xlsx(tmp_path, capsys):
    people = rows(seed=5, households=10)
    people[0] = dict(people[0], 姓名="王\x07小\x1b红\x00")
    people[1] = dict(people[1], 姓名="=HYPERLINK(\"http://evil.example/x\",\"点我\")")
    people[2] = dict(people[2], 村民小组="=cmd|' /C calc'!A0")
    people[3] = dict(people[3], 姓名="李\u200b四\u202e")
    people[4] = dict(people[4], 公民身份号码=corrupt_check_digit(people[4]["公民身份号码"]), 姓名="=2+2\x07")
    db = tmp_path / "x.db"
    res = cli(capsys, "import-roster", "--db", db, write_csv(tmp_path / "bad.csv", people))
    assert len(res["rejected"]) == 1 and not res["rejects_file"]  # kept inside until asked for (issue 33)
    # names are found by what people see: the invisible characters are gone
    assert [r["name"] for r in cli(capsys, "search", "--db", db, "李四")["results"]] == ["李四"]
    assert [r["name"] for r in cli(capsys, "search", "--db", db, people[0]["公民身份号码"])["results"]] == ["王小红"]
    cli(capsys, "visit", "--db", db, "--id", people[5]["公民身份号码"], "--outcome", "not_home", "--by", "=2+2\x1b",
        "--note", FORMULAS[0])
    cli(capsys, "visit", "--db", db, "--id", people[6]["公民身份号码"], "--outcome", "refused", "--reason", "其他",
        "--by", "李书记", "--note", "+SUM(1,2)\x07")
    cli(capsys, "person", "--db", db, "--id", people[7]["公民身份号码"], "--set", "note==cmd|' /C calc'!A0\x1b")
    books = [cli(capsys, "rejects", "--db", db, "--out", tmp_path / "错行.xlsx")["file"]]
    for cmd in ("ledger", "feedback", "report"):
        cli(capsys, cmd, "--db", db, "--out", tmp_path / f"{cmd}.xlsx")
        books.append(tmp_path / f"{cmd}.xlsx")
    seen = set()
    for book in books:
        for c in _cells(book):
            v = c.value
            if isinstance(v, str):
                assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in v), (book, c.coordinate)
                assert "\u200b" not in v and "\u202e" not in v
                if v[:1] in "=+-@" and len(v) > 1 and not v[1:].replace(".", "").isdigit():
                    assert c.data_type == "s", (book, c.coordinate, v)
                    seen.add(v)
            assert c.data_type != "f", (book, c.coordinate, v)
    assert {'=HYPERLINK("http://evil.example/x","点我")', "=cmd|' /C calc'!A0", "=2+2"} <= seen


def test_a_control_character_that_arrived_in_the_log_breaks_no_export(tmp_path, capsys):
    from canvasser.core.storage.opening import open_workspace
    people = rows(seed=6, households=4)
    db = tmp_path / "y.db"
    cli(capsys, "import-roster", "--db", db, write_csv(tmp_path / "l.csv", people))
    pid = people[0]["公民身份号码"]
    with open_workspace(db) as ws:  # as an older version's package would bring it
        ws.emit("person.updated", f"p:{pid}", {"name": "张\x00三\x07", "note": "\x1b[31m=1+1"}, "村\x07文书")
    for cmd in ("ledger", "feedback", "report"):
        cli(capsys, cmd, "--db", db, "--out", tmp_path / f"{cmd}.xlsx")
        texts = [c.value for c in _cells(tmp_path / f"{cmd}.xlsx") if isinstance(c.value, str)]
        assert texts, cmd  # written, and readable back
        assert not [v for v in texts if any(ord(ch) < 32 and ch not in "\t\n\r" or ch == "\x7f" for ch in v)], cmd
        if cmd != "report":  # (the report counts people: it names nobody)
            assert "张三" in texts, cmd  # the name, cleaned of what the package brought
