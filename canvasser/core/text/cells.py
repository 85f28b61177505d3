"""Text that crosses into or out of the app: no control or invisible characters, never a formula.

Everything from outside is hostile (a bureau's list, a village's package, a cadre's paste). Two
rules, in one place:
- `clean()`: C0 and C1 control characters (a BEL, ESC or NUL from a copy-paste breaks every xlsx
  openpyxl writes) and invisible characters (zero-width spaces and joiners, word joiner, BOM, soft
  hyphen, bidi marks and overrides: a name holding them cannot be found by the name people see, and
  a bidi override can make text read backwards) are removed. Tabs and line breaks (U+2028 and U+2029
  too) are kept where text may have lines (`keep_lines`), else they become spaces. Events that came
  in a package were written elsewhere, so every export cleans again on the way out (`text_cell`,
  the match report, the people export, the PDFs' text).
- `text_cell()`: a value for a spreadsheet cell that the app writes; text is cleaned, and text that
  a spreadsheet would read as a formula (`=...`) is stored as a string cell, never a formula. Data
  is never a formula: only the app's own validations are.
"""

from __future__ import annotations

import re

_INVISIBLE = "\u2028\u2029\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
_DROP = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_INVISIBLE}]")
_DROP_LINES = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")
_SPACE = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\u2028": " ", "\u2029": " "})
_LINES = str.maketrans({"\u2028": "\n", "\u2029": "\n"})  # Unicode's line and paragraph separators


def clean(text: str, *, keep_lines: bool = False) -> str:
    """`text` without control or invisible characters (see the module's docstring)."""
    if text.isprintable():  # the common case, at C speed (every character above is unprintable)
        return text
    if keep_lines:
        return _DROP.sub("", text.translate(_LINES))
    return _DROP_LINES.sub("", text.translate(_SPACE))


def text_cell(ws, value, *, text: bool = False):
    """`value` for a cell of `ws` (a worksheet, write-only or not): numbers and dates as they are;
    text cleaned, and a string cell (not a formula) when it begins with "=". `text`: always a string
    cell formatted as text (IDs, phones, household codes)."""
    if not isinstance(value, str):
        if not text or value is None:
            return value
        value = str(value)
    value = clean(value, keep_lines=True)
    if not text and value[:1] != "=":
        return value
    from openpyxl.cell import WriteOnlyCell  # here: the PDFs and the window use clean() without openpyxl

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    if text:
        cell.number_format = "@"
    return cell
