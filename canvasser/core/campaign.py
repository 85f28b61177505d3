"""The year's rules: periods, standards, subsidies by category, what counts as done, targets.

Stored as events on the "campaign" entity (last writer wins per key), so the township's changes
reach every village. Every figure here is a local default the user edits: counties differ.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from .errors import InputError
from .store import Workspace

OUTCOMES: dict[str, tuple[str, bool]] = {
    # code: (label, done by default)
    "paid_on_site": ("当场协助缴费", True),
    "paid_self": ("已自行缴费(待核实)", True),
    "promised": ("承诺缴费", False),
    "not_home": ("无人在家", False),
    "unreachable": ("联系不上", False),
    "migrant_informed": ("外出已告知", False),
    "employee_insurance": ("已参加职工医保", True),
    "insured_elsewhere": ("外地参保", True),
    "duplicate": ("重复参保", True),
    "dead": ("死亡", True),
    "military": ("服役", True),
    "prison": ("服刑", True),
    "moved_out": ("户口迁出", True),
    "missing": ("失踪", False),
    "via_school": ("学校代缴", True),
    "refused": ("拒绝", False),
}
STATUS_LABELS = {"paid_official": "已缴费(医保局确认)", "": "未走访", **{k: v[0] for k, v in OUTCOMES.items()}}
CLAIMED_PAID = ("paid_on_site", "paid_self", "via_school")
ACCEPTED_REASONS = ("employee_insurance", "insured_elsewhere", "duplicate", "dead", "military", "prison", "moved_out")
AWAY = ("migrant_informed", "unreachable", "insured_elsewhere")
REFUSAL_REASONS = ("经济困难", "认为用不上", "嫌费用上涨", "已买商业保险", "其他")
CHANNELS = ("入户", "电话", "微信", "短信", "亲属转告", "学校")

SPECIAL_GROUPS = ("特困", "孤儿", "事实无人抚养", "低保", "监测", "脱贫", "重度残疾")

DEFAULTS: dict = {
    "coverage_year": 2027,
    "collection_start": "2026-09-01",
    "collection_end": "2026-12-31",
    "supplementary_end": "2027-02-28",
    "standard": 400,
    "fiscal_subsidy": 724,
    # keyword in the person's category -> subsidy (yuan). Editable local figures, not law.
    "subsidies": {
        "特困": 400, "孤儿": 400, "事实无人抚养": 400, "重点优抚": 400,
        "低保": 360,
        "低保边缘": 280, "监测": 280, "重度残疾": 280, "返贫致贫": 280, "因病致贫": 280,
    },
    "special_groups": list(SPECIAL_GROUPS),
    "done_outcomes": [k for k, (_, d) in OUTCOMES.items() if d],
    "payment_channels": ["微信搜索“城乡居民医保缴费”小程序", "省税务APP", "国家医保服务平台APP", "银行柜台或村委会代收"],
    "payment_link": "https://fuwu.nhsa.gov.cn/nationalHallSt/#/home",
    "targets": {},
    "waiting_fixed_months": 3,
    "waiting_per_year_months": 1,
    "bureau_phone": "",
    "issuer": "村（社区）医保工作组",
    "lock_minutes": 15,  # the window locks itself after this long without use (encryption at rest)
}

LABELS = {
    "coverage_year": "待遇年度", "collection_start": "集中征缴期开始", "collection_end": "集中征缴期截止",
    "supplementary_end": "补缴期截止", "standard": "个人缴费标准（元）", "fiscal_subsidy": "财政补助（元/人）",
    "subsidies": "资助参保标准（关键词→资助金额，本地可改）", "special_groups": "必须100%参保的特殊群体",
    "done_outcomes": "计为完成的走访结果", "payment_channels": "缴费渠道", "payment_link": "缴费二维码链接",
    "targets": "各村任务数", "waiting_fixed_months": "固定待遇等待期（月）",
    "waiting_per_year_months": "每断保一年增加等待期（月）", "bureau_phone": "咨询电话", "issuer": "落款单位",
    "lock_minutes": "无操作自动锁定（分钟）",
}


def outcome_code(text: str) -> str:
    """Accept a code or its Chinese label; raise with the list of valid ones."""
    t = (text or "").strip()
    if t in OUTCOMES:
        return t
    for code, (label, _) in OUTCOMES.items():
        if t == label or t == label.split("(")[0]:
            return code
    valid = "，".join(f"{c}({lab})" for c, (lab, _) in OUTCOMES.items())
    raise InputError(f"未知的走访结果“{t}”。可用的有：{valid}")


@dataclass
class Campaign:
    values: dict

    def __getattr__(self, key: str):
        try:
            return self.values[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    @property
    def done_set(self) -> set[str]:
        return set(self.values["done_outcomes"]) | {"paid_official"}

    def is_done(self, status: str) -> bool:
        return status in self.done_set

    def subsidy_for(self, categories: str) -> int:
        """The most generous subsidy any of the person's categories earns (longest keyword wins per category)."""
        best = 0
        for cat in filter(None, (categories or "").replace("、", ",").split(",")):
            hits = [k for k in self.values["subsidies"] if k in cat]
            if hits:
                best = max(best, int(self.values["subsidies"][max(hits, key=len)]))
        return min(best, int(self.values["standard"]))

    def amount_due(self, categories: str) -> int:
        return max(0, int(self.values["standard"]) - self.subsidy_for(categories))

    def is_special(self, categories: str) -> bool:
        return any(k in (categories or "") for k in self.values["special_groups"])

    def special_group_of(self, categories: str) -> str:
        for k in self.values["special_groups"]:
            if k in (categories or ""):
                return k
        return ""

    @property
    def deadline(self) -> dt.date:
        return dt.date.fromisoformat(self.values["collection_end"])

    def waiting_months(self, years_lapsed: int = 0) -> int:
        return int(self.values["waiting_fixed_months"]) + int(self.values["waiting_per_year_months"]) * max(0, years_lapsed)

    def days_left(self, today: dt.date | None = None) -> int:
        return max(0, (self.deadline - (today or dt.date.today())).days)

    def target_for(self, village: str | None, total: int) -> int:
        targets = self.values.get("targets") or {}
        if village is None:
            return int(sum(targets.values())) if targets else total
        return int(targets.get(village, total))


TEMPLATE_PREFIX = "template:"  # campaign keys holding printed texts the township set (notices.templates)


def load(ws: Workspace) -> Campaign:
    values = json.loads(json.dumps(DEFAULTS))
    for key, value in ws.conn.execute("SELECT key, value FROM campaign WHERE key NOT LIKE ?", (TEMPLATE_PREFIX + "%",)):
        values[key] = json.loads(value)
    return Campaign(values)


def validate(changes: dict) -> dict:
    out = {}
    for key, value in changes.items():
        if key not in DEFAULTS:
            raise InputError(f"未知的设置项“{key}”。可用的有：{'，'.join(DEFAULTS)}")
        if key in ("collection_start", "collection_end", "supplementary_end"):
            try:
                dt.date.fromisoformat(str(value))
            except ValueError as exc:
                raise InputError(f"{LABELS[key]}日期格式应为 YYYY-MM-DD：{value}") from exc
        if key in ("coverage_year", "standard", "fiscal_subsidy", "waiting_fixed_months", "waiting_per_year_months"):
            try:
                value = int(value)
            except (TypeError, ValueError) as exc:
                raise InputError(f"{LABELS[key]}应为整数：{value}") from exc
        if key == "lock_minutes":
            try:
                value = int(value)
            except (TypeError, ValueError) as exc:
                raise InputError(f"{LABELS[key]}应为整数：{value}") from exc
            if not 1 <= value <= 240:
                raise InputError(f"{LABELS[key]}应在 1 到 240 之间：{value}")
        if key == "done_outcomes":
            value = [outcome_code(v) for v in value]
        out[key] = value
    return out


def update(ws: Workspace, changes: dict, author: str = "") -> dict:
    """Change settings (validated); returns what was written."""
    changes = validate(changes)
    current = load(ws).values
    changed = {k: v for k, v in changes.items() if current.get(k) != v}
    if changed:
        ws.emit("campaign.set", "campaign", changed, author)
    return changed
