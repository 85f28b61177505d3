"""A realistic synthetic village for demos, screenshots and benchmarks. Deterministic for a seed.

Every name, ID number and phone is invented; IDs satisfy the GB 11643 checksum. Names include rare
characters (and one from CJK Extension A) so font coverage is exercised.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
import zlib
from pathlib import Path

from . import clock
from . import outcomes as O
from .lists.roster import import_roster
from .rules import campaign as campaign_mod
from .rules.visits import ensure_canvasser, record_visit
from .storage.opening import open_workspace
from .storage.store import Workspace
from .text.ids import check_digit

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
            "傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国文红梅志云飞鹏辉林波宇浩然子轩欣怡梓涵"
         "雨萱诗琪俊思远晓东春花秋菊冬德福永康世昌正淑珍桂芬海燕金凤国强秀英")
RARE = "喆堃珺昇龑䶮赟燚犇垚淼鑫焱昊旻玥嫚"
GROUPS = [f"{n}组" for n in "一二三四五六七八"]
CATEGORIES = ["", "", "", "", "", "", "", "", "特困人员", "低保对象", "防止返贫监测对象", "脱贫人口", "重度残疾人",
              "孤儿", "外出务工", "灵活就业"]
CANVASSERS = [("李书记", "13908150001"), ("王主任", "13908150002"), ("张网格员", "13908150003")]


def _id(rng: random.Random, birth: dt.date, male: bool) -> str:
    seq = rng.randrange(0, 100) * 10 + rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
    body = f"510321{birth:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def _household(rng: random.Random, size: int) -> list[tuple[str, int, bool]]:
    """(relation, age, male) for each member, the head first: a family a cadre would recognise
    (an adult head, a spouse of the other sex and near their age, children 20 to 40 years
    younger, grandchildren of an older head, parents of a younger one)."""
    head_age = rng.choice([rng.randint(28, 44), rng.randint(45, 69), rng.randint(45, 69), rng.randint(70, 88)])
    head_male = rng.random() < 0.78
    members = [("户主", head_age, head_male)]
    if size > 1 and rng.random() < 0.8:
        members.append(("配偶", max(20, head_age + rng.randint(-3, 5) * (-1 if head_male else 1)), not head_male))
    parents = {"父亲": True, "母亲": False}
    while len(members) < size:
        roles = ["child"] * 3 + ["grandchild"] * 2 * (head_age >= 50) + ["parent"] * (head_age <= 58 and bool(parents))
        role = rng.choice(roles)
        if role == "parent":
            relation = rng.choice(sorted(parents))
            members.append((relation, min(96, head_age + rng.randint(22, 32)), parents.pop(relation)))
            continue
        male = rng.random() < 0.5
        if role == "child":
            age = rng.randint(max(0, head_age - 40), head_age - 20)
            members.append(("子" if male else "女", age, male))
        else:
            age = rng.randint(0, min(24, head_age - 44))
            members.append(("孙子" if male else "孙女", age, male))
    return members


def people(seed: int, households: int, village: str, township: str, today: dt.date) -> list[dict]:
    rng = random.Random(seed)
    rows, taken = [], set()
    village_code = zlib.crc32(village.encode()) % 10000  # household numbers are unique county-wide
    for h in range(households):
        surname = rng.choice(SURNAMES)
        group = rng.choice(GROUPS)
        addr = f"某某县{township}{village}{group}{rng.randint(1, 150)}号"
        head_male = True
        for relation, age, male in _household(rng, rng.choice([1, 2, 2, 3, 3, 4, 5])):
            birth = min(dt.date(today.year - age, 1, 1) + dt.timedelta(days=rng.randint(0, 364)),
                        today - dt.timedelta(days=30))
            pool = RARE if rng.random() < 0.04 else GIVEN
            if relation == "户主":
                head_male = male
            # wives keep their own surname; children mostly take the father's
            kin = relation in ("户主", "子", "女", "孙子", "孙女") and (head_male or rng.random() < 0.6) \
                or relation == "父亲" and head_male
            name = (surname if kin else rng.choice(SURNAMES)) + \
                "".join(rng.choice(pool) for _ in range(rng.choice([1, 2, 2])))
            cat = rng.choice(CATEGORIES)
            if cat == "孤儿" and age >= 18 or cat in ("外出务工", "灵活就业") and not 18 <= age <= 60:
                cat = ""
            if 6 <= age <= 22 and rng.random() < 0.5:
                cat = "在校学生"
            pid = _id(rng, birth, male)
            while pid in taken:
                pid = _id(rng, birth, male)
            taken.add(pid)
            phone = "" if age < 16 or rng.random() < 0.15 else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            rows.append({"姓名": name, "公民身份号码": pid, "性别": "男" if male else "女", "出生日期": birth.isoformat(),
                         "人员类别": cat, "乡镇（街道）": township, "村（社区）": village, "村民小组": group,
                         "户编号": f"510321{village_code:04d}{h:05d}", "与户主关系": relation,
                         "户籍地址": addr, "联系电话": phone, "上年参保状态": rng.choice(["已参保", "已参保", "未参保"])})
    return rows


def make_demo(path: str | Path, seed: int = 1, households: int = 160, *, village: str = "青石村",
              township: str = "某某镇", visits: bool = True, today: dt.date | None = None) -> dict:
    """Create (or extend) a demo workspace; returns the import summary plus the visits recorded."""
    today = today or clock.today()
    ws = open_workspace(path, plain=True)  # made-up people: the demo stays a plain file
    try:
        rows = people(seed, households, village, township, today)
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "demo.csv"
            with open(src, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.DictWriter(f, ["序号", *rows[0].keys()])
                w.writeheader()
                for i, r in enumerate(rows, 1):
                    w.writerow({"序号": i, **r})
            res = import_roster(ws, src, today=today, all_villages=True)  # a demo may add a village
        if not ws.meta("village"):
            ws.set_meta("village", village)
        ws.set_meta("demo", "1")
        campaign_mod.update(ws, {"targets": {village: int(len(rows) * 0.95)}})
        for name, phone in CANVASSERS:
            ensure_canvasser(ws, name, phone)
        recorded = _demo_visits(ws, rows, random.Random(seed + 1), today) if visits else 0
        out = res.as_json()
        out["visits"] = recorded
        return out
    finally:
        ws.close()


_WORKING_AGE = (O.EMPLOYEE_INSURANCE, O.MILITARY, O.MIGRANT_INFORMED, O.INSURED_ELSEWHERE)
_BY_PHONE = (O.MIGRANT_INFORMED, O.UNREACHABLE)
_ANY_AGE = (O.PAID_ON_SITE, O.PAID_SELF, O.PROMISED, O.NOT_HOME)
_PLAN = ([O.PAID_ON_SITE] * 6 + [O.PAID_SELF] * 3 + [O.PROMISED] * 3 + [O.NOT_HOME] * 3 + [O.REFUSED] * 2
         + [O.MIGRANT_INFORMED] * 2 + [O.EMPLOYEE_INSURANCE, O.INSURED_ELSEWHERE, O.DEAD, O.MILITARY, O.UNREACHABLE])


def _demo_visits(ws: Workspace, rows: list[dict], rng: random.Random, today: dt.date) -> int:
    n = 0
    now = clock.now()
    latest = now - dt.timedelta(minutes=10) if today == now.date() else dt.datetime.combine(today, dt.time(19))
    for r in rows:
        if rng.random() > 0.45:
            continue
        outcome = rng.choice(_PLAN)
        age = (today - dt.date.fromisoformat(r["出生日期"])).days // 365
        if outcome in _WORKING_AGE and not 18 <= age <= 60 or outcome is O.DEAD and age < 60:
            outcome = rng.choice(_ANY_AGE)  # no soldiers of five, no employee insurance at eighty
        who = rng.choice(campaign_mod_canvassers())
        days_ago = rng.randint(0, 20)
        at = min(dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(9)) +
                 dt.timedelta(minutes=rng.randint(0, 600)), latest).isoformat()
        promised = (today + dt.timedelta(days=rng.randint(-5, 20))).isoformat() if outcome.takes == O.DATE else None
        reason = rng.choice(campaign_mod.REFUSAL_REASONS) if outcome.takes == O.REASON else ""
        followup = (today + dt.timedelta(days=rng.randint(-2, 3))).isoformat() if outcome is O.NOT_HOME else None
        via = "电话" if outcome in _BY_PHONE else rng.choice(["入户", "入户", "微信"])
        record_visit(ws, r["公民身份号码"], outcome.code, by=who, via=via, at=at, promised=promised, reason=reason,
                     followup=followup, today=today)
        n += 1
    return n


def campaign_mod_canvassers() -> list[str]:
    return [c[0] for c in CANVASSERS]
