"""The command line as a user and the acceptance checks use it: --json, exit codes, nothing written on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest

from canvasser.core.text import ids
from tests.fixtures import CHILD_ENCODING, rows, write_xlsx


def cli(*args, expect=0):
    r = subprocess.run([sys.executable, "-m", "canvasser", *map(str, args)], capture_output=True,
                       encoding=CHILD_ENCODING, timeout=300)
    assert r.returncode == expect, r.stderr
    return r


def jcli(*args, expect=0):
    r = cli(*args, "--json", expect=expect)
    return json.loads(r.stdout) if expect == 0 else r


@pytest.fixture(scope="module")
def village(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    people = rows(households=30)
    src = write_xlsx(tmp / "list.xlsx", people)
    db = tmp / "v.db"
    res = jcli("import-roster", "--db", db, src)
    assert res["imported"] == len(people)
    return tmp, db, people


def test_help_lists_every_command():
    out = cli("--help").stdout
    for name in ("demo", "import-roster", "search", "check", "gui", "visit", "import-paid"):
        assert name in out


def test_help_and_argparse_errors_are_all_chinese():
    """argparse's own words (usage, options, its errors) are translated; every argument says what it is."""
    import re

    from canvasser.cli import build_parser

    english = re.compile(r"usage:|options:|show this help|positional arguments|error:|required:|invalid choice")
    for args in (["--help"], ["visit", "--help"], ["notices", "--help"], ["receive", "--help"], ["leaflet", "--help"]):
        out = cli(*args).stdout
        assert "用法：" in out and not english.search(out), out[:300]
    err = cli("visit", "--db", "x.db", expect=2).stderr
    assert "错误：缺少必需的参数" in err and not english.search(err)
    err = cli("no-such-command", expect=2).stderr
    assert "无效的选择" in err and not english.search(err)
    parser = build_parser()
    sub = next(a for a in parser._actions if a.choices)
    silent = [f"{name} {a.option_strings or a.dest}" for name, p in sub.choices.items() for a in p._actions
              if not a.help]
    assert not silent, silent


def test_search_and_check_json(village):
    _, db, people = village
    s = jcli("search", "--db", db, people[0]["公民身份号码"][-6:])
    assert s["total"] >= 1 and {"id", "name", "village", "household", "status"} <= set(s["results"][0])
    c = jcli("check", "--db", db)
    assert c["ok"] and c["events"] >= len(people)


def test_visit_bad_input_exits_2_and_writes_nothing(village):
    _, db, people = village
    pid = people[3]["公民身份号码"]
    before = jcli("check", "--db", db)["events"]
    for bad in (["--outcome", "bogus"], ["--outcome", "promised"], ["--outcome", "promised", "--promised", "20/12/2026"],
                ["--outcome", "dead", "--at", "yesterday"]):
        r = jcli("visit", "--db", db, "--id", pid, *bad, expect=2)
        assert r.stderr.strip() and "\n" not in r.stderr.strip()
    r = jcli("visit", "--db", db, "--id", "110101199003077777", "--outcome", "dead", expect=2)
    r = jcli("visit", "--db", db, "--id", "11010119900307777X", "--outcome", "dead", expect=2)
    assert "bogus" not in r.stderr
    assert jcli("check", "--db", db)["events"] == before
    err = jcli("visit", "--db", db, "--id", pid, "--outcome", "bogus", expect=2).stderr
    assert "paid_on_site" in err and "当场协助缴费" in err


def test_visit_by_code_and_label_moves_status(village):
    _, db, people = village
    a = jcli("visit", "--db", db, "--id", people[5]["公民身份号码"], "--outcome", "当场协助缴费", "--by", "张会计")
    b = jcli("visit", "--db", db, "--id", people[6]["公民身份号码"], "--outcome", "promised", "--promised", "2026-12-20",
             "--by", "张会计")
    assert a["done"] and a["status"] == "paid_on_site"
    assert not b["done"] and b["status"] == "promised"
    prof = jcli("canvasser", "--db", db)
    assert any(c["name"] == "张会计" for c in prof["canvassers"])
    jcli("canvasser", "--db", db, "--add", "钱文书")
    stopped = jcli("canvasser", "--db", db, "--stop", "钱文书")
    assert {c["name"]: c["active"] for c in stopped["canvassers"]}["钱文书"] == 0
    u = jcli("undo", "--db", db, "--by", "张会计")
    assert u["voided"] == b["visit_id"]


def test_paid_list_outranks_claims_and_is_idempotent(village):
    tmp, db, people = village
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["已缴费人员名单"])
    sh.append(["序号", "姓名", "身份证号码", "缴费金额", "缴费时间", "渠道"])
    paid = people[10:15]
    for i, p in enumerate(paid, 1):
        sh.append([i, p["姓名"], p["公民身份号码"], 400, "2026-11-20", "微信"])
    sh.append([6, "某某", "110101199003077777", 400, "2026-11-20", "微信"])
    sh.append([7, "外人", "11010119900307001" + ids.check_digit("11010119900307001"), 400, "2026-11-20", "微信"])
    src = tmp / "paid.xlsx"
    wb.save(src)
    r = jcli("import-paid", "--db", db, src)
    assert r["matched"] == 5 and len(r["unmatched"]) == 2
    jcli("visit", "--db", db, "--id", paid[0]["公民身份号码"], "--outcome", "refused", "--reason", "其他")
    s = jcli("search", "--db", db, paid[0]["公民身份号码"])
    assert s["results"][0]["status"] == "paid_official"
    events = jcli("check", "--db", db)["events"]
    r2 = jcli("import-paid", "--db", db, src)
    assert r2["matched"] == 5 and r2["new"] == 0
    assert jcli("check", "--db", db)["events"] == events


def test_demo_is_deterministic(tmp_path):
    a = jcli("demo", "--db", tmp_path / "a.db", "--seed", "4", "--households", "20")
    b = jcli("demo", "--db", tmp_path / "b.db", "--seed", "4", "--households", "20")
    assert a["imported"] == b["imported"] and a["visits"] == b["visits"]
    sa = jcli("search", "--db", tmp_path / "a.db", "1")
    sb = jcli("search", "--db", tmp_path / "b.db", "1")
    assert [r["id"] for r in sa["results"]] == [r["id"] for r in sb["results"]]
    assert jcli("check", "--db", tmp_path / "a.db")["ok"]


def test_demo_households_are_families_a_cadre_would_recognise():
    """One adult head per household; relations agree with sex and age (no 58-year-old 母亲 who is
    a man, no 5-year-old 户主): a demo that looks wrong undermines the whole demonstration."""
    import datetime as dt
    from collections import defaultdict

    from canvasser.core.demo import people

    today = dt.date(2026, 11, 20)
    households = defaultdict(list)
    for p in people(7, 300, "青石村", "某某镇", today):
        age = (today - dt.date.fromisoformat(p["出生日期"])).days // 365
        households[p["户编号"]].append((p["与户主关系"], p["性别"], age))
    male_relations = {"子": "男", "女": "女", "父亲": "男", "母亲": "女", "孙子": "男", "孙女": "女"}
    for members in households.values():
        heads = [m for m in members if m[0] == "户主"]
        assert len(heads) == 1 and members[0] == heads[0] and heads[0][2] >= 18
        _, head_sex, head_age = heads[0]
        for relation, sex, age in members[1:]:
            if relation == "配偶":
                assert sex != head_sex and age >= 18
            else:
                assert male_relations[relation] == sex
                if relation in ("子", "女"):
                    assert 18 <= head_age - age <= 42
                elif relation in ("孙子", "孙女"):
                    assert head_age - age >= 38
                else:
                    assert age - head_age >= 18


def test_each_command_loads_only_its_own_module():
    """A command's run builds only the parser of the module COMMAND_HOME names, and that module
    registers it (a wrong entry would make the command unknown)."""
    from canvasser.cli import COMMAND_HOME, build_parser

    everything = next(a for a in build_parser()._actions if a.choices).choices
    for command, home in COMMAND_HOME.items():
        sub = next(a for a in build_parser(command)._actions if a.choices).choices
        assert command in sub, (command, home)
        assert set(sub) <= set(everything)
        assert {c for c, h in COMMAND_HOME.items() if h == home} <= set(sub)
    assert "import-roster" in cli("import-roster", "--help").stdout
