"""The dashboard tab: progress by group and by special group, the daily trend, visits per canvasser.

Figures come from core's `reports` (figures, trend, by_canvasser), computed on the worker so a
large workspace never freezes the window; this module only lays them out and draws them.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core import reports
from ..core.dashboard import year_on_year_lines
from ..core.store import Workspace
from .charts import BLUE, GREEN, Bar, ColumnChart, LineChart, ProgressBars
from .worker import Job

TREND_DAYS = 14
CANVASSER_DAYS = 7


def collect(ws: Workspace, today: dt.date | None = None) -> dict:
    """Everything the dashboard draws, in one job (runs on the worker)."""
    today = today or dt.date.today()
    figs = reports.figures(ws, today)
    per: dict[str, list[int]] = {}
    for i in range(CANVASSER_DAYS):
        for name, v in reports.by_canvasser(ws, today - dt.timedelta(days=i)).items():
            acc = per.setdefault(name, [0, 0])
            acc[0] += v["visits"]
            acc[1] += v["done_outcomes"]
    return {"figures": figs, "trend": reports.trend(ws, TREND_DAYS, today), "canvassers": per,
            "year_on_year": year_on_year_lines(reports.year_on_year(ws, today))}


class _Figure(QFrame):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("_Figure, QFrame { background: white; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        t = QLabel(title)
        t.setStyleSheet("color: #666;")
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size: 22px; font-weight: bold;")
        lay.addWidget(t)
        lay.addWidget(self.value)


class Dashboard(QWidget):
    def __init__(self, ws: Workspace, runner=None, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.data: dict | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        row = QHBoxLayout()
        self.cards: dict[str, _Figure] = {}
        for key, title in (("total", "名单人数"), ("done", "已完成"), ("rate", "完成率（占名单）"),
                           ("paid_official", "医保局确认已缴"), ("paid_claimed", "自报/协助缴费待核实"),
                           ("remaining", "尚未完成"), ("days_left", "距截止天数")):
            card = _Figure(title)
            self.cards[key] = card
            row.addWidget(card)
        lay.addLayout(row)
        self.year_on_year = QLabel("")  # this year against last year at the same date (from the second year)
        self.year_on_year.setWordWrap(True)
        self.year_on_year.hide()
        lay.addWidget(self.year_on_year)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.groups = ProgressBars("各组进度")
        self.special = ProgressBars("特殊群体进度（须100%参保）")
        self.trend = LineChart(f"近{TREND_DAYS}天走访与完成")
        self.people = ColumnChart(f"近{CANVASSER_DAYS}天各走访人工作量")
        grid.addWidget(self.groups, 0, 0)
        grid.addWidget(self.special, 0, 1)
        grid.addWidget(self.trend, 1, 0)
        grid.addWidget(self.people, 1, 1)
        lay.addLayout(grid, 1)

    def refresh(self) -> None:
        if self.runner is None:
            self.show_data(collect(self.ws))
            return
        self.runner.submit(Job(lambda ws, _p: collect(ws), success=self.show_data, label="看板"))

    def show_data(self, data: dict) -> None:
        self.data = data
        f = data["figures"]
        self.cards["total"].value.setText(str(f["total"]))
        self.cards["done"].value.setText(str(f["done"]))
        target = f.get("target") or f["total"]
        self.cards["rate"].value.setText(f"{f['rate'] * 100:.1f}%")
        self.cards["rate"].setToolTip(f"任务数 {target}")
        self.cards["paid_official"].value.setText(str(f["paid_official"]))
        self.cards["paid_claimed"].value.setText(str(f["paid_claimed"]))
        self.cards["remaining"].value.setText(str(f["remaining"]))
        self.cards["days_left"].value.setText(str(f["days_left"]))
        lines = data.get("year_on_year") or []
        self.year_on_year.setText("<br>".join(lines[:2]) + ("<br><small>" + "；".join(lines[2:]) + "</small>"
                                                            if lines[2:] else ""))
        self.year_on_year.setVisible(bool(lines))
        if len(f["by_village"]) > 1:  # a township: one bar per village, in rank order
            self.groups.title = "各村进度（按完成率排名）"
            self.groups.set_bars([Bar(f"{f['by_village'][v]['rank']}. {v}", f["by_village"][v]["done"],
                                      f["by_village"][v]["total"]) for v in f["ranking"]])
        else:
            self.groups.title = "各组进度"
            self.groups.set_bars([Bar(k, v["done"], v["total"]) for k, v in f["by_group"].items()])
        self.special.set_bars([Bar(k, v["done"], v["total"], alert=v.get("below_100", False))
                               for k, v in f["special_groups"].items()])
        days = [d["day"] for d in data["trend"]]
        self.trend.set_series(days, [("走访次数", BLUE, [d["visits"] for d in data["trend"]]),
                                     ("新完成人数", GREEN, [d["done"] for d in data["trend"]])])
        items = sorted(data["canvassers"].items(), key=lambda kv: -kv[1][0])
        self.people.set_items([(name, v[0], v[1]) for name, v in items])
