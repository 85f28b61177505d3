"""A setup package is protected by default: a generated code read to the village by phone; weak
codes are refused; no code only when asked for, with a warning."""

from __future__ import annotations

import re

import pytest

from canvasser.core.errors import InputError
from canvasser.core.sync import codes
from tests.test_sync_flow import cli, cli_fail, township  # noqa: F401  (fixture)


def test_setup_package_is_protected_by_default(tmp_path, capsys, township):  # noqa: F811
    t, people = township
    res = cli(capsys, "setup-package", "--db", t, "--village", "青石社区", "--out", tmp_path / "s.ccpkg")
    assert res["protected"] == "code" and re.fullmatch(r"([2-9A-HJKMNP-Z]{4}-){3}[2-9A-HJKMNP-Z]{4}", res["code"])
    assert res["code"].encode() not in (tmp_path / "s.ccpkg").read_bytes()
    code, err = cli_fail(capsys, "init", "--db", tmp_path / "thief.db", "--from", tmp_path / "s.ccpkg")
    assert code == 2 and "口令" in err and not (tmp_path / "thief.db").exists()
    typed = res["code"].replace("-", " ").lower()  # read over the phone, typed as heard
    assert cli(capsys, "init", "--db", tmp_path / "v.db", "--from", tmp_path / "s.ccpkg", "--code", typed)["people"]


def test_weak_codes_are_refused_and_no_code_is_explicit(tmp_path, capsys, township):  # noqa: F811
    t, _ = township
    for weak in ("123456", "73915824", "abcdefghijk1"[:8]):
        code, err = cli_fail(capsys, "setup-package", "--db", t, "--village", "杨柳村", "--out", tmp_path / "w.ccpkg",
                             "--code", weak)
        assert code == 2 and "口令太简单" in err and not (tmp_path / "w.ccpkg").exists()
    res = cli(capsys, "setup-package", "--db", t, "--village", "杨柳村", "--out", tmp_path / "p.ccpkg", "--no-code")
    assert res["protected"] == "file-key" and "--no-code" in res["warning"] and not res["code"]


@pytest.mark.parametrize("weak", ["aaaaaaaaaaa1", "123456789abc", "qwertyuiop12", "ABAB1212ABAB1212", "123456"])
def test_weak_setup_codes_are_refused(weak):
    with pytest.raises(InputError, match="太简单"):
        codes.check(weak)


def test_strong_codes_pass_and_generated_ones_always_do():
    assert codes.check("QS7K-2M9P-XT4D-8RWA") == "QS7K2M9PXT4D8RWA"
    assert all(codes.check(codes.new_code()) for _ in range(300))
