"""Search by name, pinyin initials and full pinyin, whole ID or its tail, phone."""

from __future__ import annotations

import pytest
from pypinyin import Style, lazy_pinyin

from canvasser.core.lists.roster import import_roster
from canvasser.core.rules.search import search
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import TODAY, rows, write_xlsx


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("s")
    people = rows(households=60)
    ws = open_workspace(tmp / "s.db")
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


def test_many_matches_list_the_closest_keys_first(setup, monkeypatch):
    """Past FEW matches each branch walks its index only as far as the page needs: the count stays
    exact, every result matches, exact keys come first, nobody twice."""
    from canvasser.core.rules import search as search_module
    ws, people = setup
    monkeypatch.setattr(search_module, "FEW", 3)
    surname = max({p["姓名"][0] for p in people}, key=lambda s: sum(p["姓名"].startswith(s) for p in people))
    res = search(ws, surname, limit=10)
    matching = {p["公民身份号码"] for p in people if p["姓名"].startswith(surname) or p["姓名"].endswith(surname)}
    assert res["total"] == len(matching) > 3
    assert len(res["results"]) == min(10, len(matching)) and ids_of(res) <= matching
    assert len(ids_of(res)) == len(res["results"])
    p = next(x for x in people if len(x["姓名"]) >= 2 and x["姓名"].isalpha())
    initials = "".join(lazy_pinyin(p["姓名"], style=Style.FIRST_LETTER))[:1]
    res = search(ws, initials, limit=5)
    keys = [ws.scalar("SELECT py_initials FROM persons WHERE pid=?", (r["id"],)) for r in res["results"]]
    assert all(k.startswith(initials) for k in keys) and keys == sorted(keys, key=lambda k: (k != initials, k))
    full = "".join(lazy_pinyin(p["姓名"], style=Style.FIRST_LETTER))
    first = search(ws, full, limit=3)["results"][0]
    assert ws.scalar("SELECT py_initials FROM persons WHERE pid=?", (first["id"],)) == full  # exact key first


def test_pinyin_keys_load_without_the_phrase_dictionary():
    """canvasser.core.text.pinyin keeps pypinyin's phrase dictionary out (a third of a second and 44 MB
    at every start; the bundle leaves its file out): the readings are the per-character ones."""
    import subprocess
    import sys

    from tests.fixtures import CHILD_ENCODING
    code = ("import sys; from canvasser.core.text import pinyin; "
            "print(pinyin.keys('张三䶮'), 'pypinyin.phrases_dict' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, encoding=CHILD_ENCODING,
                         check=True).stdout
    assert out.strip() == "('zsy', 'zhangsanyan') False"
