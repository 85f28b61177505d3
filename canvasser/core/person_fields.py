"""One table of a person's fields: where each value comes from, who may change it, its words, the
bureau's column headers that carry it and its column in the ledgers.

The fold and its persons row (`projection.PERSON_FIELDS`, `field_columns`, the rows a list import
writes), the list import (`roster.ALIASES`, what a re-import compares, `listrows` parsing a chunk),
who owns a field when a list and a cadre disagree (`ownership.GROUND_FIELDS`), what a cadre may edit
(`people.EDITABLE`, the person dialog, `person --set`), the history's words and the ledgers' person
columns are all read from here. Adding a field is one `Field` below and a migration adding its
column (`tests/test_person_row.py` does both for a field the list carries and one a cadre edits).
"""

from __future__ import annotations

from dataclasses import dataclass

# where a field's value comes from, and who wins when a list and a person disagree (ownership.py)
LIST = "list"  # the bureau's list brings it and is its authority (a cadre's correction is last writer wins)
BOTH = "both"  # the list brings it, but what was learned at the door wins over any later list
GROUND = "ground"  # learned at the door only: no list carries it
APP = "app"  # set by the app's own operations (leaving the list, where the person came from)

EDIT, MOVE = "edit", "move"  # `Field.editable`: in the person dialog; changed by moving to another household

# how the list import reads a field from its cell (lists/listrows.py)
TEXT, NAME, ID, PHONE, PHONES, CATEGORIES = "text", "name", "id", "phone", "phones", "categories"


@dataclass(frozen=True)
class Ledger:
    """A person's column in the ledgers (台账): its place among the person columns, header, width."""

    order: int
    header: str
    width: float
    text: bool = False  # IDs, household codes, phones: stored and formatted as text


@dataclass(frozen=True)
class Field:
    name: str  # the persons column and the events' payload key
    label: str  # the history's word for it (修改：电话)
    source: str  # LIST, BOTH, GROUND or APP
    editable: str = ""  # EDIT: a cadre edits it (person dialog, `person --set`); MOVE: it moves with the household
    edit_label: str = ""  # the person dialog's label, where it says more than `label`
    edit_at: int = 99  # its place in the person dialog (the most used first)
    aliases: tuple[str, ...] = ()  # the bureau's column headers that carry it (the list import finds them)
    parse: str = TEXT  # how the list import reads its cell (NAME, ID: from the ID number, PHONE, CATEGORIES, TEXT)
    kind: str = "text"  # "text" ('' by default), "list" (comma-separated; a list in a payload is joined), "flag" (1 by default)
    fallback: str = ""  # the field whose value it takes while it has none
    ledger: Ledger | None = None  # its column among the ledgers' person columns

    @property
    def listed(self) -> bool:
        """The list import writes it (from its own column, or from another's: all phones from the phone cell)."""
        return self.source in (LIST, BOTH)


FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", LIST, EDIT, edit_at=1, aliases=("姓名", "参保人姓名", "人员姓名", "参保人", "名字"), parse=NAME,
          ledger=Ledger(5, "姓名", 9)),
    Field("sex", "性别", LIST, aliases=("性别",), parse=ID, ledger=Ledger(7, "性别", 5)),
    Field("birth", "出生日期", LIST, aliases=("出生日期", "出生年月", "出生年月日"), parse=ID),
    Field("township", "乡镇", LIST, aliases=("乡镇（街道）", "乡镇", "所属乡镇", "镇（街）", "乡镇街道", "街道", "乡（镇）",
                                          "乡镇(街道)名称")),
    Field("village", "村", LIST, MOVE, aliases=("村（社区）", "村", "所在村", "村（居）", "社区", "村居", "村社区", "行政村",
                                              "村（社区）名称"), ledger=Ledger(1, "村（社区）", 11)),
    Field("grp", "组", LIST, EDIT, edit_at=5, aliases=("村民小组", "组", "组别", "网格", "小组", "村组", "所在组"),
          ledger=Ledger(2, "组", 7)),
    Field("household", "户", LIST, MOVE, aliases=("户编号", "户号", "家庭编号", "户籍编号"),
          ledger=Ledger(3, "户编号", 17, True)),
    Field("relation", "关系", LIST, EDIT, "与户主关系", edit_at=6, aliases=("与户主关系", "关系", "与户主的关系"),
          ledger=Ledger(4, "与户主关系", 8)),
    Field("address", "地址", BOTH, EDIT, edit_at=4, aliases=("户籍地址", "家庭住址", "地址", "住址", "居住地址", "户籍所在地", "家庭地址")),
    Field("phone", "电话", BOTH, EDIT, "主要电话", edit_at=2, aliases=("联系电话", "手机号", "手机号码", "电话", "联系方式", "电话号码"),
          parse=PHONE, ledger=Ledger(8, "联系电话", 13, True)),
    Field("phones", "电话", BOTH, EDIT, "全部电话（逗号分隔）", edit_at=3, parse=PHONES, kind="list", fallback="phone"),
    Field("categories", "类别", LIST, EDIT, "人员类别（逗号分隔）", edit_at=7,
          aliases=("人员类别", "身份类别", "人员属性", "医疗救助身份", "资助参保身份", "特殊人员身份", "救助身份", "参保身份",
                   "人员身份", "资助类别"), parse=CATEGORIES, kind="list"),
    Field("last_year", "上年参保状态", LIST, aliases=("上年参保状态", "上年度参保状态", "上年参保情况", "参保状态")),
    Field("note", "备注", GROUND, EDIT, edit_at=9),
    Field("away_place", "外出地", GROUND, EDIT, edit_at=8),
    Field("active", "在册", APP, kind="flag"),
    Field("left_reason", "离开原因", APP),
    Field("source", "来源", APP),
)
ID_LEDGER = Ledger(6, "身份证号", 20, True)  # the ID number's column among them (the pid: no field, the key)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)  # the persons row's field columns, in this order
LISTED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.listed)  # what a list import writes
FROM_COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.aliases)  # …from a column of its own
GROUND_OWNED: frozenset[str] = frozenset(f.name for f in FIELDS if f.source in (BOTH, GROUND))
EDITABLE: tuple[str, ...] = tuple(f.name for f in FIELDS if f.editable)


def label(name: str) -> str:
    """A field's word ('' names: the name itself)."""
    f = BY_NAME.get(name)
    return f.label if f is not None else name


def ledger_columns() -> list[tuple[str, Ledger]]:
    """(field name or "pid", column) of the ledgers' person columns, in their order."""
    cols = [(f.name, f.ledger) for f in FIELDS if f.ledger is not None] + [("pid", ID_LEDGER)]
    return sorted(cols, key=lambda c: c[1].order)
