"""Reading the bureau's spreadsheets as they really come: xlsx/xls/ods via python-calamine, csv in any
of the encodings Chinese offices use, title rows above the header, an instructions sheet first,
merged cells, blank lines and a 合计 line at the bottom.

`open_table` finds the sheet and the header row by matching column names against aliases and
yields data rows with their real sheet row numbers, so every error can point at a row the cadre
can find in Excel.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path

from ..errors import InputError
from ..storage import bounds
from ..storage.failures import NOT_SPREADSHEET
from ..storage.location import utf8_path

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TOTAL_WORDS = ("合计", "总计", "小计", "共计")


@lru_cache(maxsize=4096, typed=True)  # the header scan normalises every alias for each of 40 rows
def norm_header(text: object) -> str:
    t = str(text or "").strip()
    t = t.replace("（", "(").replace("）", ")").replace("：", "").replace(":", "")
    t = re.sub(r"[\s*＊\u3000]+", "", t)
    return t.lower()


def cell_text(value: object) -> str:
    """A cell as the text a person typed (floats that are whole numbers lose their .0)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    path: Path
    sheet: str
    header_row: int  # 1-based sheet row of the header
    headers: list[str]
    mapping: dict[str, int]  # field -> column index
    rows: Iterator[tuple[int, list]] = field(repr=False)  # (sheet row number, raw cells)
    encoding: str = ""
    sheets: list[str] = field(default_factory=list)  # every sheet read, when the data spans several
    current_sheet: str = ""  # the sheet the last row yielded came from
    title: str = ""  # the text above the header (a list's title row: "某某县2026年11月低保对象花名册")

    def column_report(self, aliases: dict[str, tuple[str, ...]]) -> list[dict]:
        """For previews: each header, the field it maps to (or none)."""
        by_col = {c: f for f, c in self.mapping.items()}
        return [{"column": h, "field": by_col.get(i, ""), "index": i} for i, h in enumerate(self.headers)]


@lru_cache(maxsize=4096)
def _strip_notes(key: str) -> str:
    """'身份证号码(必填)' -> '身份证号码': counties add notes in brackets to column names."""
    return re.sub(r"\(.*?\)|【.*?】|\[.*?\]", "", key)


def _match_columns(headers: list, aliases: dict[str, tuple[str, ...]], overrides: dict[str, str]) -> dict[str, int]:
    normed = [norm_header(h) for h in headers]
    mapping: dict[str, int] = {}
    for col_name, fld in overrides.items():
        key = norm_header(col_name)
        if key in normed:
            mapping[fld] = normed.index(key)
    taken = set(mapping.values())
    stripped = [_strip_notes(h) for h in normed]
    for columns, alias_key in ((normed, norm_header), (stripped, lambda n: _strip_notes(norm_header(n)))):
        for fld, names in aliases.items():
            if fld in mapping:
                continue
            for k in (alias_key(n) for n in names):  # in alias order: the usual name first
                hits = [i for i, h in enumerate(columns) if h == k and h and i not in taken]
                if hits:
                    mapping[fld] = hits[0]
                    taken.add(hits[0])
                    break
    return mapping


HEADER_SCAN = 40  # rows looked at for the header


def _find_header(rows: list[list], aliases, overrides, required: tuple[str, ...], scan: int = HEADER_SCAN):
    best = None
    for i, row in enumerate(rows[:scan]):
        mapping = _match_columns(row, aliases, overrides)
        if not all(r in mapping for r in required):
            continue
        score = len(mapping)
        if best is None or score > best[1]:
            best = (i, score, mapping)
    return best


ENCODING_SAMPLE = 1 << 22  # bytes read to tell UTF-8 from GB18030


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(ENCODING_SAMPLE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if len(head) == ENCODING_SAMPLE and exc.start > len(head) - 4:  # a character cut by the sample's end
            return "utf-8"
    return "gb18030"  # a superset of GBK and GB2312


LINE_MAX = 1 << 20  # characters in one line of a csv list (a bounded read: see bounds.py)


def _csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    with open(path, encoding=encoding, errors="strict", newline="") as f:
        lines = [line for line in f.read(65536).splitlines() if line.strip()][:10]
        f.seek(0)
        delimiter = max(",\t;|", key=lambda d: sum(line.count(d) for line in lines)) if lines else ","
        reader = csv.reader(_bounded_lines(f, path), delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as exc:  # a field past csv's own limit (128 KB), an unclosed quote at the end
            raise bounds.TooBig(f"{path.name} 第 {reader.line_num} 行无法读取（单元格过长或引号不成对），"
                                "未导入任何内容。请用 Excel/WPS 打开检查后另存再导入") from exc


def _bounded_lines(f, path: Path) -> Iterator[str]:
    """The file's lines, none longer than LINE_MAX characters (a file of one giant line would
    otherwise be read into memory whole before csv could refuse it)."""
    readline = f.readline
    while True:
        line = readline(LINE_MAX)
        if not line:
            return
        if len(line) == LINE_MAX and line[-1] != "\n":
            raise bounds.TooBig(f"{path.name} 中有一行超过 {LINE_MAX} 个字，不像人员名单，未导入任何内容")
        yield line


@dataclass
class _Sheet:
    """A sheet's rows as the sheet numbers them (row i is sheet row i + 1, column j is column j + 1):
    the first HEADER_SCAN in hand to find the header, the rest read from calamine as asked for."""

    name: str
    head: list[list]
    rest: Iterator[list]

    def rows(self) -> Iterator[list]:
        yield from self.head
        yield from self.rest


def _sheets(path: Path) -> list[_Sheet]:
    """Every sheet that can hold data. calamine parses a sheet whole; its rows become Python lists
    one at a time, as the import asks for them, so a big list is never held twice (once by
    calamine, once as Python objects: at 100,000 rows that second copy was 120 MB)."""
    from python_calamine import CalamineWorkbook

    try:
        with utf8_path(path) as name:  # a Chinese name under a GB18030 locale
            wb = CalamineWorkbook.from_path(name)
    except Exception as exc:  # calamine raises its own error types (in English: a zip's, an OLE file's)
        raise InputError(NOT_SPREADSHEET.format(name=path.name)) from exc
    out = []
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            start = sheet.start
            if start is None:  # an empty sheet
                continue
            rows = _fill_merges(_positioned(sheet.iter_rows(), start[1]),
                                getattr(sheet, "merged_cell_ranges", None) or [])
            head = list(islice(rows, HEADER_SCAN))
        except Exception:  # noqa: BLE001 — a chart sheet or a damaged sheet: skip it, others may hold data
            continue
        out.append(_Sheet(name, head, rows))
    return out


def _positioned(rows: Iterable, first_column: int) -> Iterator[list]:
    """calamine's rows with the columns left of its used range put back. Its row iterator starts
    at the sheet's first row (blank rows above the used range come as blank rows) but at the used
    range's first column (python-calamine 0.9; a test pins this down)."""
    pad = [""] * first_column
    if not pad:  # the usual case: no columns to put back
        yield from (row if type(row) is list else list(row) for row in rows)
        return
    for row in rows:
        yield pad + list(row)


def _fill_merges(rows: Iterator[list], merged: list) -> Iterator[list]:
    """Fill vertical merges (a village or household spanning rows) with their top-left value, as
    the rows go by: Excel keeps the value only in the merge's first cell."""
    starts: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in merged:
        if r1 > r0:
            starts.setdefault(r0, []).append((c0, r1, c1))
    if not starts:  # the usual case: no vertical merges
        yield from rows
        return
    open_merges: list[tuple[int, int, int, object]] = []  # (last row, first column, last column, value)
    for i, row in enumerate(rows):
        for c0, r1, c1 in starts.get(i, ()):
            if c0 < len(row):
                open_merges.append((r1, c0, c1, row[c0]))
        if open_merges:
            open_merges = [m for m in open_merges if m[0] >= i]
            for _, c0, c1, value in open_merges:
                for c in range(c0, min(c1 + 1, len(row))):
                    row[c] = value
        yield row


def open_table(path: str | Path, aliases: dict[str, tuple[str, ...]], *, required: tuple[str, ...],
               overrides: dict[str, str] | None = None) -> Table:
    """Find the data sheet and header row; raise InputError in words a cadre understands."""
    path = Path(path)
    overrides = overrides or {}
    if not path.is_file():
        raise InputError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    kind = bounds.sniff(path)
    if suffix in SPREADSHEET_SUFFIXES and kind == "text":  # a csv renamed .xlsx: read as what it is
        suffix = ".csv"
    elif kind in ("zip", "ole") and suffix not in SPREADSHEET_SUFFIXES:
        suffix = ".xlsx"  # a workbook named .csv
    if suffix in SPREADSHEET_SUFFIXES:
        if kind == "zip":
            bounds.check_workbook(path)
        candidates = []
        for sheet in _sheets(path):
            found = _find_header(sheet.head, aliases, overrides, required)
            if found:
                candidates.append((found[1], sheet, found))
        if not candidates:
            raise InputError(_no_header_message(path, aliases, required))
        _, best, (hi, _, mapping) = max(candidates, key=lambda c: c[0])
        # a township file may hold one sheet per village: read every sheet with the same columns
        same = [c for c in candidates if set(c[2][2]) == set(mapping)]
        table = Table(path, best.name, hi + 1, [cell_text(h) for h in best.head[hi]], mapping, iter(()),
                      sheets=[c[1].name for c in same], title=_title(best.head[:hi]))

        def body() -> Iterator[tuple[int, list]]:
            for _, sheet, (h, _, m) in same:
                table.current_sheet = sheet.name
                order = [m[f] for f in mapping]
                if order == [mapping[f] for f in mapping]:
                    yield from ((i + 1, r) for i, r in enumerate(sheet.rows()) if i > h)
                else:  # same columns in another order: rearrange to the first sheet's layout
                    width = max(mapping.values()) + 1
                    for i, r in enumerate(sheet.rows()):
                        if i > h:
                            out = [""] * width
                            for f, col in m.items():
                                if col < len(r):
                                    out[mapping[f]] = r[col]
                            yield i + 1, out

        table.rows = body()
        return table
    if suffix in (".csv", ".txt", ".tsv"):
        encoding = detect_encoding(path)
        head: list[list[str]] = []
        it = _csv_rows(path, encoding)
        try:
            for row in it:
                head.append(row)
                if len(head) >= 40:
                    break
        except UnicodeDecodeError as exc:
            raise InputError(f"{path.name} 的文字编码无法识别（支持 UTF-8、GBK、GB18030）") from exc
        found = _find_header(head, aliases, overrides, required)
        if not found:
            raise InputError(_no_header_message(path, aliases, required))
        hi, _, mapping = found

        def body() -> Iterator[tuple[int, list]]:
            for i, r in enumerate(head):
                if i > hi:
                    yield i + 1, r
            n = len(head)
            for r in it:
                n += 1
                yield n, r

        return Table(path, "", hi + 1, [cell_text(h) for h in head[hi]], mapping, body(), encoding,
                     title=_title(head[:hi]))
    raise InputError(f"不支持的文件类型 {suffix}：请用 xlsx、xls 或 csv")


def _title(rows: list[list]) -> str:
    return " ".join(t for r in rows for t in (cell_text(c) for c in r) if t)[:200]


def _no_header_message(path: Path, aliases, required) -> str:
    need = "、".join(aliases[r][0] for r in required)
    return (f"在 {path.name} 中找不到表头：需要包含“{need}”等列。"
            f"如列名不同，可用 --map 列名=字段 指定（字段：{'、'.join(aliases)}）")


def is_blank(cells: list) -> bool:
    return all(cell_text(c) == "" for c in cells)


def is_total(cells: list) -> bool:
    first = [cell_text(c) for c in cells[:4]]
    return any(t.replace(" ", "").startswith(TOTAL_WORDS) for t in first if t)


def parse_map(items: list[str] | None, fields: tuple[str, ...]) -> dict[str, str]:
    """`--map 列名=field` overrides; fields may also be given by their Chinese alias."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise InputError(f"--map 的格式应为 列名=字段：{item}")
        col, fld = (s.strip() for s in item.split("=", 1))
        if fld not in fields:
            raise InputError(f"--map 中的字段“{fld}”不存在，可用：{'、'.join(fields)}")
        out[col] = fld
    return out
