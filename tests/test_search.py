"""Search by name, pinyin initials and full pinyin, whole ID or its tail, phone."""

from __future__ import annotations

import pytest
from pypinyin import Style, lazy_pinyin

from canvasser.core.roster import import_roster
from canvasser.core.search import search
from canvasser.core.store import Workspace
from tests.fixtures import TODAY, rows, write_xlsx


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("s")
    people = rows(households=60)
    ws = Workspace(tmp / "s.db")
    import_roster(ws, write_xlsx(tmp / "a.xlsx", people), today=TODAY)
    yield ws, people
    ws.close()


def ids_of(res):
    return {r["id"] for r in res["results"]}


def test_full_id_and_tail(setup):
    ws, people = setup
    p = people[7]
    assert ids_of(search(ws, p["公民身份号码"])) == {p["公民身份号码"]}
    assert p["公民身份号码"] in ids_of(search(ws, p["公民身份号码"][-6:]))
    assert p["公民身份号码"] in ids_of(search(ws, p["公民身份号码"][-4:], limit=500))


def test_name_and_pinyin(setup):
    ws, people = setup
    p = next(x for x in people if len(x["姓名"]) == 3 and all("\u4e00" <= c <= "\u9fa5" for c in x["姓名"]))
    assert p["公民身份号码"] in ids_of(search(ws, p["姓名"]))
    initials = "".join(lazy_pinyin(p["姓名"], style=Style.FIRST_LETTER))
    assert p["公民身份号码"] in ids_of(search(ws, initials, limit=500))
    full = "".join(lazy_pinyin(p["姓名"]))
    assert p["公民身份号码"] in ids_of(search(ws, full.upper()))


def test_phone(setup):
    ws, people = setup
    p = next(x for x in people if x["联系电话"])
    assert p["公民身份号码"] in ids_of(search(ws, p["联系电话"]))


def test_nothing_found(setup):
    ws, _ = setup
    assert search(ws, "不存在的名字")["total"] == 0
