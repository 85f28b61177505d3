"""Ready-to-send texts (WeChat/SMS) for people who are away: what to pay, by when, how, and whom to call.

A message goes to a phone the cadre does not control, so it carries no ID number and never a
category (低保, 残疾 ...): only names, the amount each owes, the deadline, the payment channels and
link, and the cadre's name and phone.
"""

from __future__ import annotations

import datetime as dt

from .. import clock
from ..errors import InputError
from ..storage.store import Workspace
from ..text import ids
from . import campaign as campaign_mod
from .campaign import STATUS_LABELS
from .visits import resolve_person


def cn_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def contact_for(ws: Workspace, by: str | None, fallback: str = "") -> tuple[str, str]:
    """(name, phone) of the cadre to call: --by (must have a profile), else who last visited, else none."""
    name = (by or "").strip()
    if name:
        row = ws.one("SELECT name, phone FROM canvassers WHERE name=?", (name,))
        if row is None:
            known = "、".join(r["name"] for r in ws.query("SELECT name FROM canvassers WHERE active=1 ORDER BY name"))
            raise InputError(f"没有走访人“{name}”的档案（先用 canvasser 命令登记姓名和电话）。已有：{known or '无'}")
        return row["name"], row["phone"] or ""
    if fallback:
        row = ws.one("SELECT name, phone FROM canvassers WHERE name=?", (fallback,))
        if row and row["phone"]:
            return row["name"], row["phone"]
    return "", ""


def compose(ws: Workspace, raw_id: str, *, household: bool = False, by: str | None = None,
            today: dt.date | None = None) -> dict:
    """The message for one person (or every unpaid member of their household); returns text and facts."""
    pid = resolve_person(ws, raw_id)
    camp = campaign_mod.load(ws)
    person = ws.one("SELECT * FROM persons WHERE pid=?", (pid,))
    if household and person["household"]:
        rows = ws.query("SELECT * FROM persons WHERE household=? AND (active=1 OR pid=?) "
                        "ORDER BY pid<>?, relation<>'户主', birth, pid", (person["household"], pid, pid))
    else:
        rows = [person]
    due = [r for r in rows if not camp.is_done(r["status"])]
    if not due:
        state = STATUS_LABELS.get(person["status"], person["status"])
        who = "这一户的人员都已" if household else f"{person['name']}已"
        raise InputError(f"{who}完成（{state}），不需要发送缴费提醒")
    name, phone = contact_for(ws, by, person["last_visit_by"])
    values = camp.values
    deadline = values["collection_end"]
    today = today or clock.today()
    amounts = [(r["name"], camp.amount_due(r["categories"])) for r in due]
    total = sum(a for _, a in amounts)

    lines = [f"【医保缴费提醒】{person['name']}您好！",
             f"{values['coverage_year']}年度城乡居民医疗保险集中缴费截止到{cn_date(deadline)}"
             + ("，现已过截止日期，请尽快补缴。" if today > camp.deadline else f"，还剩{camp.days_left(today)}天。")]
    if len(amounts) == 1 and amounts[0][0] == person["name"]:
        a = amounts[0][1]
        lines.append(f"您本人应缴 {a} 元。" if a else "您本人个人缴费 0 元，请确认已登记参保。")
    else:
        parts = [f"{n} {a} 元" if a else f"{n} 0 元（需确认已登记）" for n, a in amounts]
        lines.append(f"您家还有 {len(amounts)} 人未缴费：" + "；".join(parts) + f"。合计 {total} 元。")
    channels = campaign_mod.printed_channels(camp)
    if channels:
        lines.append("缴费方式：")
        lines += [f"{i}. {c}" for i, c in enumerate(channels, 1)]
    if values.get("payment_link"):
        lines.append(f"缴费链接：{values['payment_link']}")
    lines.append("缴费时填写参保人本人的姓名和身份证号即可，也可以委托家人代缴。")
    lines.append(f"逾期未缴的，补缴后有{camp.waiting_months(0)}个月以上待遇等待期，等待期内看病不能报销。")
    village = person["village"] or ws.meta("village", "") or ""
    if name:
        lines.append(f"有疑问请联系：{name}" + (f"，电话 {phone}。" if phone else "。"))
    elif values.get("bureau_phone"):
        lines.append(f"咨询电话：{values['bureau_phone']}。")
    lines.append(campaign_mod.issuer_for(camp, village))
    text = "\n".join(lines)
    return {"text": text, "id": ids.mask(pid), "name": person["name"], "people": len(amounts), "amount": total,
            "deadline": deadline, "contact": name, "phone": phone, "household": bool(household)}
