"""One clock: every rule that depends on the day asks `core/clock.py`, and a command run can be told
which day it is (`--today`), so the same workspace gives the same answers whatever the computer's date."""

from __future__ import annotations

import datetime as dt
import json

from canvasser import cli
from canvasser.core import clock
from canvasser.core.demo import make_demo
from canvasser.core.rules import campaign, reports, visits
from canvasser.core.storage.opening import open_workspace

DAY = dt.date(2026, 12, 21)  # ten days before the default collection period ends


def test_a_pinned_day_is_today_for_every_rule(tmp_path):
    make_demo(tmp_path / "w.db", households=20, today=DAY)
    clock.pin(DAY)
    assert clock.today() == DAY and clock.now().date() == DAY
    with open_workspace(tmp_path / "w.db") as ws:
        camp = campaign.load(ws)
        assert camp.days_left() == 10
        assert reports.figures(ws)["date"] == DAY.isoformat()
        cond, params = visits.followup_due()
        assert params[-1] == DAY.isoformat()  # follow-ups due by the pinned day
    clock.pin(None)
    assert clock.today() == dt.date.today()  # the computer's date again


def test_the_command_line_takes_the_day_it_is_given(tmp_path, capsys):
    make_demo(tmp_path / "w.db", households=20, today=DAY)
    for day, left in (("2026-12-21", 10), ("2026-12-30", 1), ("2027-10-08", 0)):
        assert cli.main(["report", "--db", str(tmp_path / "w.db"), "--json", "--today", day]) == 0
        out = json.loads(capsys.readouterr().out)
        assert (out["date"], out["days_left"]) == (day, left)
    assert cli.main(["report", "--db", str(tmp_path / "w.db"), "--today", "2026-13-01"]) == 2  # not a day
    assert "--today" in capsys.readouterr().err
