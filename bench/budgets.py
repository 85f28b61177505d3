"""The budgets (DESIGN §9), in one place: `bench/all.py` judges every row by these, and
`tests/test_bench_budgets.py` checks that docs/DESIGN.md §9 states the same figures.

A budget is a ratio to a floor measured in the same run wherever a floor exists (the machine is
shared and noisy; a ratio travels), else an absolute limit. The absolute limits are for the county
-sized case (a million people, 300,000 events) and are applied as they are at smaller scales.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    key: str
    work: str  # what is measured, in words; {people}, {rows} ... name the scale (`words`), a million by default
    limit: float
    unit: str  # "x" (a ratio to `floor`), "s", "ms" or "MB"
    floor: str = ""  # what the ratio is taken to (or the fixed wait the absolute limit comes on top of)

    def what(self, scale: dict[str, int] | None = None) -> str:
        """The work in words at a scale (the county-sized one, as DESIGN §9 states it, by default)."""
        return self.work.format(**{k: f"{v:,}" for k, v in {**MILLION, **(scale or {})}.items()})

    @property
    def text(self) -> str:
        if self.unit == "x":
            return f"<= {self.limit:g}x {self.floor}"
        extra = f" + {self.floor}" if self.floor else ""
        return f"<= {self.limit:g} {self.unit}{extra}"

    @property
    def doc(self) -> str:
        """As docs/DESIGN.md §9 writes it."""
        if self.unit == "x":
            return f"≤ {self.limit:g} × {self.floor}"
        return "≤" + self.text[2:]


MILLION = {"people": 1_000_000, "rows": 100_000, "list": 100_000, "events": 300_000, "visits": 10_000,
           "county_events": 3_000_000}  # the scale the budgets are stated at
ENCRYPTED = 1.15  # an encrypted workspace against a plain one, same work, same run

BUDGETS: dict[str, Budget] = {b.key: b for b in (
    Budget("import_xlsx", "import a {rows}-row xlsx", 3.5, "x", "python-calamine's read of the file"),
    Budget("import_csv", "import a {people}-row csv", 3.0, "x", "the write floor (SQLCipher writing the same rows and indexes)"),
    Budget("import_csv_s", "import a {people}-row csv: its time", 60, "s"),
    Budget("import_csv_mb", "import a {people}-row csv: peak memory of all its processes", 500, "MB"),
    Budget("search_p95", "search over {people} persons, p95", 50, "ms"),
    Budget("window_first_rows", "window on {people} persons: first rows shown", 2, "s"),
    Budget("window_keystroke", "window: a search keystroke until the table is painted", 100, "ms", "the debounce"),
    Budget("window_mb", "window on {people} persons: peak memory", 500, "MB"),
    Budget("notices", "notices for 1,000 households", 5, "s"),
    Budget("notices_mb", "notices for 1,000 households: PDF size", 3, "MB"),
    Budget("merge", "township merge of 30 village packages, {events} events", 20, "s"),
    Budget("merge_again", "township merge: the same packages again (no change)", 5, "s"),
    Budget("atrest_import", "encrypted list import (every process)", ENCRYPTED, "x", "the same on a plain workspace"),
    Budget("atrest_search", "encrypted search p95", ENCRYPTED, "x", "the same on a plain workspace"),
    Budget("atrest_first_rows", "encrypted window's first rows", ENCRYPTED, "x", "the same on a plain workspace"),
    Budget("atrest_merge", "encrypted township merge", ENCRYPTED, "x", "the same on a plain workspace"),
    Budget("match", "match a {list}-row department list against {people} persons", 2, "x", "the lists' reader reading it"),
    Budget("new_year", "start the next year of a {people}-person workspace", 2, "x", "a fresh import of the new list"),
    Budget("report", "daily report over {people} persons after {visits} visits", 2, "s"),
    Budget("bomb_xlsx", "a 1 GB xlsx bomb refused", 10, "s"),
    Budget("bomb_xlsx_mb", "a 1 GB xlsx bomb refused: peak memory", 500, "MB"),
    Budget("bomb_package", "a 3 GB package bomb refused", 10, "s"),
    Budget("bomb_package_mb", "a 3 GB package bomb refused: peak memory", 500, "MB"),
    Budget("county_merge", "county merge of 20 township packages, {county_events} events", 60, "s"),
    Budget("county_again", "county merge: the same packages again", 5, "s"),
    Budget("county_report", "county report", 2, "s"),
)}
