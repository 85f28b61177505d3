"""Turning the rows of a bureau list into people, a chunk of rows at a time, column by column.

A township's list has a million rows, nearly all clean. Working on a chunk's columns (one list per
field, transposed by `zip`) lets the interpreter run tight comprehensions instead of a function with
a dict per row (with the leaner inserts, a million-row list took a quarter less time). A row that
is not plainly clean (an ID to clean or reject, no name, a blank or total line, a repeated header)
goes through `parse_row`, which explains every problem in words; its result takes the row's place
in the columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import compress

from .. import person_fields
from ..rules.people import household_key
from ..text import ids
from ..text.cells import clean
from ..text.names import fold, fold_all
from .tables import cell_text, is_total, norm_header

# a person's fields as an import reads them (the listed ones of core/person_fields.py, with the ID, the
# household head's name and the list's 序号), in the order People keeps its columns
PERSON_COLUMNS = ("pid", *person_fields.LISTED, "head", "serial")
_TEXT_FIELDS = (*(f.name for f in person_fields.FIELDS if f.listed and f.parse == person_fields.TEXT), "head", "serial")


class People:
    """A chunk's accepted people: one list per field of PERSON_COLUMNS, aligned with `rows` (the
    sheet row numbers)."""

    __slots__ = ("cols", "rows")

    def __init__(self, cols: dict[str, list], rows: list[int]):
        self.cols = cols
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, field: str) -> list:
        return self.cols[field]

    def take(self, keep: list[bool]) -> People:
        """The people whose `keep` flag is set, in order."""
        if all(keep):
            return self
        return People({f: list(compress(c, keep)) for f, c in self.cols.items()}, list(compress(self.rows, keep)))

    def dicts(self) -> Iterator[dict]:
        names = tuple(self.cols)
        for values in zip(*self.cols.values()):
            yield dict(zip(names, values))


def _phone(raw: str) -> str:
    digits = "".join(ch for ch in raw if ch.isdigit() or ch in "-,/，、 ")
    parts = [p.strip("- ") for p in digits.replace("，", ",").replace("、", ",").replace("/", ",").split(",")]
    return ",".join(p for p in parts if p)


@lru_cache(maxsize=4096)
def _categories(raw: str) -> str:
    parts = [p.strip() for p in raw.replace("、", ",").replace("，", ",").replace(";", ",").replace("；", ",").split(",")]
    return ",".join(p for p in parts if p and p not in ("无", "/", "-", "普通居民"))


def parse_row(cells: list, texts: list[str], mapping: dict[str, int], today: dt.date) -> tuple[dict | None, str]:
    """A row's person fields, or (None, reason). `texts` are the cells as text."""
    n = len(texts)

    def get(f: str) -> str:
        i = mapping.get(f)
        return texts[i] if i is not None and i < n else ""

    raw_id = cells[mapping["pid"]] if mapping["pid"] < len(cells) else ""
    name = fold(get("name").replace(" ", "").replace("\u3000", ""))
    try:
        info = ids.info(raw_id, today=today)
    except ids.IdError as exc:
        if not name:
            return None, f"缺少姓名；{exc}"
        return None, str(exc)
    if not name:
        return None, "缺少姓名"
    p = {"name": name, "sex": info.sex, "birth": info.birth.isoformat(), "pid": info.number}
    for f in _TEXT_FIELDS:
        p[f] = get(f)
    phones = _phone(get("phone")) if get("phone") else ""
    p["phone"] = phones.split(",")[0]
    p["phones"] = phones
    cats = get("categories")
    p["categories"] = _categories(cats) if cats else ""
    return p, ""


class ChunkParser:
    """Parses chunks of (sheet row number, cells) for one list: its column mapping, its day."""

    def __init__(self, mapping: dict[str, int], today: dt.date, pid_headers: frozenset[str]):
        self.mapping = mapping
        self.today = today
        self.width = max(mapping.values()) + 1
        self.check = ids.quick_checker(today)
        self.pid_headers = pid_headers

    def parse(self, chunk: list[tuple[int, list]]) -> tuple[People, list[tuple[int, list, str]]]:
        """The chunk's people, and its rejected rows as (row number, cells, reason). Blank lines,
        total lines and repeated headers are neither."""
        m, width, n = self.mapping, self.width, len(chunk)
        cells = [c if len(c) >= width else [*c, *[""] * (width - len(c))] for _, c in chunk]
        cols = list(zip(*cells)) if cells else [()] * width
        born = list(map(self.check, cols[m["pid"]]))
        raw_names = cols[m["name"]]
        if _clean_text(raw_names) and " " not in (joined := "".join(raw_names)) and "\u3000" not in joined:
            names = fold_all(list(map(str.strip, raw_names)))
        else:
            names = fold_all([clean(v).replace(" ", "").replace("\u3000", "").strip() if type(v) is str else ""
                              for v in raw_names])
        out: dict[str, list] = {"pid": list(cols[m["pid"]]), "name": names,
                                "sex": [b[1] if b else "" for b in born], "birth": [b[0] if b else "" for b in born]}
        for f in _TEXT_FIELDS:
            out[f] = _texts(cols[m[f]]) if f in m else [""] * n
        phones = [p if p.isdigit() else _phone(p) if p else "" for p in _texts(cols[m["phone"]])] \
            if "phone" in m else [""] * n
        out["phone"] = [p.split(",", 1)[0] if "," in p else p for p in phones]
        out["phones"] = phones
        out["categories"] = [_categories(c) if c else "" for c in _texts(cols[m["categories"]])] \
            if "categories" in m else [""] * n
        people = People({f: out[f] for f in PERSON_COLUMNS}, [r for r, _ in chunk])
        rejected: list[tuple[int, list, str]] = []
        keep = [b is not None and bool(name) for b, name in zip(born, names)]
        if all(keep):
            return people, rejected
        for i in (i for i, ok in enumerate(keep) if not ok):
            rownum, raw = chunk[i]
            p, why = self._slow(raw)
            if p is None:
                if why:
                    rejected.append((rownum, raw, why))
                continue
            for f in PERSON_COLUMNS:
                people.cols[f][i] = p[f]
            keep[i] = True
        return people.take(keep), rejected

    def _slow(self, cells: list) -> tuple[dict | None, str]:
        """A row the column pass did not accept: (person, "") or (None, reason), or (None, "") for a
        line that is not a person at all (blank, total, a header repeated on a later page)."""
        texts = [clean(cell_text(c)) for c in cells]
        if not any(texts) or is_total(cells):
            return None, ""
        pid_i = self.mapping["pid"]
        head = cells[pid_i] if pid_i < len(cells) else ""
        if isinstance(head, str) and head and not head[0].isdigit() and norm_header(head) in self.pid_headers:
            return None, ""
        return parse_row(cells, texts, self.mapping, self.today)


def _texts(values: Iterable) -> list[str]:
    """Cells as the text a person typed (csv cells are text already; xlsx ones may be numbers)."""
    values = values if isinstance(values, (list, tuple)) else list(values)
    if _clean_text(values):
        return list(map(str.strip, values))
    return [clean(v).strip() if type(v) is str else cell_text(v) for v in values]  # no control characters


def _clean_text(values: list | tuple) -> bool:
    """Whether a column is all text with nothing `clean` would take out, checked at C speed (join
    takes only text; every character clean drops is unprintable)."""
    try:
        return "".join(values).isprintable()
    except TypeError:  # a number, a date or an empty cell among them
        return False


def fill_households(people: People) -> None:
    """Give people without a 户编号 the household of their head and address within the village."""
    cols = people.cols
    households = cols["household"]
    if all(households):
        return
    for i, hid in enumerate(households):
        if not hid:
            relation, name = cols["relation"][i], cols["name"][i]
            head = cols["head"][i] or (name if relation in ("户主", "本人") else "")
            households[i] = household_key(cols["village"][i], head or name, cols["address"][i])
