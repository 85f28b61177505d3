"""The persons row is built in one place and addressed by column name: its columns are the table's."""

from __future__ import annotations

from canvasser.core.storage import projection
from canvasser.core.storage.store import Workspace


def test_the_row_the_fold_builds_has_the_tables_columns_in_order(tmp_path):
    ws = Workspace(tmp_path / "w.db")
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


ADD_A_FIELD = r'''
import importlib.util, sys
from pathlib import Path
import canvasser.core.storage as storage
from canvasser.core.storage import schema
schema.MIGRATIONS.append("ALTER TABLE persons ADD COLUMN wechat TEXT NOT NULL DEFAULT ''")  # 1: its migration
path = Path(storage.__file__).parent / "projection.py"
source = path.read_text(encoding="utf-8")
old = '"active", "left_reason",\n                 "source")'
assert old in source
source = source.replace(old, old[:-1] + ', "wechat")')  # 2: its name, and nothing else
spec = importlib.util.spec_from_loader("canvasser.core.storage.projection", loader=None, origin=str(path))
module = importlib.util.module_from_spec(spec)
module.__file__ = str(path)
sys.modules["canvasser.core.storage.projection"] = module
exec(compile(source, str(path), "exec"), module.__dict__)
storage.projection = module
from canvasser.core.storage import integrity
from canvasser.core.storage.store import Workspace
ws = Workspace(sys.argv[1])
pid = "11010519491231002X"
ws.emit("person.created", "p:" + pid, {"name": "王五", "village": "青石村", "household": "H9", "wechat": "wang5"})
ws.emit("visit.recorded", "p:" + pid, {"outcome": "not_home", "via": "入户", "at": "2026-11-20T09:00:00+08:00"})
ws.emit("person.updated", "p:" + pid, {"wechat": "wang_five"})
row = ws.one("SELECT wechat, name, last_outcome FROM persons WHERE pid=?", (pid,))
assert row == {"wechat": "wang_five", "name": "王五", "last_outcome": "not_home"}, row
assert integrity.check(ws)["ok"]
print("ok")
'''


def test_a_new_field_needs_its_name_and_its_migration_only(tmp_path):
    """Adding `wechat` to PERSON_FIELDS plus a migration: created, updated, folded and checked."""
    import subprocess
    import sys

    from tests.fixtures import CHILD_ENCODING

    r = subprocess.run([sys.executable, "-c", ADD_A_FIELD, str(tmp_path / "w.db")], capture_output=True,
                       encoding=CHILD_ENCODING, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
