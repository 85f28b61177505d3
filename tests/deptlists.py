"""Other departments' lists for tests, shaped like real ones, with the answer key the generator knows.

A 民政 roster has its own columns in its own order (低保证号, 户主姓名, 成员姓名, 证件号码, 出生年月, 所属村居 ...),
a title row and a 合计 line; its IDs are typed with spaces, kept as numbers (15-digit ones survive,
18-digit ones lose their tail), given in the old 15-digit form, or missing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from canvasser.core.text.ids import check_digit

MINZHENG = ["序号", "低保证号", "户主姓名", "成员姓名", "与户主关系", "证件号码", "出生年月", "所属村居", "保障人口", "月保障金"]


def stranger_id(rng: random.Random, birth: dt.date, region: str = "510321") -> str:
    body = f"{region}{birth:%Y%m%d}{rng.randrange(900, 999):03d}"
    return body + check_digit(body)


@dataclass
class DeptList:
    rows: list[list] = field(default_factory=list)  # cells in MINZHENG order (序号 filled on writing)
    key: dict = field(default_factory=dict)
    by_id: list[dict] = field(default_factory=list)  # people matched by ID
    proposed: list[dict] = field(default_factory=list)  # people matched by name + birth (no usable ID)
    theirs: list[dict] = field(default_factory=list)

    def add(self, name: str, ident: object, village: str, birth: str = "", head: str = "") -> None:
        self.rows.append([f"DB{len(self.rows) + 1:05d}", head or name, name, "户主" if not head else "子女", ident, birth,
                          village, 1, 420])

    def write(self, path: Path, *, shuffle_seed: int = 1) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "低保对象"
        ws.append(["某某县2026年11月城乡低保对象花名册"])
        ws.append([])
        ws.append(MINZHENG)
        rows = list(self.rows)
        random.Random(shuffle_seed).shuffle(rows)
        for n, r in enumerate(rows, 1):
            ws.append([n, *r])
        ws.append(["合计", f"{len(rows)}人"])
        wb.save(path)
        return path


def dibao_list(people: list[dict], seed: int = 5) -> DeptList:
    """A 低保 roster against `people` (the bureau's rows as tests.fixtures.rows gives them)."""
    rng = random.Random(seed)
    village = people[0]["村（社区）"]
    plain = [p for p in people if not p["人员类别"]]
    already = [p for p in people if "低保" in p["人员类别"]]
    assert len(plain) >= 24 and len(already) >= 2, "the village is too small for this list"
    pick = rng.sample(plain, 24)
    d = DeptList()
    by_text, spaced = pick[:8], pick[8:11]
    old = [p for p in pick[11:17] if p["出生日期"] < "2000"][:3]  # 15-digit IDs, some stored as numbers
    floated = pick[17:19]  # 18-digit IDs Excel kept as numbers: unusable, but name + birth still fit
    no_id = pick[19:22]
    no_id_no_birth = pick[22:23]
    confirmed = already[: len(already) // 2]
    for p in by_text + confirmed:
        d.add(p["姓名"], p["公民身份号码"], village)
    for p in spaced:
        i = p["公民身份号码"].lower()
        d.add(p["姓名"], f"{i[:6]} {i[6:14]} {i[14:]} ", village[:-1] + "村委会")
    for n, p in enumerate(old):
        i = p["公民身份号码"]
        short = i[:6] + i[8:17]
        d.add(p["姓名"], int(short) if n % 2 == 0 else short, village)
    for p in floated:
        d.add(p["姓名"], float(p["公民身份号码"][:17] + "0"), village)
    for p in no_id:
        d.add(p["姓名"], "", village, p["出生日期"][:7] if p is no_id[0] else p["出生日期"])
    for p in no_id_no_birth:
        d.add(p["姓名"], "", village)
    theirs = []
    for k in range(5):  # enrolled already, or missing from the bureau's list
        birth = dt.date(1950 + k * 9, 3, 1 + k)
        theirs.append({"姓名": "外" + "甲乙丙丁戊"[k], "公民身份号码": stranger_id(rng, birth), "出生日期": birth.isoformat()})
    newborn = dt.date(2026, 9, 9)
    theirs.append({"姓名": "新生", "公民身份号码": stranger_id(rng, newborn), "出生日期": newborn.isoformat()})
    for p in theirs:
        d.add(p["姓名"], p["公民身份号码"], village)
    d.add("邻村人", stranger_id(rng, dt.date(1970, 1, 1)), "别处村")  # another village: not ours to count
    d.add(by_text[0]["姓名"], by_text[0]["公民身份号码"], village)  # the same person twice
    d.by_id = by_text + confirmed + spaced + old
    d.proposed = floated + no_id
    d.theirs = theirs
    d.key = {"matched": len(d.by_id), "proposed": len(d.proposed), "only_theirs": len(theirs),
             "only_ours": len(already) - len(confirmed), "elsewhere": 1, "rejected": 1, "duplicates": 1,
             "likely_missing": 1}
    return d
