"""One record per outcome: everything the app knows about a visit's result, and about the three
statuses no visit gives (not visited yet, the bureau's confirmed payment, off this year's list).

Every rule about an outcome is a field of its record here, and every table the window, the command
line, the reports, the ledgers, the feedback sheet and next year's list use is derived from these
records (`campaign.OUTCOMES`, `visits.FOLLOWUP_WHY`, `ledgers.NEXT_STEPS` … are thin views of
them). Adding an outcome is one record in `RECORDED` and a test. The codes themselves are an
interface (DESIGN §8): they are stored in events, typed on the command line and read by scripts, so
they never change. Code outside this module asks the records (`claims_paid()`, `follow_up()` …) or
names a record (`PROMISED`), never a code's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError

REASON, DATE = "reason", "date"  # what an outcome is recorded with (`Outcome.takes`)
CLAIMED, WITNESSED, CONFIRMED = "claimed", "witnessed", "confirmed"  # `Outcome.paid`
WAIT, ALARM = "wait", "alarm"  # `Outcome.tone`: how the people table marks someone not done


@dataclass(frozen=True)
class Outcome:
    """A visit's outcome (or a status no visit gives) and every rule that follows from it."""

    code: str  # the stored code (an interface: never changes)
    label: str  # the window's and the papers' word for it
    done: bool = False  # counts as done unless the campaign says otherwise (`done_outcomes`)
    never_done: bool = False  # work still to do: no setting may count it as done
    paid: str = ""  # CLAIMED: the person says they paid (the bureau's list confirms later); WITNESSED:
    #                 a cadre saw the payment go through (是 on the feedback sheet); CONFIRMED: the bureau's list
    accepted: bool = False  # an accepted reason not to enrol here (不需参保人员台账)
    away: bool = False  # away from home or reached away (外出务工人员台账)
    takes: str = ""  # REASON: recorded with a refusal reason; DATE: with the date promised
    leaves_list: int = 0  # a reason someone leaves the list: its place among them, 1 the first offered
    #                       (the person dialog, `person --left`); 0: not one
    followup: str = ""  # why another contact is due, on the follow-up list ('' = none is due)
    next_step: str = ""  # what to do next, in the ledgers ({promised}, {reason}); '' = 跟进
    bureau_reason: str = ""  # the district's 未参保原因 on the feedback sheet ('' = none)
    feedback_note: str = ""  # the feedback sheet's 备注 ({promised}, {reason}, {place}, {again}); a
    #                          note naming {reason} or {place} is left out when that is empty
    death: bool = False  # the feedback sheet's 死亡时间 comes from its note (or the visit's day)
    last_year: str = ""  # last year's outcome in this year's table ('' = the label)
    last_year_line: str = ""  # …and on the person's panel ({place}, {via}, {promised_day}); '' = label（reason）
    tone: str = ""  # WAIT or ALARM: marked in the people table while not done
    recorded: bool = True  # a cadre records it at a visit (False: the bureau's payment, the lists' statuses)
    counted: bool = True  # on this year's list (False: outside every count)
    short: str = ""  # the status filter's word, where shorter than the label

    @property
    def claims_paid(self) -> bool:
        """A payment someone reported (to be confirmed by the bureau's list)."""
        return self.paid in (CLAIMED, WITNESSED)

    @property
    def previous(self) -> str:
        """Last year's outcome in a table cell."""
        return self.last_year or self.label


# ---- the statuses no visit gives ----------------------------------------------------------------
NOT_VISITED = Outcome("", "未走访", recorded=False, next_step="入户走访，讲解政策")
OFFICIAL = Outcome("paid_official", "已缴费(医保局确认)", done=True, paid=CONFIRMED, recorded=False,
                   short="医保局确认已缴")
NOT_LISTED = Outcome("not_listed", "不在本年度名单", recorded=False, counted=False)

# ---- the outcomes of a visit, most frequent first (the visit dialog's keys 1–9, 0 in this order) ----
PAID_ON_SITE = Outcome("paid_on_site", "当场协助缴费", done=True, paid=WITNESSED,
                       next_step="等待医保局缴费名单核实")
PAID_SELF = Outcome("paid_self", "已自行缴费(待核实)", done=True, paid=CLAIMED, next_step="等待医保局缴费名单核实")
PROMISED = Outcome("promised", "承诺缴费", never_done=True, takes=DATE, followup="承诺到期未缴",
                   next_step="到期提醒缴费（承诺{promised}）", feedback_note="承诺{promised}前缴费",
                   last_year="承诺未缴", last_year_line="{promised_day}承诺未缴", tone=WAIT)
NOT_HOME = Outcome("not_home", "无人在家", never_done=True, followup="再次上门/联系", next_step="再次上门或电话联系",
                   feedback_note="{again}上门无人在家")
REFUSED = Outcome("refused", "拒绝", never_done=True, takes=REASON, followup="再做工作", next_step="再做工作（{reason}）",
                  bureau_reason="拒参", feedback_note="原因：{reason}", tone=ALARM)
MIGRANT_INFORMED = Outcome("migrant_informed", "外出已告知", away=True, followup="电话/微信跟进",
                           next_step="电话/微信跟进，发送缴费信息", feedback_note="外出务工，已告知缴费方式",
                           last_year_line="外出务工{place}，{via}已告知")
UNREACHABLE = Outcome("unreachable", "联系不上", never_done=True, away=True, followup="再次上门/联系",
                      next_step="通过亲属、邻居或微信联系", bureau_reason="无法联系")
EMPLOYEE_INSURANCE = Outcome("employee_insurance", "已参加职工医保", done=True, accepted=True,
                             bureau_reason="本地职工")
INSURED_ELSEWHERE = Outcome("insured_elsewhere", "外地参保", done=True, accepted=True, away=True,
                            bureau_reason="异地参保", feedback_note="参保地：{place}")
VIA_SCHOOL = Outcome("via_school", "学校代缴", done=True, paid=CLAIMED, next_step="等待医保局缴费名单核实")
DEAD = Outcome("dead", "死亡", done=True, accepted=True, leaves_list=2, bureau_reason="死亡", death=True)
MILITARY = Outcome("military", "服役", done=True, accepted=True, leaves_list=3, bureau_reason="服役")
PRISON = Outcome("prison", "服刑", done=True, accepted=True, leaves_list=4, bureau_reason="服刑")
MOVED_OUT = Outcome("moved_out", "户口迁出", done=True, accepted=True, leaves_list=1, bureau_reason="户口迁出")
DUPLICATE = Outcome("duplicate", "重复参保", done=True, accepted=True, bureau_reason="其他",
                    feedback_note="重复参保")
MISSING = Outcome("missing", "失踪", leaves_list=5, followup="跟进", next_step="核实去向，报乡镇",
                  bureau_reason="失踪")

# the field of a visit (its event's payload, the visits and persons rows) that holds the date a DATE
# outcome is recorded with: named after its outcome, as the stored events and columns have it
DATE_FIELD = PROMISED.code

RECORDED: tuple[Outcome, ...] = (PAID_ON_SITE, PAID_SELF, PROMISED, NOT_HOME, REFUSED, MIGRANT_INFORMED, UNREACHABLE,
                                 EMPLOYEE_INSURANCE, INSURED_ELSEWHERE, VIA_SCHOOL, DEAD, MILITARY, PRISON, MOVED_OUT,
                                 DUPLICATE, MISSING)
STATUSES: tuple[Outcome, ...] = (NOT_VISITED, OFFICIAL, *RECORDED, NOT_LISTED)  # every value of persons.status
BY_CODE: dict[str, Outcome] = {o.code: o for o in STATUSES}

ON_LIST_SQL = f"status != '{NOT_LISTED.code}'"  # SQL on persons: on this year's list (the gone count nowhere)


def of(code: str | None) -> Outcome | None:
    """The record of a status or outcome code (None for a code this version does not know)."""
    return BY_CODE.get(code or "")


def label(code: str | None) -> str:
    """A status's word (an unknown code as it is)."""
    o = BY_CODE.get(code or "")
    return o.label if o is not None else (code or "")


def codes(test) -> tuple[str, ...]:
    """The codes of the recorded outcomes `test(outcome)` holds for, in the records' order."""
    return tuple(o.code for o in RECORDED if test(o))


def claims_paid() -> tuple[str, ...]:
    """Outcomes that report a payment the bureau's list has still to confirm."""
    return codes(lambda o: o.claims_paid)


def witnessed() -> tuple[str, ...]:
    """Outcomes where a cadre saw the payment go through."""
    return codes(lambda o: o.paid == WITNESSED)


def accepted() -> tuple[str, ...]:
    """Accepted reasons not to enrol here (counted as not needed once the campaign counts them done)."""
    return codes(lambda o: o.accepted)


def away() -> tuple[str, ...]:
    return codes(lambda o: o.away)


def takes(what: str) -> tuple[str, ...]:
    """Outcomes recorded with a REASON or a DATE."""
    return codes(lambda o: o.takes == what)


def follow_up() -> dict[str, str]:
    """Outcomes that want another contact, and why (the 待跟进 filter and `followups`)."""
    return {o.code: o.followup for o in RECORDED if o.followup}


def never_done() -> tuple[str, ...]:
    """Outcomes that are work still to do (a refusal, a promise, nobody at home or reached): counted as
    done by a setting, they would leave every follow-up list while the ledgers still call them unfinished."""
    return codes(lambda o: o.never_done)


def leaving() -> tuple[str, ...]:
    """Reasons someone leaves the list, the one offered first first (moving out, not death)."""
    return tuple(o.code for o in sorted((o for o in RECORDED if o.leaves_list), key=lambda o: o.leaves_list))


def done_by_default() -> list[str]:
    return [o.code for o in RECORDED if o.done]


def outcome_code(text: str) -> str:
    """A recorded outcome's code from its code or its Chinese label; raise with the list of valid ones."""
    t = (text or "").strip()
    for o in RECORDED:
        if t in (o.code, o.label, o.label.split("(")[0]):
            return o.code
    valid = "，".join(f"{o.code}({o.label})" for o in RECORDED)
    raise InputError(f"未知的走访结果“{t}”。可用的有：{valid}")


def next_step(code: str, promised: str = "", reason: str = "") -> str:
    """What to do next for someone not yet done (the ledgers' 下一步)."""
    o = BY_CODE.get(code or "")
    text = (o.next_step if o is not None else "") or "跟进"
    return text.format(promised=promised or "日期未填", reason=reason or "原因未填")


def feedback_note(code: str, *, promised: str = "", reason: str = "", place: str = "", visits: int = 0) -> str:
    """The feedback sheet's note for an outcome ('' when it has none or its {reason}/{place} is empty)."""
    o = BY_CODE.get(code or "")
    text = o.feedback_note if o is not None else ""
    if not text or ("{reason}" in text and not reason) or ("{place}" in text and not place):
        return ""
    return text.format(promised=promised, reason=reason, place=place, again="多次" if visits > 1 else "")


def last_year_line(code: str, *, reason: str = "", via: str = "", place: str = "", promised: str = "") -> str:
    """Last year's outcome in words ("外出务工在广东东莞，微信已告知", "11月20日承诺未缴"); '' if none."""
    if not code:
        return ""
    o = BY_CODE.get(code)
    if o is not None and o.last_year_line:
        day = f"{int(promised[5:7])}月{int(promised[8:10])}日" if len(promised) == 10 else ""
        return o.last_year_line.format(place=f"在{place}" if place else "", via=via or "", promised_day=day)
    text = label(code) + (f"（{reason}）" if reason else "")
    return text + (f"，{via}联系" if via and via != "入户" else "")
