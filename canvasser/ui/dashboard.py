"""The dashboard tab: progress by group and by special group, the daily trend, visits per canvasser.

Figures come from core's `reports` (figures, trend, by_canvasser), computed on the worker so a
large workspace never freezes the window; this module only lays them out and draws them.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..core import clock, outcomes, views
from ..core.views import TREND_DAYS, Workspace
from .charts import BLUE, GREEN, Bar, ColumnChart, LineChart, ProgressBars
from .flow import FlowBox
from .textsize import emphasise
from .worker import Job


def collect(ws: Workspace, today: dt.date | None = None) -> dict:
    """Everything the dashboard draws, in one job (runs on the worker)."""
    return views.dashboard_figures(ws, today or clock.today())


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
        emphasise(self.value, 1.6, bold=True)
        lay.addWidget(t)
        lay.addWidget(self.value)

CONFIRMED = outcomes.OFFICIAL.code  # the figures' key of the bureau's confirmed payments (DESIGN §8)


class Dashboard(QWidget):
    def __init__(self, ws: Workspace, runner=None, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.data: dict | None = None
        outer = QVBoxLayout(self)  # the dashboard scrolls where the screen is short (150%, 特大)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(8, 8, 8, 8)
        row = FlowBox(spacing=6)  # the figure cards wrap onto a second line when narrow
        self.cards: dict[str, _Figure] = {}
        for key, title in (("total", "名单人数"), ("done", "已完成"), ("rate", "完成率（占任务数）"),
                           (CONFIRMED, "医保局确认已缴"), ("paid_claimed", "自报/协助缴费待核实"),
                           ("accepted", "不需参保"), ("remaining", "尚未完成"), ("days_left", "距截止天数")):
            card = _Figure(title)
            self.cards[key] = card
            row.add(card)
        lay.addWidget(row)
        self.sums = QLabel("")  # the cards' parts, added up on screen
        self.sums.setStyleSheet("color: #555;")
        self.sums.setWordWrap(True)
        lay.addWidget(self.sums)
        self.silent = QLabel("")  # villages that have not reported: never set up, or silent too long
        self.silent.setWordWrap(True)
        self.silent.setStyleSheet("color: #b3261e; font-weight: bold;")
        lay.addWidget(self.silent)
        self.year_on_year = QLabel("")  # this year against last year at the same date (from the second year)
        self.year_on_year.setWordWrap(True)
        self.year_on_year.hide()
        lay.addWidget(self.year_on_year)
        self.villages: list[str] = []  # the bars' villages on a township's dashboard, in rank order
        grid = QGridLayout()
        grid.setSpacing(8)
        self.groups = ProgressBars("各组进度")
        self.special = ProgressBars("特殊群体进度（须100%参保）")
        self.trend = LineChart(f"近{TREND_DAYS}天走访与完成")
        self.people = ColumnChart(f"近{views.workload_days()}天各走访人工作量")
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
        self.cards["rate"].value.setText(f"{f.get('target_rate', f['rate']) * 100:.1f}%")
        self.cards["rate"].setToolTip(f"任务数 {target}（未填任务数的村以名单人数计）；占名单 {f['rate'] * 100:.1f}%")
        self.cards[CONFIRMED].value.setText(str(f[CONFIRMED]))
        self.cards["paid_claimed"].value.setText(str(f["paid_claimed"]))
        self.cards["accepted"].value.setText(str(f["accepted"]))
        self.sums.setText(f"已完成 {f['done']} = 医保局确认 {f[CONFIRMED]} + 自报/协助待核实 {f['paid_claimed']}"
                          f" + 不需参保 {f['accepted']}；名单 {f['total']} = 已完成 {f['done']} + 尚未完成 "
                          f"{f['remaining']}；任务数 {target}，差 {f.get('gap', 0)} 人；已走访 {f['visited']} 人")
        silent, unset = f.get("silent") or [], f.get("not_set_up") or []
        self.silent.setText("；".join(
            ([f"未按时上报的村（从未上报或超过 {f.get('silent_days', 3)} 天）：{'、'.join(silent)}"] if silent else [])
            + ([f"尚未配置的村（未生成配置包）：{'、'.join(unset)}"] if unset else [])))
        self.cards["remaining"].value.setText(str(f["remaining"]))
        self.cards["days_left"].value.setText(str(f["days_left"]))
        lines = data.get("year_on_year") or []
        self.year_on_year.setText("<br>".join(lines[:2]) + ("<br><small>" + "；".join(lines[2:]) + "</small>"
                                                            if lines[2:] else ""))
        self.year_on_year.setVisible(bool(lines))
        if len(f["by_village"]) > 1:  # a township: one bar per village, in rank order
            self.groups.title = "各村进度（按任务数完成率排名，差=距任务数；点击进入该村名单）"
            self.villages = list(f["ranking"])
            self.groups.set_bars([Bar(f"{f['by_village'][v]['rank']}. {v}（差{f['by_village'][v]['gap']}）",
                                      f["by_village"][v]["done"], f["by_village"][v]["target"],
                                      alert=bool(f["by_village"][v].get("silent")))
                                  for v in f["ranking"]])
        else:
            self.groups.title = "各组进度"
            self.villages = []
            self.groups.set_bars([Bar(k, v["done"], v["total"]) for k, v in f["by_group"].items()])
        self.special.set_bars([Bar(k, v["done"], v["total"], alert=v.get("below_100", False))
                               for k, v in f["special_groups"].items()])
        days = [d["day"] for d in data["trend"]]
        self.trend.set_series(days, [("走访次数", BLUE, [d["visits"] for d in data["trend"]]),
                                     ("新完成人数", GREEN, [d["done"] for d in data["trend"]])])
        items = sorted(data["canvassers"].items(), key=lambda kv: -kv[1][0])
        self.people.set_items([(name, v[0], v[1]) for name, v in items])
