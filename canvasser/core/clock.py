"""The one clock: which day it is, and the time, for every rule that depends on it.

Code that counts or prints by the day (days left, follow-ups due, a report's day, dates on a
notice, a backup's name) takes a `today=` argument and falls back to `today()` here; nothing else in
canvasser reads the system's date. The command line pins the day of a run with `--today`
(`pin`), so a run can be repeated as of any day, and tests give their days instead of reading the
clock (the suite passes on any day: CI runs it under faketime on a day of next year's drive).

The event log's own clock (hybrid logical clock, time-ordered event ids, `recorded_at`) is the
wall clock on purpose and stays in `storage/hlc.py` and `storage/events.py`: it orders events
across laptops and must never be pinned.
"""

from __future__ import annotations

import datetime as dt

_PINNED: list[dt.date] = []  # the day a run was told to take as today (`--today`), if any


def today() -> dt.date:
    """Today: the pinned day, else the computer's date."""
    return _PINNED[-1] if _PINNED else dt.date.today()


def now() -> dt.datetime:
    """This moment, local time to the second (on the pinned day, if one is pinned: same time of day)."""
    moment = dt.datetime.now().replace(microsecond=0)
    return dt.datetime.combine(_PINNED[-1], moment.time()) if _PINNED else moment


def pin(day: dt.date | None) -> None:
    """Take `day` as today from now on in this process (None: the computer's date again)."""
    _PINNED.clear()
    if day is not None:
        _PINNED.append(day)


def day_or_today(day: dt.date | str | None) -> dt.date:
    """A day given as a date or YYYY-MM-DD text, or today when none is given."""
    if day is None or day == "":
        return today()
    if isinstance(day, dt.date):
        return day
    return dt.date.fromisoformat(str(day))
