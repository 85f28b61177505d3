"""Names made from data become files Windows takes: a village called CON, a list kind with a "?", a
name ending in a dot; evidence photos from a package are only ever the names the app makes."""

from __future__ import annotations

import datetime as dt
import hashlib
from types import SimpleNamespace

import pytest

from canvasser import paths
from canvasser.core.rules.visits import is_photo_name
from canvasser.core.storage import backup, files
from canvasser.core.sync import photos, report_name, return_name, setup_name
from canvasser.core.sync.container import PackageError

DAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(("data", "name"), [
    ("青石村", "青石村"),
    ("CON", "_CON"), ("nul", "_nul"), ("COM1.备份", "_COM1.备份"), ("LPT9 ", "_LPT9"), ("CONSOLE", "CONSOLE"),
    ("光明村?", "光明村_"), ("一组/二组", "一组_二组"), ('A:B*C"D<E>F|G\\H', "A_B_C_D_E_F_G_H"),
    ("青石村.", "青石村"), (" 青石村 . ", "青石村"), ("回车\r\n换行\t", "回车__换行_"), ("..", "未命名"),
    ("", "未命名"), ("...", "未命名"), ("???", "___"),
])
def test_a_name_from_data_is_one_windows_takes(data, name):
    assert files.safe_name(data) == name


def test_a_long_name_is_cut_and_still_ends_well():
    name = files.safe_name("长" * 79 + ". 后面")
    assert len(name) <= files.NAME_MAX and not name.endswith((".", " ")) and name == "长" * 79


def test_package_names_from_village_names():
    assert return_name("CON", DAY) == "_CON_回传_2026-11-20.ccpkg"
    assert report_name("光明村?", DAY) == "光明村__上报_2026-11-20.ccpkg"
    assert setup_name("青石村.") == "青石村_配置包.ccpkg"
    assert setup_name("") == "村_配置包.ccpkg"


def test_package_files_named_from_awkward_villages_are_written_and_found(tmp_path):
    for village in ("CON", "光明村?", "青石村.", "a/b"):
        path = tmp_path / return_name(village, DAY)
        path.write_bytes(b"x")
        assert path.parent == tmp_path and path.read_bytes() == b"x"
    assert len(list(tmp_path.iterdir())) == 4


def test_backups_and_exports_of_an_awkward_workspace_stay_in_their_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "数据"))
    monkeypatch.setattr(backup, "owner", lambda path, key=None: {"workspace_id": "../../CON"})
    folder = backup.workspace_backups(tmp_path / "x.db")
    assert folder.parent == tmp_path / "数据" / "backups" and folder.name == ".._.._CON"
    assert backup.backup_dir(tmp_path / "x.db").parent == folder
    assert paths.exports_dir(tmp_path / "青石村..db") == tmp_path / "数据" / "导出" / "青石村"


def test_only_the_apps_own_photo_names_are_taken():
    data = b"\xff\xd8 a photo"
    good = hashlib.sha256(data).hexdigest() + ".jpg"
    assert is_photo_name(good)
    visit = SimpleNamespace(kind="visit.recorded", payload={"photos": [good]})  # the visit naming it
    photos.check({good: data}, [visit])
    for bad in ("../" + good, good + ":stream", good + ".", good.upper(), good[:-4] + ".exe",
                good[:-4] + ".JPG", "CON.jpg", good.replace(".jpg", "/x.jpg")):
        assert not is_photo_name(bad), bad
        with pytest.raises(PackageError):
            photos.check({bad: data})
