"""The year's rules: periods, standards, subsidies by category, what counts as done, targets.

Stored as events on the "campaign" entity (last writer wins per key), so the township's changes
reach every village. Who may change which setting is `authority.py`'s rule: the year's rules are
the tier above's, the targets of the tier below its coordinator's; a workspace's own settings
(lock time, silent days) stay in its `meta` and never travel. Every figure here is a local default
the user edits: counties differ.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from .. import authority, clock, outcomes
from ..errors import InputError
from ..storage.layers import campaign_rows
from ..storage.store import Workspace
from ..tiers import Tier
from . import settings

# thin views of the outcome records (core/outcomes.py), kept under the names other modules import
OUTCOMES: dict[str, tuple[str, bool]] = {o.code: (o.label, o.done) for o in outcomes.RECORDED}  # code: (label, done)
STATUS_LABELS = {o.code: o.label for o in outcomes.STATUSES}
CLAIMED_PAID = outcomes.claims_paid()
LIST_CLAIM = outcomes.PAID_SELF.code  # a paid list kept below the top tier claims this (自报待核实), never 医保局确认
ACCEPTED_REASONS = outcomes.accepted()
AWAY = outcomes.away()
REFUSAL_REASONS = ("经济困难", "认为用不上", "嫌费用上涨", "已买商业保险", "其他")
TAKES_REASON = outcomes.takes(outcomes.REASON)  # recorded with a reason (one of REFUSAL_REASONS or 其他：…)
TAKES_DATE = outcomes.takes(outcomes.DATE)  # recorded with the date promised
# work still to do, never "done" whatever a setting says: a refusal, a promise, nobody at home, nobody
# reached (a county may count 失踪 or 外出已告知 as done; those stay choosable)
NEVER_DONE = outcomes.never_done()
CHANNELS = ("入户", "电话", "微信", "短信", "亲属转告", "学校")

SPECIAL_GROUPS = ("特困", "孤儿", "事实无人抚养", "低保", "监测", "脱贫", "重度残疾")

DEFAULTS: dict = {
    "coverage_year": 2027,
    "collection_start": "2026-09-01",
    "collection_end": "2026-12-31",
    "supplementary_end": "2027-02-28",
    "standard": 400,
    "fiscal_subsidy": 0,  # per person, from the county's document; 0 = not set (the leaflet then names no figure)
    # keyword in the person's category -> subsidy (yuan). Editable local figures, not law.
    "subsidies": {
        "特困": 400, "孤儿": 400, "事实无人抚养": 400, "重点优抚": 400,
        "低保": 360,
        "低保边缘": 280, "监测": 280, "重度残疾": 280, "返贫致贫": 280, "因病致贫": 280,
    },
    "special_groups": list(SPECIAL_GROUPS),
    "done_outcomes": outcomes.done_by_default(),
    "payment_channels": ["微信搜索“城乡居民医保缴费”小程序", "省税务APP", "国家医保服务平台APP", "银行柜台"],
    # a village committee collecting money for households (代收) only where the county allows it:
    # without this, no channel that says 代收 is printed or accepted (`printed_channels`)
    "village_collects": False,
    # the county's payment channel: a link printed as a QR, or the payment-code image it hands out
    # (a data: URI, PNG or JPEG), with a caption saying what it is. Neither set: no QR is printed.
    "payment_link": "",
    "payment_image": "",
    "payment_caption": "",
    "targets": {},
    "township_targets": {},  # a county's task number for each township (Tier.COUNTY.target_key)
    # each responsible department (责任部门) and the category keywords of the people it answers for
    # (the county ranks them at the 约谈会); a person in several categories counts for each
    "departments": {"教育": ["在校学生", "学生"], "民政": ["特困", "低保", "孤儿", "事实无人抚养"], "残联": ["重度残疾"],
                    "乡村振兴": ["脱贫", "监测"], "退役军人": ["优抚"]},
    "silent_days": 3,
    "waiting_fixed_months": 3,
    "waiting_per_year_months": 1,
    "bureau_phone": "12393",  # the national medical-insurance hotline
    "issuer": "",  # '' = the village's own committee (see issuer_for)
    # other departments' lists (core/lists/matching.py): kind -> its effect on each person matched.
    # category: added to the person's categories (the subsidy follows); keyword: the text that means
    # the person already has it; typed_category: used with the row's own category text (监测类型);
    # outcome: a visit outcome the list confirms; school: the row's school and class are kept.
    "reference_kinds": {
        "低保": {"category": "低保对象", "keyword": "低保"},
        "特困": {"category": "特困人员", "keyword": "特困"},
        "重度残疾": {"category": "重度残疾人", "keyword": "重度残疾"},
        "脱贫/监测": {"category": "脱贫人口", "keyword": "脱贫", "typed_category": "监测对象（{}）"},
        "学生": {"school": True},
        "新生儿": {"category": "新生儿", "keyword": "新生儿"},
        "死亡": {"outcome": outcomes.DEAD.code},
        "迁出": {"outcome": outcomes.MOVED_OUT.code},
        "服役": {"outcome": outcomes.MILITARY.code},
        "其他": {},
    },
    "lock_minutes": 15,  # the window locks itself after this long without use (encryption at rest)
}

LABELS = {
    "coverage_year": "待遇年度", "collection_start": "集中征缴期开始", "collection_end": "集中征缴期截止",
    "supplementary_end": "补缴期截止", "standard": "个人缴费标准（元）", "fiscal_subsidy": "财政补助（元/人）",
    "subsidies": "资助参保标准（类别关键词→资助金额，按本县文件填写）", "special_groups": "必须100%参保的特殊群体",
    "done_outcomes": "计为完成的走访结果", "payment_channels": "缴费渠道",
    "village_collects": "县医保局允许村（社区）代收保费", "payment_link": "缴费二维码链接",
    "payment_image": "缴费码图片（PNG/JPG）", "payment_caption": "缴费码说明文字",
    "targets": "各村任务数（未填的村以名单人数计）",
    "township_targets": "各乡镇任务数（县设；未填的乡镇以名单人数计）",
    "departments": "责任部门及其负责的人员类别（关键词）",
    "silent_days": "村（乡镇）超过几天未上报数据包即提示",
    "waiting_fixed_months": "固定待遇等待期（月）",
    "waiting_per_year_months": "每断保一年增加等待期（月）", "bureau_phone": "咨询电话", "issuer": "落款单位（空白即本村（社区）村民/居民委员会）",
    "reference_kinds": "部门名单的种类及其作用（类别、走访结果、学校班级）",
    "first_year": "首个年度（未注年度的旧走访记录归入此年）",
    "lock_minutes": "无操作自动锁定（分钟）",
}


outcome_code = outcomes.outcome_code  # a code or its Chinese label -> the code


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
        """The statuses that count as done: the campaign's outcomes and always the bureau's payment."""
        return set(self.values["done_outcomes"]) | {outcomes.OFFICIAL.code}

    def is_done(self, status: str) -> bool:
        return status in self.done_set

    @property
    def not_needed(self) -> list[str]:
        """The done statuses that are neither the bureau's payment nor a claimed one: the 不需参保 part
        of done, one definition for the report (figures.part_of), the ledgers and the feedback sheet."""
        return sorted(self.done_set - {outcomes.OFFICIAL.code} - set(CLAIMED_PAID))

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

    def special_groups_in(self, categories: str) -> list[str]:
        """Every special group the person's categories name (one person may be in several): the
        dashboard, the report and the special-groups ledger count by this one rule."""
        return [k for k in self.values["special_groups"] if k in (categories or "")]

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
        return max(0, (self.deadline - (today or clock.today())).days)


TEMPLATE_PREFIX = "template:"  # campaign keys holding printed texts the township set (notices.templates)


YEAR_KEYS = ("first_year",)  # written by a new year's event (newyear.py), never by `campaign --set`
OWN_PREFIX = "setting:"  # meta: a setting this workspace keeps for itself (authority.Decides.OWN)


def layers(ws: Workspace, township: str | None = None) -> list[str] | None:
    """The campaign layers a workspace reads (projection.campaign_rows): a county its own, or one
    township's view of it (`township`); every other workspace all it holds (its township's)."""
    if township is not None:
        return ["", township]
    return [""] if ws.tier is Tier.COUNTY else None


def load(ws: Workspace, township: str | None = None) -> Campaign:
    """The settings (at a county with `township`: as that township sees them); a stored value of the
    wrong type (an old version's, a package's) falls back to the default, so no setting can make
    printing crash."""
    values = json.loads(json.dumps(DEFAULTS))
    for key, (value, _) in campaign_rows(ws.conn, layers(ws, township)).items():
        if (key not in DEFAULTS and key not in YEAR_KEYS) or key.startswith(TEMPLATE_PREFIX):
            continue
        try:
            values[key] = settings.check(key, json.loads(value), LABELS.get(key, key))
        except (InputError, ValueError):
            pass
    for key in authority.own_keys():  # this workspace's own, over any value an older version shared
        stored = ws.meta(OWN_PREFIX + key)
        if stored is not None:
            try:
                values[key] = settings.check(key, json.loads(stored), LABELS.get(key, key))
            except (InputError, ValueError):
                pass
    return Campaign(values)


COLLECTING = "代收"  # a channel naming this has the village collect households' money


def collects(channel: str) -> bool:
    return COLLECTING in (channel or "")


def printed_channels(camp: Campaign) -> list[str]:
    """The payment channels as printed: the campaign's, without 代收 unless the county allows it."""
    allowed = bool(camp.values.get("village_collects"))
    return [c for c in (camp.values.get("payment_channels") or []) if c and (allowed or not collects(c))]


def validate(changes: dict) -> dict:
    """Each value checked and converted by the type of its setting (InputError names the bad one)."""
    out = {}
    for key, value in changes.items():
        if key not in DEFAULTS:
            raise InputError(f"未知的设置项“{key}”。可用的有：{'，'.join(DEFAULTS)}")
        out[key] = _reference_kinds(value) if key == "reference_kinds" else settings.check(key, value, LABELS[key])
    start = out.get("collection_start")
    end = out.get("collection_end")
    if start and end and start > end:
        raise InputError("集中征缴期开始日期晚于截止日期")
    return out


def issuer_for(camp: Campaign, village: str) -> str:
    """Who signs a notice: the setting, else the village's own committee (青石村村民委员会)."""
    issuer = str(camp.values.get("issuer") or "").strip()
    if issuer and issuer != "村（社区）医保工作组":
        return issuer
    village = (village or "").strip()
    if not village:
        return "村（社区）民委员会"
    return village + ("居民委员会" if village.endswith("社区") else "村民委员会")


_KIND_KEYS = {"category": str, "keyword": str, "typed_category": str, "outcome": str, "school": bool}


def _reference_kinds(value: object) -> dict:
    """A kinds table with only known keys of the right type; outcomes by code or label."""
    if not isinstance(value, dict) or not value:
        raise InputError("部门名单种类应为“种类 → 作用”的表")
    out = {}
    for kind, effect in value.items():
        if not isinstance(effect, dict) or any(k not in _KIND_KEYS or not isinstance(v, _KIND_KEYS[k])
                                               for k, v in effect.items()):
            raise InputError(f"部门名单种类“{kind}”的作用不对，可用：{'、'.join(_KIND_KEYS)}")
        if effect.get("outcome"):
            effect = {**effect, "outcome": outcome_code(effect["outcome"])}
        out[str(kind)] = effect
    return out


def update(ws: Workspace, changes: dict, author: str = "") -> dict:
    """Change settings (validated); returns what was written. A setting the tier above decides is
    refused (InputError) when it would change; this workspace's own settings are kept in its meta."""
    changes = validate(changes)
    current = load(ws).values
    allowed = changes.get("village_collects", current.get("village_collects"))
    chans = changes.get("payment_channels", current.get("payment_channels") or [])
    if not allowed and any(collects(c) for c in chans) and "payment_channels" in changes:
        raise InputError("县医保局未允许村（社区）代收保费，缴费渠道中不能有“代收”。"
                         "如县里已允许，请同时设置 village_collects=1")
    changed = {k: v for k, v in changes.items() if current.get(k) != v}
    authority.refuse(ws, changed, LABELS)
    if "coverage_year" in changed and ws.scalar(
            "SELECT 1 FROM events WHERE kind IN ('visit.recorded', 'status.official') LIMIT 1"):
        raise InputError("已有走访或缴费记录，待遇年度不能在设置里改；新的一年请用“开始新年度”（canvasser new-year）")
    own = {k: v for k, v in changed.items() if k in authority.own_keys()}
    shared = {k: v for k, v in changed.items() if k not in own}
    with ws.transaction():
        for key, value in own.items():
            ws.set_meta(OWN_PREFIX + key, json.dumps(value, ensure_ascii=False))
        if shared:
            ws.emit("campaign.set", "campaign", shared, author)
    return changed


CHANNEL_ASKED = "payment_channel_asked"  # meta: the window asked once for the payment channel


def channel_prompt_due(ws: Workspace) -> bool:
    """True when notices are about to print with no payment link or code set and nobody was asked yet."""
    v = load(ws).values
    return (not (v.get("payment_link") or v.get("payment_image")) and not ws.meta(CHANNEL_ASKED)
            and authority.decides(ws, "payment_link"))  # a village is not asked what the tier above sets


def set_channel(ws: Workspace, *, link: str = "", image: str = "", caption: str = "", author: str = "") -> dict:
    """Store the payment channel the window asked for (validated like `campaign --set`); an empty
    answer only records that the question was asked, so it is not asked again."""
    changes = {k: v for k, v in (("payment_link", link), ("payment_image", image), ("payment_caption", caption)) if v}
    changed = update(ws, changes, author) if changes else {}
    ws.set_meta(CHANNEL_ASKED, "1")
    return changed
