"""Before a campaign year's first print: the amounts that will be printed, shown once for confirmation.

A wrong standard or subsidy on six hundred notices is six hundred notices to throw away, or worse,
handed out. So the first print of a coverage year (notices, leaflets, letters, visit sheets) first
shows what the papers will say: the standard, the fiscal subsidy, each subsidised group and what
it pays, the deadline and supplementary period, the waiting period, the hotline, the payment
channels and whether a payment code is printed. Whoever prints confirms once; the answer is kept in
this workspace per coverage year with a digest of what was shown, so a later change to any of
those figures (a township's new settings arriving) asks again.
"""

from __future__ import annotations

import hashlib
import json

from ...rules.campaign import Campaign, printed_channels
from ...rules.campaign import load as load_campaign
from ...storage.store import Workspace, now_iso
from .layout import cn_date
from .qr import Channel

META = "print.confirmed"  # meta: {coverage year: {"digest", "by", "at"}}


def lines(camp: Campaign) -> list[tuple[str, str]]:
    """(label, value) of everything printed that is a figure or a way to pay."""
    v = camp.values
    standard = int(v["standard"])
    out = [("待遇年度", f"{v['coverage_year']}年度（{int(v['coverage_year']) - 1}年征缴）"),
           ("个人缴费标准", f"{standard}元/人"),
           ("财政补助", f"{v['fiscal_subsidy']}元/人" if v.get("fiscal_subsidy") else "未设置（明白纸不写补助金额）")]
    by_amount: dict[int, list[str]] = {}
    for key, amount in (v.get("subsidies") or {}).items():
        by_amount.setdefault(min(int(amount), standard), []).append(key)
    for amount in sorted(by_amount, reverse=True):
        pays = standard - amount
        out.append(("资助参保：" + "、".join(by_amount[amount]),
                    f"资助{amount}元，个人缴{pays}元" if pays else f"资助{amount}元，个人不缴费"))
    out += [("集中征缴期", f"{cn_date(str(v['collection_start']))}至{cn_date(str(v['collection_end']))}"),
            ("补缴期截止", cn_date(str(v.get("supplementary_end") or "")) or "无"),
            ("待遇等待期", f"固定{v['waiting_fixed_months']}个月，每多断保1年加{v['waiting_per_year_months']}个月"),
            ("咨询电话", str(v.get("bureau_phone") or "") or "12393"),
            ("缴费渠道", "；".join(printed_channels(camp)) or "（未设置）")]
    code = Channel.of(camp)
    out.append(("缴费码", {"image": "印县医保局提供的缴费码图片", "link": "印缴费链接的二维码"}.get(code.kind, "不印缴费码")
                + (f"（{code.caption}）" if code.present and code.caption else "")))
    return out


def digest(shown: list[tuple[str, str]]) -> str:
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _confirmed(ws: Workspace) -> dict:
    try:
        value = json.loads(ws.meta(META) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def due(ws: Workspace, camp: Campaign | None = None) -> bool:
    """True until someone confirmed this year's amounts as they stand now."""
    camp = camp or load_campaign(ws)
    entry = _confirmed(ws).get(str(camp.values["coverage_year"])) or {}
    return entry.get("digest") != digest(lines(camp))


def confirm(ws: Workspace, camp: Campaign | None = None, *, by: str = "") -> dict:
    """Record that the amounts shown were checked (this workspace, this coverage year)."""
    camp = camp or load_campaign(ws)
    done = _confirmed(ws)
    entry = {"digest": digest(lines(camp)), "by": by, "at": now_iso()}
    done[str(camp.values["coverage_year"])] = entry
    ws.set_meta(META, json.dumps(done, ensure_ascii=False, sort_keys=True))
    return entry


def text(camp: Campaign) -> str:
    """The amounts as lines a terminal or a dialog shows."""
    return "\n".join(f"{label}：{value}" for label, value in lines(camp))


def facts(ws: Workspace, canvasser: str = "") -> dict:
    """What a print needs settled first (the window asks, the CLI warns): the contact phone it
    would carry and where from, whether this year's amounts await confirmation, and those amounts."""
    from .data import contact

    camp = load_campaign(ws)
    village = ws.meta("village", "") or ""
    who = contact(ws, canvasser, village)
    return {"village": village, "phone": who.phone, "phone_source": who.source, "due": due(ws, camp),
            "lines": lines(camp), "year": camp.values["coverage_year"]}
