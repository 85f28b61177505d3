"""A person's history in words a cadre reads: the same lines in the window and from `canvasser history`."""

from __future__ import annotations

from dataclasses import dataclass

from .. import outcomes, person_fields
from ..storage.ownership import from_list
from ..storage.projection import CLAIM_KIND
from ..storage.store import Workspace
from .visits import history

KIND_LABELS = {"person.created": "建档", "person.updated": "修改信息", "visit.recorded": "走访",
               "visit.voided": "作废走访", "status.official": "医保局确认缴费", "conflict.resolved": "处理重复建档",
               CLAIM_KIND: "缴费名单（待核实）"}
FIELD_LABELS = {f.name: f.label for f in person_fields.FIELDS}  # (core/person_fields.py)


def yuan(amount) -> str:
    """An amount as a cadre writes it: 400, not 400.0; 382.5 stays."""
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return str(amount)
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")


def describe_event(ev: dict) -> str:
    """One line of history in words a cadre reads (no raw codes)."""
    aside = ev.get("set_aside")
    if aside:  # a list's values a person's edit outranks (core/storage/ownership.py)
        return describe_event({**ev, "set_aside": None}) + "（名单上的" + "、".join(
            dict.fromkeys(FIELD_LABELS.get(k, k) for k in aside)) + "与入户核实的不同，以核实的为准）"
    p = ev["payload"]
    kind = ev["kind"]
    if kind == "visit.recorded":
        parts = [outcomes.label(p.get("outcome", "")), p.get("via", "")]
        if p.get("reason"):
            parts.append(f"原因：{p['reason']}")
        if p.get(outcomes.DATE_FIELD):
            parts.append(f"承诺 {p[outcomes.DATE_FIELD]} 前缴费")
        if p.get("followup"):
            parts.append(f"下次跟进 {p['followup']}")
        if p.get("note"):
            parts.append(f"备注：{p['note']}")
        if p.get("photos"):
            parts.append(f"证明材料 {len(p['photos'])} 份")
        return "，".join(x for x in parts if x)
    if kind == "visit.voided":
        return f"作废一条走访（{p.get('reason', '')}）"
    if kind == "status.official":
        amount = p.get("amount")
        return "医保局确认已缴费" + (f" {yuan(amount)} 元" if amount not in (None, "") else "") + \
            (f"，{p.get('paid_at')}" if p.get("paid_at") else "")
    if kind == CLAIM_KIND:
        label = outcomes.label(p.get("outcome", ""))
        return f"{label}：见于本村导入的缴费名单" + (f"“{p['source']}”" if p.get("source") else "") + \
            (f"（{p.get('paid_at')}）" if p.get("paid_at") else "") + "，待医保局名单确认"
    if kind == "person.created":
        return "建档" + (f"（来源：{'医保局名单' if p.get('source') == 'bureau' else p.get('source')}）" if p.get("source") else "")
    if kind == "person.updated":  # (phone and phones read 电话 once; a list's update says so)
        keys = [FIELD_LABELS.get(k, k) for k in p if k != "source"]
        return "修改：" + "、".join(dict.fromkeys(keys)) + ("（医保局名单）" if from_list(p) else "")
    return KIND_LABELS.get(kind, kind)


@dataclass(frozen=True)
class HistoryLine:
    """One event of a person's history, ready to show: when, what kind, what happened, who."""

    when: str  # "YYYY-MM-DD HH:MM": the visit's own time for a visit, else when it was recorded
    kind: str  # 走访, 修改信息 ...
    text: str
    author: str  # 系统 when none
    voided: bool  # a visit a later void hides (shown struck through, never deleted)

    def __str__(self) -> str:
        return f"{self.when}  {self.kind}  {self.text}{'（已作废）' if self.voided else ''} — {self.author}"


def history_lines(ws: Workspace, pid: str) -> list[HistoryLine]:
    """A person's history, oldest first. A void hides the visit it names: that visit is marked voided."""
    events = history(ws, pid)
    voided = {e["payload"].get("visit") for e in events if e["kind"] == "visit.voided"}
    out = []
    for e in events:
        when = ((e["payload"].get("at") if e["kind"] == "visit.recorded" else "") or e["time"])[:16].replace("T", " ")
        out.append(HistoryLine(when, KIND_LABELS.get(e["kind"], e["kind"]), describe_event(e), e["author"] or "系统",
                               e["event_id"] in voided))
    return out


# ---- last year's outcome, beside this year's (a new year's memory, issue 21) -----------------------
def previous_label(outcome: str) -> str:
    """Last year's outcome in a table cell: a promise that ended unpaid reads as such."""
    o = outcomes.of(outcome)
    return (o.previous if o is not None else outcome) if outcome else ""


def previous_line(row: dict) -> str:
    """Last year's outcome as the table and the detail panel show it, from a persons row, e.g.
    "去年：外出务工在广东东莞，微信已告知" or "去年：11月20日承诺未缴"; '' if there was none."""
    outcome = row.get("prev_outcome") or ""
    if not outcome:
        return ""
    return "去年：" + outcomes.last_year_line(outcome, reason=row.get("prev_reason") or "",
                                            via=row.get("prev_via") or "", place=row.get("away_place") or "",
                                            promised=row.get("prev_promised") or "")
