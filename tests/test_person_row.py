"""The persons row is built in one place and addressed by column name: its columns are the table's."""

from __future__ import annotations

import os

from canvasser.core.storage import projection
from canvasser.core.storage.opening import open_workspace


def test_the_row_the_fold_builds_has_the_tables_columns_in_order(tmp_path):
    ws = open_workspace(tmp_path / "w.db")
    columns = list(ws.db["persons"].columns_dict)  # sqlite-utils' introspection of the live table
    ws.close()
    assert sorted(columns) == sorted(projection._PERSON_COLS)
    assert set(projection.PERSON_FIELDS) <= set(columns)


def test_each_cell_of_a_built_row_is_where_its_name_says():
    cols, keys = projection.field_columns({"name": "张三", "village": "青石村", "household": "H1", "phone": "13800000000",
                                           "categories": ["低保"], "active": 1})
    last = ("promised", "", "入户", "2026-11-20T09:00:00+08:00", "李书记", "下周", "2026-12-01", "2026-12-01")
    row = projection._person_row("510321199001010011", cols, keys, ("400", "2026-11-21"), last, 2, 1,
                                 "2026-11-01T08:00:00+08:00", "0001763600000000.00001")
    cell = dict(zip(projection._PERSON_COLS, row))
    assert len(row) == len(projection._PERSON_COLS)
    assert (cell["pid"], cell["rpid"]) == ("510321199001010011", "510321199001010011"[::-1])
    assert (cell["name"], cell["village"], cell["household"], cell["phones"], cell["categories"]) == \
        ("张三", "青石村", "H1", "13800000000", "低保")
    assert (cell["status"], cell["official"], cell["paid_amount"], cell["paid_at"]) == \
        ("paid_official", 1, "400", "2026-11-21")
    assert (cell["last_outcome"], cell["last_via"], cell["last_visit_by"], cell["followup"]) == \
        ("promised", "入户", "李书记", "2026-12-01")
    assert (cell["visit_count"], cell["evidence"], cell["rname"], cell["updated_hlc"]) == \
        (2, 1, "三张", "0001763600000000.00001")


ADD_TWO_FIELDS = r"""
import csv, sys
from pathlib import Path
import canvasser.core as core
from canvasser.core.storage import schema
# a field the bureau's list carries and one a cadre edits: a record each in the field table and a
# migration each, and nothing else
schema.MIGRATIONS.append("ALTER TABLE persons ADD COLUMN ethnic TEXT NOT NULL DEFAULT ''")
schema.MIGRATIONS.append("ALTER TABLE persons ADD COLUMN qq TEXT NOT NULL DEFAULT ''")
path = Path(core.__file__).parent / "person_fields.py"
source = path.read_text(encoding="utf-8")
mark = '    Field("source", "来源", APP),\n'  # the table's last record: the new ones go after it
assert mark in source
source = source.replace(mark, mark + '    Field("ethnic", "民族", LIST, aliases=("民族", "民族名称")),\n'
                                     '    Field("qq", "QQ", GROUND, EDIT, "QQ号"),\n')
module = type(sys)("canvasser.core.person_fields")
module.__file__ = str(path)
sys.modules[module.__name__] = module
exec(compile(source, str(path), "exec"), module.__dict__)
core.person_fields = module

from canvasser import cli
from canvasser.core.lists.roster import import_roster
from canvasser.core.rules import history, people
from canvasser.core.storage import integrity
from canvasser.core.storage.opening import open_workspace
from canvasser.ui.dialogs.person import EDIT_FIELDS

db, tmp = Path(sys.argv[1]), Path(sys.argv[1]).parent
pid = "11010519491231002X"
def write(name, ethnic):
    with open(tmp / name, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "公民身份号码", "村（社区）", "户编号", "与户主关系", "民族", "联系电话"])
        w.writerow(["王五", pid, "青石村", "H9", "户主", ethnic, "13800000000"])
    return tmp / name
ws = open_workspace(db)
import_roster(ws, write("a.csv", "汉族"))  # the list's column lands in the person's row
assert ws.one("SELECT ethnic, name FROM persons WHERE pid=?", (pid,)) == {"ethnic": "汉族", "name": "王五"}
people.update_person(ws, pid, {"qq": "10001"}, by="李书记")  # the edit dialog's and the CLI's path
ws.close()
assert cli.main(["person", "--db", str(db), "--id", pid, "--set", "qq=10002", "--by", "李书记"]) == 0
ws = open_workspace(db)
imported = import_roster(ws, write("b.csv", "回族"))  # a later list changes it
assert imported.updated == 1, imported.as_json()
row = ws.one("SELECT ethnic, qq FROM persons WHERE pid=?", (pid,))
assert row == {"ethnic": "回族", "qq": "10002"}, row
lines = [line.text for line in history.history_lines(ws, pid)]
assert "修改：QQ" in lines and "修改：民族（医保局名单）" in lines, lines
assert ("qq", "QQ号") in EDIT_FIELDS and "ethnic" not in dict(EDIT_FIELDS)
assert integrity.check(ws)["ok"]  # the replay folds both fields the same
print("ok")
"""


def test_a_list_field_and_an_edited_field_need_a_record_and_a_migration_only(tmp_path):
    """`ethnic` (民族, from the bureau's list) and `qq` (QQ号, edited by a cadre), each one record in
    core/person_fields.py and one migration: imported, re-imported, edited in core and on the command
    line, named in the history, offered by the edit dialog, folded again by `check`."""
    import subprocess
    import sys

    from tests.fixtures import CHILD_ENCODING

    r = subprocess.run([sys.executable, "-c", ADD_TWO_FIELDS, str(tmp_path / "w.db")], capture_output=True,
                       encoding=CHILD_ENCODING, timeout=180, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]
