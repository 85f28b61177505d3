"""One record per outcome (core/outcomes.py): every place that treats an outcome differently reads it
from the record. One person per outcome is visited, and each record's fields are checked where they
act: the status and its words, done or not and which part of done, the follow-up list, the five
ledgers, the feedback sheet's reason, 是否参保 and 死亡时间, leaving the list, and last year's words next year.
A new record is covered here at once; its own behaviour gets its own test beside it."""

from __future__ import annotations

import openpyxl
import pytest

from canvasser.core import outcomes
from canvasser.core.errors import InputError
from canvasser.core.lists import newyear
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs import ledgers
from canvasser.core.rules import campaign, figures, history, people, visits
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import TODAY, rows, write_xlsx


@pytest.fixture(scope="module")
def visited(tmp_path_factory):
    """A workspace where person i has the i-th outcome (in the records' order)."""
    tmp = tmp_path_factory.mktemp("outcomes")
    listed = rows(households=12)
    ws = open_workspace(tmp / "v.db")
    import_roster(ws, write_xlsx(tmp / "a.xlsx", listed), today=TODAY)
    who = {}
    for o, p in zip(outcomes.RECORDED, listed):
        pid = p["公民身份号码"]
        visits.record_visit(ws, pid, o.code, by="李书记", at="2026-11-18",
                            promised="2026-11-25" if o.takes == outcomes.DATE else None,
                            reason="经济困难" if o.takes == outcomes.REASON else "", place="广东东莞",
                            note="2026年11月3日" if o.death else "")
        who[o.code] = pid
    yield ws, who, tmp
    ws.close()


def _sheet(path, title: str) -> dict[str, dict]:
    """ID → the person's cells in a ledger (both its parts, joined by ID) or the feedback sheet."""
    book = openpyxl.load_workbook(path, read_only=True)
    out: dict[str, dict] = {}
    for name in (title, f"{title}（二）"):
        if name not in book.sheetnames:
            continue
        rows = list(book[name].iter_rows(values_only=True))
        head = next(list(r) for r in rows if "身份证号" in r)  # (below the title line, if any)
        at = head.index("身份证号")
        for r in rows[rows.index(tuple(head)) + 1:]:
            if len(r) > at and r[at]:  # (signature lines below)
                out.setdefault(r[at], {}).update(zip(head, r))
    return out


def test_every_record_is_complete_and_codes_are_unique():
    codes = [o.code for o in outcomes.STATUSES]
    assert len(codes) == len(set(codes)) and "" in codes
    for o in outcomes.RECORDED:
        assert o.label and o.recorded and o.counted
        assert not (o.done and o.followup), f"{o.code}: done yet wants a follow-up"
        assert not (o.accepted and o.claims_paid), f"{o.code}: a reason not to enrol cannot also be a payment"
        assert o.takes in ("", outcomes.REASON, outcomes.DATE)
        assert outcomes.outcome_code(o.label) == o.code == outcomes.outcome_code(o.code)
    with pytest.raises(InputError):
        outcomes.outcome_code("不知道")


def test_the_old_tables_are_views_of_the_records():
    assert campaign.OUTCOMES == {o.code: (o.label, o.done) for o in outcomes.RECORDED}
    assert set(campaign.CLAIMED_PAID) == {o.code for o in outcomes.RECORDED if o.paid}
    assert campaign.TAKES_DATE == (outcomes.PROMISED.code,) and campaign.TAKES_REASON == (outcomes.REFUSED.code,)
    assert visits.FOLLOWUP_WHY == {o.code: o.followup for o in outcomes.RECORDED if o.followup}
    assert set(people.LEFT_REASONS) == {o.code for o in outcomes.RECORDED if o.leaves_list}
    assert ledgers.FEEDBACK_REASONS == {o.code: o.bureau_reason for o in outcomes.RECORDED if o.bureau_reason}


def test_status_words_and_parts_of_done(visited):
    ws, who, _ = visited
    camp = campaign.load(ws)
    for o in outcomes.RECORDED:
        pid = who[o.code]
        assert ws.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == o.code
        assert camp.is_done(o.code) == o.done
        part = figures.part_key(o.code, camp.done_set)
        assert part == ("" if not o.done else "paid_claimed" if o.claims_paid else "accepted"), o.code
        line = history.history_lines(ws, pid)[-1]
        assert line.text.startswith(o.label), (o.code, line.text)
        assert newyear.previous_label(o.code) == o.previous


def test_follow_ups_come_from_the_records(visited):
    ws, who, _ = visited
    due = {r["pid"]: r["why"] for r in visits.followups(ws, TODAY.replace(month=12))}
    for o in outcomes.RECORDED:
        assert due.get(who[o.code], "") == o.followup, o.code


def test_ledgers_and_feedback_sheet_follow_the_records(visited):
    ws, who, tmp = visited
    ledgers.write_ledger(ws, tmp / "l.xlsx")
    unpaid = _sheet(tmp / "l.xlsx", ledgers.SHEET_UNPAID)
    paid = _sheet(tmp / "l.xlsx", ledgers.SHEET_PAID)
    away = _sheet(tmp / "l.xlsx", ledgers.SHEET_AWAY)
    exempt = _sheet(tmp / "l.xlsx", ledgers.SHEET_EXEMPT)
    ledgers.write_feedback(ws, tmp / "f.xlsx")
    feedback = _sheet(tmp / "f.xlsx", "未参保人员反馈表")
    for o in outcomes.RECORDED:
        pid = who[o.code]
        assert (pid in unpaid) == (not o.done), o.code
        assert (pid in paid) == o.claims_paid, o.code
        assert (pid in away) == o.away, o.code
        assert (pid in exempt) == (o.accepted and o.done), o.code
        if pid in unpaid:
            assert unpaid[pid]["下一步"] == outcomes.next_step(o.code, "2026-11-25", "经济困难")
        assert (feedback[pid]["未参保原因"] or "") == o.bureau_reason, o.code
        assert feedback[pid]["是否参保"] == (ledgers.CLAIM if o.claims_paid else "否"), o.code
        assert bool(feedback[pid]["死亡时间"]) == o.death, o.code  # (the date the visit's note gave)


def test_only_the_leaving_outcomes_take_someone_off_the_list(visited):
    ws, who, _ = visited
    for o in outcomes.RECORDED:
        if o.leaves_list:
            people.mark_left(ws, who[o.code], o.code, by="李书记")
            assert ws.scalar("SELECT active FROM persons WHERE pid=?", (who[o.code],)) == 0
        else:
            with pytest.raises(InputError):
                people.mark_left(ws, who[o.code], o.code, by="李书记")
