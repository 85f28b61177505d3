"""Starting next year's drive from this year's, in the same workspace (docs/DESIGN.md §11.6).

One transaction: a `campaign.year_started` event moves the coverage year on (every person's
status starts afresh, last year's outcome goes beside it), the bureau's new list is imported
against what the workspace holds (new / again), and everyone the new list leaves out is marked off
this year's list (gone: status `not_listed`, outside every count). Phones, WeChat, places, notes,
households and the visits with their evidence stay where they are: nothing is copied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import authority, outcomes
from ..errors import InputError
from ..rules import campaign as campaign_mod
from ..rules import history
from ..rules.campaign import LABELS
from ..storage.projection import GONE_PREFIX, years
from ..storage.store import Workspace
from .roster import ImportResult, import_roster

DATE_KEYS = ("collection_start", "collection_end", "supplementary_end")  # move on by a year
YEAR_KIND = "campaign.year_started"


def _next_year_date(text: str) -> str:
    day = dt.date.fromisoformat(text)
    try:
        return day.replace(year=day.year + 1).isoformat()
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28).isoformat()


def proposed_settings(ws: Workspace, changes: dict | None = None) -> dict:
    """Next year's settings: this year's with the coverage year and the dates one year on, then
    `changes` (the standards the user confirms or corrects), validated."""
    values = campaign_mod.load(ws).values
    out = {"coverage_year": int(values["coverage_year"]) + 1}
    out.update({k: _next_year_date(values[k]) for k in DATE_KEYS})
    extra = campaign_mod.validate(dict(changes or {}))
    if "coverage_year" in extra and extra["coverage_year"] != out["coverage_year"]:
        raise InputError(f"新年度只能是下一年（{out['coverage_year']}年度）")
    out.update(extra)
    return out


def settings_diff(ws: Workspace, proposed: dict) -> list[dict]:
    """What changes from last year (the screen and the CLI show it for confirmation): every rolled
    key, and the standards to check even when unchanged."""
    values = campaign_mod.load(ws).values
    keys = [*proposed, *(k for k in ("standard", "fiscal_subsidy", "subsidies") if k not in proposed)]
    return [{"key": k, "label": LABELS.get(k, k), "last_year": values.get(k), "this_year": proposed.get(k, values.get(k)),
             "changed": k in proposed and proposed[k] != values.get(k)} for k in keys]


@dataclass
class NewYearResult:
    year: int
    previous_year: int
    again: int = 0
    new: int = 0
    gone: int = 0
    relisted: int = 0
    gone_implied: dict[str, int] = field(default_factory=dict)
    settings: list[dict] = field(default_factory=list)
    imported: ImportResult | None = None

    def as_json(self) -> dict:
        imp = self.imported.as_json() if self.imported else {}
        return {"year": self.year, "previous_year": self.previous_year, "again": self.again, "new": self.new,
                "gone": self.gone, "relisted": self.relisted, "gone_implied": self.gone_implied,
                "settings": self.settings, "rejected": imp.get("rejected", []),
                "duplicates": imp.get("duplicates", []), "rejects_file": imp.get("rejects_file", ""),
                "rows": imp.get("rows", 0), "updated": imp.get("updated", 0)}


previous_label, previous_line = history.previous_label, history.previous_line  # (rules/history.py)


def implied(prev_outcome: str) -> str:
    """What leaving the bureau's list most likely means, from last year's outcome."""
    o = outcomes.of(prev_outcome)
    if o is not None and (o is outcomes.OFFICIAL or o.claims_paid):
        return "已缴费"
    if o is not None and o.accepted:
        return o.label
    return "已参保或已离开"


def start_year(ws: Workspace, path: str | Path, *, changes: dict | None = None, author: str = "",
               overrides: dict[str, str] | None = None,
               progress: Callable[[int, str], bool] | None = None, today: dt.date | None = None,
               year: int | None = None) -> NewYearResult:
    """Start the next coverage year with the bureau's new list (all or nothing).

    `year` may name the current year when it was already started elsewhere (the township's or a
    village's year event arrived by package): then only the list is taken in, against last year's."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"找不到名单文件：{path}")
    current, first = years(ws.conn)
    if year is not None and year == current and first < current:
        if changes:
            raise InputError(f"{current}年度已经开始，设置请在“征缴设置”里改")
        proposed = None
        res = NewYearResult(year=current, previous_year=current - 1)
    elif year is not None and year != current + 1:
        raise InputError(f"新年度应为 {current + 1} 年度" + (f"（或已开始的 {current} 年度）" if first < current else ""))
    else:
        refuse_start(ws)
        proposed = proposed_settings(ws, changes)
        res = NewYearResult(year=proposed["coverage_year"], previous_year=current,
                            settings=settings_diff(ws, proposed))
    with ws.transaction():
        if proposed is not None:
            begin(ws, proposed, author)
        before = ws.scalar("SELECT count(*) FROM persons")
        imported = import_roster(ws, path, overrides=overrides, author=author,
                                 progress=progress, today=today, keep_missing=True)
        res.imported = imported
        res.new = imported.imported
        res.again = imported.updated + imported.unchanged
        if before and not res.again:
            raise InputError("新名单与本工作区的名单没有一个人相同，请确认是不是本村（镇）的名单")
        marked = GONE_PREFIX + str(res.year)
        with ws.writing(author) as batch:
            for pid in imported.missing_pids:
                batch.emit("person.updated", f"p:{pid}", {"active": 0, "left_reason": marked})
            for pid in _relisted(ws, imported):
                batch.emit("person.updated", f"p:{pid}", {"active": 1, "left_reason": ""})
                res.relisted += 1
        res.gone = len(imported.missing_pids)
        res.gone_implied = _implied_counts(ws, marked)
    return res


def started_above(ws: Workspace) -> int | None:
    """The coverage year the tier above started and this workspace only takes its own list for
    (`start_year(..., year=)`), or None when this workspace may start years itself or none came."""
    if authority.decides(ws, authority.NEW_YEAR):
        return None
    current, first = years(ws.conn)
    return current if first < current else None


def refuse_start(ws: Workspace) -> None:
    """A new year starts at the top and flows down: below it, starting one is refused (InputError)."""
    if authority.decides(ws, authority.NEW_YEAR):
        return
    above = authority.above(ws)
    current = years(ws.conn)[0]
    raise InputError(f"新年度由{above.label}开始，{ws.tier.label}工作区不能自己开始新年度：{above.label}开始后，"
                     f"数据包会把新年度带来，再用 canvasser new-year --year 新年度 --list 新名单 导入本{ws.tier.label}的名单"
                     f"（现在是 {current} 年度）")


def begin(ws: Workspace, proposed: dict, author: str = "") -> None:
    """The year event alone (`proposed_settings`' result): every status starts afresh. A new year
    without a list (the township's, before the bureau's arrives) is this; the list follows later
    as a re-import."""
    refuse_start(ws)
    with ws.writing(author) as batch:
        batch.emit(YEAR_KIND, "campaign", {**proposed, "first_year": years(ws.conn)[1]})


def _relisted(ws: Workspace, imported: ImportResult) -> list[str]:
    """People off an earlier year's list whom this year's list names again."""
    gone = [r[0] for r in ws.conn.execute(f"SELECT pid FROM persons WHERE NOT {outcomes.ON_LIST_SQL}")]
    return [pid for pid in gone if pid in imported.seen]


def _implied_counts(ws: Workspace, marked: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for prev, n in ws.conn.execute(f"SELECT prev_outcome, count(*) FROM persons WHERE NOT {outcomes.ON_LIST_SQL} "
                                   "AND left_reason = ? GROUP BY prev_outcome", (marked,)):
        key = implied(prev)
        counts[key] = counts.get(key, 0) + n
    return dict(sorted(counts.items()))
