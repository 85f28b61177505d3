"""Backups belong to one workspace: two files both called 村.db keep theirs apart, and a restore
refuses another workspace's backup unless told, saying whose it is."""

from __future__ import annotations

from tests.fixtures import rows, write_csv
from tests.test_sync_flow import cli, cli_fail


def test_two_same_named_workspaces_keep_separate_backups(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "appdata"))
    a, b = tmp_path / "A" / "村.db", tmp_path / "B" / "村.db"
    cli(capsys, "import-roster", "--db", a, write_csv(tmp_path / "a.csv", rows(seed=1, households=4, village="青石村")))
    cli(capsys, "import-roster", "--db", b, write_csv(tmp_path / "b.csv", rows(seed=2, households=6, village="杨柳村")))
    ba = cli(capsys, "backup", "--db", a)
    bb = cli(capsys, "backup", "--db", b)
    assert ba["backup"] != bb["backup"] and ba["workspace_id"] != bb["workspace_id"]
    assert ba["workspace_id"] in ba["backup"] and len(bb["kept"]) == 1
    before = cli(capsys, "search", "--db", a, "青石村")["total"]
    code, err = cli_fail(capsys, "restore", "--db", a, "--from", bb["backup"])
    assert code == 2 and "另一个工作区" in err and "杨柳村" in err and "--other-workspace" in err
    assert cli(capsys, "search", "--db", a, "青石村")["total"] == before
    cli(capsys, "restore", "--db", a, "--from", ba["backup"])  # its own backup: no question
    res = cli(capsys, "restore", "--db", a, "--from", bb["backup"], "--other-workspace")
    assert res["workspace_id"] == bb["workspace_id"]


def test_whose_a_file_is_read_in_a_folder_named_with_hash_and_question_mark(tmp_path):
    """`owner` names the file exactly (a URI of its bytes): a "#" once cut the name short, so SQLite
    answered {} and left an empty file called "村 " beside the folder."""
    from canvasser.core.storage.backup import owner
    from canvasser.core.storage.opening import open_workspace

    path = tmp_path / "村 #1?" / "青石村.db"
    path.parent.mkdir()
    with open_workspace(path) as ws:
        wid = ws.workspace_id
    assert owner(path).get("workspace_id") == wid
    assert sorted(p.name for p in tmp_path.iterdir()) == ["村 #1?"]
    assert owner(tmp_path / "没有.db") == {} and not (tmp_path / "没有.db").exists()
