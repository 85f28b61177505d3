"""The dashboard tab: progress by group and by special group, the daily trend, visits per canvasser.

Figures come from core's `reports` (figures, trend, by_canvasser), computed on the worker so a
large workspace never freezes the window; this module only lays them out and draws them.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core import clock, outcomes, views
from ..core.tiers import Tier, unit_label
from ..core.views import Workspace
from .charts import BLUE, GREEN, Bar, ColumnChart, LineChart, ProgressBars
from .flow import FlowBox
from .textsize import emphasise
from .worker import Job


def collect(ws: Workspace, today: dt.date | None = None, *, freeze: bool = False) -> dict:
    """Everything the dashboard draws, in one job (runs on the worker, which may `freeze` the
    trend's past days: they keep the figures first shown)."""
    return views.dashboard_figures(ws, today or clock.today(), freeze=freeze)


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
        L = views.FIGURE_LABELS
        for key, title in (("total", L["total"]), ("done", L["done"]), ("rate", L["target_rate"]),
                           (CONFIRMED, L[CONFIRMED]), ("paid_claimed", L["paid_claimed"]),
                           ("accepted", L["accepted"]), ("remaining", L["remaining"]), ("days_left", "距截止天数")):
            card = _Figure(title)
            self.cards[key] = card
            row.add(card)
        lay.addWidget(row)
        self.sums = QLabel("")  # the cards' parts, added up on screen
        self.sums.setStyleSheet("color: #555;")
        self.sums.setWordWrap(True)
        lay.addWidget(self.sums)
        self.silent = QLabel("")  # villages that cannot report (never set up) and those silent too long
        self.silent.setWordWrap(True)
        self.silent.setStyleSheet("color: #b3261e; font-weight: bold;")
        lay.addWidget(self.silent)
        self.year_on_year = QLabel("")  # this year against last year at the same date (from the second year)
        self.year_on_year.setWordWrap(True)
        self.year_on_year.hide()
        lay.addWidget(self.year_on_year)
        # a county's: what the 约谈会 hears (the last townships and departments, the special groups)
        self.county = ws.tier is Tier.COUNTY
        self.meeting = QLabel("")
        self.meeting.setWordWrap(True)
        self.meeting.setStyleSheet("color: #333; background: #fff7e6; padding: 4px;")
        self.meeting.setVisible(self.county)
        lay.addWidget(self.meeting)
        self.drill: str | None = None  # the township a county's dashboard shows the villages of
        self.back = QPushButton("← 返回全县各乡镇")
        self.back.clicked.connect(lambda: self.drill_into(None))
        self.back.hide()
        lay.addWidget(self.back)
        self.villages: list[str] = []  # the bars' villages on a township's dashboard, in rank order
        grid = QGridLayout()
        grid.setSpacing(8)
        self.groups = ProgressBars(f"各组进度（{views.RATE_LIST}）")
        self.special = ProgressBars(f"特殊群体进度（须100%参保；{views.RATE_LIST}）")
        self.trend = LineChart(f"近{views.TREND_DAYS}天走访与完成")
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
        self.runner.submit(Job(lambda ws, _p: collect(ws, freeze=True), success=self.show_data, label="看板"))

    def show_data(self, data: dict) -> None:
        self.data = data
        f = data["figures"]
        self.cards["total"].value.setText(str(f["total"]))
        self.cards["done"].value.setText(str(f["done"]))
        target = f.get("target") or f["total"]
        self.cards["rate"].value.setText(str(views.target_rate(f)))
        self.cards["rate"].setToolTip(f"已完成 ÷ 任务数 {target}（{views.TARGET_NOTE}）；"
                                      f"{views.RATE_LIST} {views.list_rate(f)}")
        self.cards[CONFIRMED].value.setText(str(f[CONFIRMED]))
        self.cards["paid_claimed"].value.setText(str(f["paid_claimed"]))
        self.cards["paid_claimed"].setToolTip("当场协助缴费、已自行缴费、学校代缴：都等医保局缴费名单确认")
        self.cards["accepted"].value.setText(str(f["accepted"]))
        pending = views.pending_line(f)
        self.sums.setText(f"{views.done_equation(f)}；{views.list_equation(f)}；任务数 {target}，"
                          f"差 {f.get('gap', 0)} 人；{views.RATE_LIST} {views.list_rate(f)}；已走访 {f['visited']} 人"
                          + (f"；{pending}" if pending else ""))
        self.silent.setText("<br>".join(f"{label}：{'、'.join(names)}" for label, names in views.alert_lines(f)))
        self.cards["remaining"].value.setText(str(f["remaining"]))
        self.cards["days_left"].value.setText(str(f["days_left"]))
        lines = data.get("year_on_year") or []
        self.year_on_year.setText("<br>".join(lines[:2]) + ("<br><small>" + "；".join(lines[2:]) + "</small>"
                                                            if lines[2:] else ""))
        self.year_on_year.setVisible(bool(lines))
        if self.county:
            self._show_county(f)
        elif len(f["by_village"]) > 1:  # a township: one bar per village, in rank order
            self.groups.title = f"各村进度（按{views.RATE_TARGET}排名，差=距任务数；点击进入该村名单）"
            self.villages = list(f["ranking"])
            self.groups.set_bars([Bar(f"{f['by_village'][v]['rank']}. {v}（差{f['by_village'][v]['gap']}）",
                                      f["by_village"][v]["done"], f["by_village"][v]["target"],
                                      alert=bool(f["by_village"][v].get("silent")))
                                  for v in f["ranking"]])
        else:
            self.groups.title = f"各组进度（{views.RATE_LIST}）"
            self.villages = []
            self.groups.set_bars([Bar(k, v["done"], v["total"]) for k, v in f["by_group"].items()])
        if not self.county:
            self.special.set_bars([Bar(k, v["done"], v["total"], alert=v.get("below_100", False))
                                   for k, v in f["special_groups"].items()])
        days = [d["day"] for d in data["trend"]]
        self.trend.set_series(days, [("走访次数", BLUE, [d["visits"] for d in data["trend"]]),
                                     ("新完成人数", GREEN, [d["done"] for d in data["trend"]])])
        late = [f"{d['day'][5:]}：{views.late_text(d)}" for d in data["trend"] if views.late_text(d)]
        self.trend.setToolTip("往日的数字保持当日显示的样子；之后才收到的：" + "；".join(late) if late else
                              "往日的数字保持当日显示的样子，之后才收到的另记为迟报")
        items = sorted(data["canvassers"].items(), key=lambda kv: -kv[1][0])
        self.people.set_items([(name, v[0], v[1]) for name, v in items])

    # ---- a county: townships, drill-down to a township's villages, responsible departments ----------
    def _show_county(self, f: dict) -> None:
        m = views.meeting_summary(f)
        self.meeting.setText("<br>".join(x for x in (m["township_line"], m["department_line"], m["special"]) if x))
        towns = f.get("by_township") or {}
        if self.drill is not None and self.drill not in towns:
            self.drill = None
        self.back.setVisible(self.drill is not None)
        if self.drill is None:
            self.groups.title = "各乡镇进度（占任务数排名；▼后三位，红=未上报/未配置；点击看各村）"
            self.groups.setToolTip("按完成率（占任务数）排名；差=距任务数；▼为全县后三位；红色为未按时上报或未配置的乡镇；"
                                   "点击一个乡镇看它的各村")
            self.villages = []
            last = {t["name"] for t in m["bottom_townships"]}
            self.groups.set_bars([Bar(f"{towns[t]['rank']}. {t}（差{towns[t]['gap']}）" + ("▼" if t in last else ""),
                                      towns[t]["done"], towns[t]["target"],
                                      alert=bool(towns[t].get("silent")) or towns[t].get("set_up") is False)
                                  for t in f["ranking"]])
        else:
            town = towns[self.drill]
            order = town.get("village_ranking") or sorted(town["by_village"])
            self.groups.title = f"{self.drill}各村进度（按任务数完成率排名；点击进入该村名单）"
            self.villages = [unit_label(self.drill, v) for v in order]
            self.groups.set_bars([Bar(f"{i}. {v}（差{town['by_village'][v]['gap']}）", town["by_village"][v]["done"],
                                      town["by_village"][v]["target"]) for i, v in enumerate(order, 1)])
        last = {d["name"] for d in m["bottom_departments"]}
        deps = f.get("departments") or {}
        if self.drill is None:
            self.special.title = "责任部门进度（负责人员的完成率；红色为全县后三位）"
            parts = {d: deps[d] for d in deps}
        else:  # the departments' people in this township
            self.special.title = f"责任部门在{self.drill}的进度（负责人员的完成率）"
            parts = {d: (deps[d].get("by_township") or {}).get(self.drill) or views.blank_tally() for d in deps}
        self.special.set_bars([Bar(f"{d}（{'、'.join(deps[d].get('categories') or {}) or '—'}）", parts[d]["done"],
                                   parts[d]["total"], alert=d in last and self.drill is None) for d in deps])

    def drill_into(self, township: str | None) -> None:
        """A county's dashboard shows one township's villages (None: every township again)."""
        self.drill = township
        if self.data is not None:
            self.show_data(self.data)

    def place_for(self, i: int) -> str | None:
        """What a click on bar `i` opens: a village's list (its place), or at a county's top level
        the township's villages on the dashboard itself (None)."""
        if self.county and self.drill is None:
            ranking = (self.data or {}).get("figures", {}).get("ranking") or []
            if 0 <= i < len(ranking):
                self.drill_into(ranking[i])
            return None
        return self.villages[i] if 0 <= i < len(self.villages) else None
