"""Other departments' lists: matched against the village with the generator's answer key; name+birth
matches wait for a person; the same list twice changes nothing; effects follow, supersede and withdraw."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import openpyxl
import pytest

from canvasser.core.errors import InputError
from canvasser.core.lists import matching
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs.matchreport import write_report
from canvasser.core.outputs.notices.data import households_due
from canvasser.core.rules import campaign
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage.integrity import check, state_digest
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import Workspace
from canvasser.core.sync.package import village_rows
from tests.deptlists import DeptList, dibao_list, stranger_id
from tests.fixtures import CHILD_ENCODING, rows, write_xlsx

DAY = "2026-11-01"


@pytest.fixture()
def village(tmp_path):
    people = rows(seed=3, households=60)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_xlsx(tmp_path / "list.xlsx", people))
    yield ws, people
    ws.close()


def amounts(ws: Workspace) -> dict[str, int]:
    camp = campaign.load(ws)
    return {m.pid: m.amount for h in households_due(ws, camp) for m in h.members}


def categories(ws: Workspace, pid: str) -> str:
    return ws.scalar("SELECT categories FROM persons WHERE pid=?", (pid,))


def test_counts_equal_the_answer_key(village, tmp_path):
    ws, people = village
    d = dibao_list(people)
    res = matching.match_list(ws, d.write(tmp_path / "民政低保.xlsx"), "低保", date=DAY)
    got = {"matched": len(res.matched), "proposed": len(res.proposed), "only_theirs": len(res.only_theirs),
           "only_ours": len(res.only_ours), "elsewhere": len(res.elsewhere), "rejected": len(res.rejected),
           "duplicates": len(res.duplicates), "likely_missing": sum(r["likely"] == "missing" for r in res.only_theirs)}
    assert got == d.key
    assert {m["pid"] for m in res.matched} == {p["公民身份号码"] for p in d.by_id}
    assert {p["pid"] for p in res.proposed} == {p["公民身份号码"] for p in d.proposed}
    assert {r["pid"] for r in res.only_theirs} == {p["公民身份号码"] for p in d.theirs}
    assert "出生日期" in res.rejected[0]["reason"]
    assert check(ws)["ok"]
    for p in d.by_id:  # the list's category, with its source
        assert "低保" in categories(ws, p["公民身份号码"])
        ev = [e for e in ws.events_for("p:" + p["公民身份号码"]) if e.kind == "ref.matched"]
        assert ev and ev[0].payload["name"] == "民政低保.xlsx" and ev[0].payload["date"] == DAY


def test_name_and_birth_are_never_applied_without_confirmation(village, tmp_path):
    ws, people = village
    d = dibao_list(people)
    res = matching.match_list(ws, d.write(tmp_path / "l.xlsx"), "低保", date=DAY)
    first, second = (p["公民身份号码"] for p in d.proposed[:2])
    assert all(categories(ws, p["公民身份号码"]) == "" for p in d.proposed)
    assert {r["pid"] for r in matching.proposals(ws)} == {p["公民身份号码"] for p in d.proposed}
    before = amounts(ws)
    assert matching.confirm(ws, res.info.id, [first], author="李书记") == 1
    assert matching.reject(ws, res.info.id, [second]) == 1
    assert categories(ws, first) == "低保对象" and categories(ws, second) == ""
    after = amounts(ws)
    assert before[first] == 400 and after[first] == 40 and after[second] == 400
    again = matching.match_list(ws, tmp_path / "l.xlsx", "低保", date=DAY)  # a re-run keeps both words
    assert categories(ws, first) == "低保对象" and categories(ws, second) == ""
    assert len(again.proposed) == len(d.proposed) - 2 and again.events == 0
    assert check(ws)["ok"]


def test_the_same_list_twice_changes_nothing(village, tmp_path):
    ws, people = village
    path = dibao_list(people).write(tmp_path / "l.xlsx")
    first = matching.match_list(ws, path, "低保", date=DAY)
    events, digest = ws.event_count(), state_digest(ws)
    second = matching.match_list(ws, path, "低保", date="2026-12-01")  # the list keeps its first date
    assert second.events == 0 and ws.event_count() == events and state_digest(ws) == digest
    assert first.as_json()["matched"] == second.as_json()["matched"] and second.info.date == DAY


def test_notice_amount_follows_the_list_and_goes_back_when_it_is_withdrawn(village, tmp_path):
    ws, people = village
    d = dibao_list(people)
    pid = d.by_id[0]["公民身份号码"]
    assert amounts(ws)[pid] == 400
    res = matching.match_list(ws, d.write(tmp_path / "l.xlsx"), "低保", date=DAY)
    assert amounts(ws)[pid] == 400 - campaign.load(ws).subsidy_for("低保对象") == 40
    info, n = matching.withdraw(ws, res.info.id)
    assert n == len(d.by_id) + len(d.proposed)
    assert amounts(ws)[pid] == 400 and categories(ws, pid) == ""
    assert matching.proposals(ws) == []
    assert check(ws)["ok"]


def test_notice_pdf_shows_the_subsidised_amount(village, tmp_path):
    from canvasser.core.outputs.notices.notice import build_notices
    from tests.test_printing import pdftext
    ws, people = village
    d = dibao_list(people)
    p = d.by_id[0]
    matching.match_list(ws, d.write(tmp_path / "l.xlsx"), "低保", date=DAY)
    build_notices(ws, tmp_path / "n.pdf", households=[p["公民身份号码"]])
    line = next(x for x in pdftext(tmp_path / "n.pdf", layout=True).splitlines() if p["姓名"] in x and "元" in x)
    assert "40元" in line and "400元" not in line and "低保" not in line


def test_a_later_list_supersedes_the_earlier_one_with_a_diff(village, tmp_path):
    ws, people = village
    plain = [p for p in people if not p["人员类别"]]
    a, b, c = (p["公民身份号码"] for p in plain[:3])
    village_name = people[0]["村（社区）"]

    def listing(path, who):
        d = DeptList()
        for p in who:
            d.add(p["姓名"], p["公民身份号码"], village_name)
        return d.write(path)

    october = matching.match_list(ws, listing(tmp_path / "10月.xlsx", plain[:2]), "低保", date="2026-10-01")
    november = matching.match_list(ws, listing(tmp_path / "11月.xlsx", plain[1:3]), "低保", date="2026-11-01")
    assert [m["pid"] for m in november.added] == [c] and [r["pid"] for r in november.removed] == [a]
    assert november.previous == [october.info.id]
    assert categories(ws, a) == "" and categories(ws, b) == "低保对象" == categories(ws, c)
    matching.withdraw(ws, november.info.id)  # the October list counts again
    assert categories(ws, a) == "低保对象" == categories(ws, b) and categories(ws, c) == ""
    states = {r["list"]: r["state"] for r in matching.marks_of(ws, a)}
    assert states == {october.info.id: "matched", november.info.id: "withdrawn"}
    assert check(ws)["ok"]


def test_a_death_list_confirms_a_visit_or_raises_a_follow_up(village, tmp_path):
    ws, people = village
    x, y = people[10], people[11]
    record_visit(ws, x["公民身份号码"], "dead", by="李书记")
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["2026年10月死亡注销人员名单"])
    sheet.append(["姓名", "身份证号", "死亡日期", "所在村"])
    for p in (x, y):
        sheet.append([p["姓名"], p["公民身份号码"], "2026-10-03", p["村（社区）"]])
    wb.save(tmp_path / "死亡.xlsx")
    res = matching.match_list(ws, tmp_path / "死亡.xlsx", "死亡")
    assert res.info.date == "2026-10-01" and len(res.matched) == 2
    notes = {m["pid"]: m["note"] for m in (matching.marks_of(ws, p["公民身份号码"])[0] for p in (x, y))}
    assert "确认" in notes[x["公民身份号码"]] and "需跟进" in notes[y["公民身份号码"]]
    assert [f["pid"] for f in matching.followups(ws)] == [y["公民身份号码"]]
    record_visit(ws, y["公民身份号码"], "dead", by="李书记")  # the visit now says so: nothing to follow up
    assert matching.followups(ws) == [] and check(ws)["ok"]


def test_students_get_school_and_class_on_the_letter_to_parents(village, tmp_path):
    from canvasser.core.outputs.notices.leaflet import build_leaflet
    from tests.test_printing import pdftext
    ws, people = village
    kid = next(p for p in people if p["人员类别"] == "在校学生")
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["学校名称", "年级班级", "学生姓名", "学籍号", "性别"])
    sheet.append(["某某镇中心小学", "三年级2班", kid["姓名"], "G" + kid["公民身份号码"], "男"])
    wb.save(tmp_path / "学生.xlsx")
    res = matching.match_list(ws, tmp_path / "学生.xlsx", "学生", date=DAY)
    assert len(res.matched) == 1 and matching.schools(ws, [kid["公民身份号码"]]) == {
        kid["公民身份号码"]: ("某某镇中心小学", "三年级2班")}
    build_leaflet(ws, tmp_path / "letter.pdf", template="letter", households=[kid["公民身份号码"]])
    text = pdftext(tmp_path / "letter.pdf")
    assert "三年级2班" in text and kid["姓名"] in text


def test_a_township_matches_a_county_list_once_and_each_village_gets_its_part(tmp_path):
    ws = open_workspace(tmp_path / "t.db")
    a = rows(seed=4, households=30, village="东山村")
    b = rows(seed=5, households=30, village="西河村")
    import_roster(ws, write_xlsx(tmp_path / "t.xlsx", a + b))
    d = DeptList()
    for p in a[:3] + b[:2]:
        d.add(p["姓名"], p["公民身份号码"], p["村（社区）"])
    d.add("外县人", stranger_id(__import__("random").Random(1), dt.date(1980, 1, 1)), "外县某村")
    res = matching.match_list(ws, d.write(tmp_path / "county.xlsx"), "特困", date=DAY)
    assert len(res.matched) == 5 and len(res.elsewhere) == 1
    east = [r for r in village_rows(ws, "东山村") if r[4].startswith("ref.")]
    assert sorted(r[5][2:] for r in east) == sorted(p["公民身份号码"] for p in a[:3])
    assert all(r[9] == "东山村" for r in east)


def test_report_xlsx_has_the_three_parts_as_text_without_formulas(village, tmp_path):
    ws, people = village
    d = dibao_list(people)
    d.add("@SUM(1+1)", stranger_id(__import__("random").Random(2), dt.date(1960, 5, 5)),
          people[0]["村（社区）"])
    res = matching.match_list(ws, d.write(tmp_path / "l.xlsx"), "低保", date=DAY)
    out = write_report(res, tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(out)
    assert {"汇总", "已匹配", "待确认", "仅部门名单有", "仅本方名单有", "名单变化", "未能读取的行"} <= set(wb.sheetnames)
    assert wb["已匹配"].max_row == 1 + len(res.matched)
    theirs = [[c.value for c in r] for r in wb["仅部门名单有"].iter_rows(min_row=2)]
    assert any(str(v).startswith("'@SUM") for r in theirs for v in r)
    assert all(c.data_type != "f" for s in wb for r in s.iter_rows() for c in r)
    ids_cells = [r[2] for r in wb["已匹配"].iter_rows(min_row=2)]
    assert all(isinstance(c.value, str) and len(c.value) == 18 for c in ids_cells)


def test_read_id_reads_certificates_and_student_numbers():
    import random

    from canvasser.core.text import ids
    pid = stranger_id(random.Random(3), dt.date(1990, 2, 3))
    check = ids.quick_checker(dt.date(2026, 11, 1))
    today = dt.date(2026, 11, 1)
    assert matching.read_id(pid + "41", check, today) == (pid, "")  # 残疾人证号: the ID, category 4, grade 1
    assert matching.read_id("G" + pid, check, today) == (pid, "")  # 学籍号
    assert matching.read_id(pid[:6] + pid[8:17], check, today) == (pid, "")  # 15 digits, upgraded
    assert matching.read_id("", check, today) == ("", "没有身份证号")
    assert "数字" in matching.read_id(float(pid[:17] + "0"), check, today)[1]


def test_cli_match_json_and_bad_kind(village, tmp_path):
    ws, people = village
    path = dibao_list(people).write(tmp_path / "l.xlsx")
    db = str(ws.path)
    holders = ws.scalar("SELECT count(*) FROM persons WHERE categories LIKE '%低保%'")
    ws.close()
    cmd = [sys.executable, "-m", "canvasser", "match", "--db", db]
    bad = subprocess.run([*cmd, "--kind", "五保", str(path), "--json"], capture_output=True, encoding=CHILD_ENCODING)
    assert bad.returncode == 2 and "名单种类" in bad.stderr and bad.stdout == ""
    out = subprocess.run([*cmd, "--kind", "低保", str(path), "--date", DAY, "--out", str(tmp_path / "r.xlsx"),
                          "--json"], capture_output=True, encoding=CHILD_ENCODING, check=True)
    data = json.loads(out.stdout)
    assert {"matched", "proposed", "only_theirs", "only_ours", "rejected"} <= set(data)
    assert (tmp_path / "r.xlsx").exists() and not any(c.isdigit() and len(c) == 18 for c in out.stdout.split('"'))
    listed = json.loads(subprocess.run([*cmd, "--lists", "--json"], capture_output=True, encoding=CHILD_ENCODING,
                                       check=True).stdout)["lists"]
    assert listed[0]["list"] == data["list"]["list"] and listed[0]["pending"] == data["proposed"]
    waiting = json.loads(subprocess.run([*cmd, "--proposals", "--json"], capture_output=True, encoding=CHILD_ENCODING,
                                        check=True).stdout)["proposals"]
    ok = json.loads(subprocess.run([*cmd, "--confirm", data["list"]["list"], "--id", waiting[0]["pid"], "--json"],
                                   capture_output=True, encoding=CHILD_ENCODING, check=True).stdout)
    assert ok == {"confirmed": 1}
    none = subprocess.run([*cmd, "--confirm", data["list"]["list"], "--json"], capture_output=True, encoding=CHILD_ENCODING)
    assert none.returncode == 2 and "--id" in none.stderr
    w = json.loads(subprocess.run([*cmd, "--withdraw", data["list"]["list"][:6], "--json"], capture_output=True,
                                  encoding=CHILD_ENCODING, check=True).stdout)
    assert w["withdrawn"] == data["matched"] + data["proposed"]
    with open_workspace(db) as again:
        assert check(again)["ok"]
        assert again.scalar("SELECT count(*) FROM persons WHERE categories LIKE '%低保%'") == holders


def test_kinds_and_their_effects_are_campaign_settings(village, tmp_path):
    ws, people = village
    kinds = dict(campaign.load(ws).values["reference_kinds"])
    kinds["孤儿"] = {"category": "孤儿", "keyword": "孤儿"}
    campaign.update(ws, {"reference_kinds": kinds})
    with pytest.raises(InputError):
        campaign.update(ws, {"reference_kinds": {"低保": {"subsidy": 360}}})
    with pytest.raises(InputError):
        campaign.update(ws, {"reference_kinds": {"死亡": {"outcome": "升天"}}})
    kid = next(p for p in people if not p["人员类别"])
    d = DeptList()
    d.add(kid["姓名"], kid["公民身份号码"], kid["村（社区）"])
    matching.match_list(ws, d.write(tmp_path / "孤儿.xlsx"), "孤儿", date=DAY)
    assert categories(ws, kid["公民身份号码"]) == "孤儿" and amounts(ws).get(kid["公民身份号码"], 0) == 0
    with pytest.raises(InputError):
        matching.match_list(ws, tmp_path / "孤儿.xlsx", "五保", date=DAY)
