"""Files that are probably the wrong ones are a question, not a silent import: the paid list picked
as a list of the unenrolled; a package signed with a key retired after it was exported is held for
the township, not lost."""

from __future__ import annotations

from tests.fixtures import rows, write_csv
from tests.test_sync_flow import cli, cli_fail, write_paid


def test_the_paid_list_is_not_imported_as_a_list_of_the_unenrolled(tmp_path, capsys):
    people = rows(seed=4, households=5)
    db = tmp_path / "v.db"
    cli(capsys, "import-roster", "--db", db, write_csv(tmp_path / "l.csv", people))
    paid = write_paid(tmp_path / "已缴费.csv", [p["公民身份号码"] for p in people[:3]])
    code, err = cli_fail(capsys, "import-roster", "--db", db, paid)
    assert code == 2 and "已缴费名单" in err and "import-paid" in err and "--not-paid-list" in err
    assert cli(capsys, "import-paid", "--db", db, paid)["matched"] == 3
    assert "imported" in cli(capsys, "import-roster", "--db", db, paid, "--not-paid-list")  # asked, answered
