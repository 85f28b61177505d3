"""What the county says at the weekly 约谈会: who is at the bottom and by how much.

From the county's report figures (`reports.figures` at a county): the three townships last by rate
against their task numbers and the three responsible departments last by rate, each with its gap
(task number − done, or the people it answers for still not done), the days left in the collection
period, and the sentence the bureau reads out ("特殊困难群体及在校学生未参保有…人，其中低保对象…人…").
The window, the PDF, the xlsx and the CLI all take their words from here, so they say the same.
"""

from __future__ import annotations

from .figures import LABELS, percent

BOTTOM = 3  # how many townships and departments are named as the last


def bottom_townships(figs: dict, n: int = BOTTOM) -> list[dict]:
    """The last `n` townships by rate against their task numbers (the last first), with their figures."""
    bt = figs.get("by_township") or {}
    ranking = [t for t in figs.get("ranking", []) if t in bt]
    n = min(n, len(ranking) - 1)  # never everyone: of two, the last one
    return [{"name": t, **bt[t]} for t in reversed(ranking[-n:])] if n > 0 else []


def bottom_departments(figs: dict, n: int = BOTTOM) -> list[dict]:
    """The last `n` responsible departments by rate (the last first); only those answering for anyone."""
    deps = {d: v for d, v in (figs.get("departments") or {}).items() if v["total"]}
    ranking = sorted(deps, key=lambda d: (deps[d]["rate"], d))
    return [{"name": d, **deps[d]} for d in ranking[:min(n, len(ranking) - 1)]]


def township_line(t: dict) -> str:
    return (f"{t['name']}（第 {t['rank']} 名，{LABELS['target_rate']} {percent(t['done'], t['target'])}，"
            f"距任务数差 {t['gap']} 人" + ("，未按时上报" if t.get("silent") else "") + "）")


def department_line(d: dict) -> str:
    return (f"{d['name']}（负责 {d['total']} 人，未完成 {d['remaining']} 人，{LABELS['rate']} "
            f"{percent(d['done'], d['total'])}）")


def special_sentence(figs: dict) -> str:
    """The bureau's sentence: the people some department answers for still not done, by category,
    and how many townships and departments they concern."""
    every = figs.get("departments_all") or {}
    deps = figs.get("departments") or {}
    if not every.get("remaining"):
        return "特殊困难群体及在校学生已全部完成参保（或不需参保）。"
    parts = [(w, acc["remaining"]) for d in deps.values() for w, acc in d.get("categories", {}).items()
             if acc["remaining"]]
    towns = {t for d in deps.values() for t, acc in (d.get("by_township") or {}).items() if acc["remaining"]}
    concerned = [d for d, v in deps.items() if v["remaining"]]
    where = f"涉及 {len(towns)} 个乡镇和 {len(concerned)} 个行业部门" if towns else \
        f"涉及 {len(concerned)} 个行业部门"
    return (f"特殊困难群体及在校学生未参保 {every['remaining']} 人，其中"
            + "、".join(f"{w} {n} 人" for w, n in parts) + f"，{where}（{'、'.join(concerned)}）。")


def _count(items: list) -> str:
    return "一二三四五"[len(items) - 1] if 0 < len(items) <= 5 else str(len(items))


def summary(figs: dict) -> dict:
    """Everything the 约谈会 sheet leads with, as words and as figures."""
    towns, deps = bottom_townships(figs), bottom_departments(figs)
    target = figs.get("target", figs["total"])
    return {
        "headline": (f"全县名单 {figs['total']} 人，任务数 {target} 人，已完成 {figs['done']} 人，"
                     f"{LABELS['target_rate']} {percent(figs['done'], target)}，距任务数差 {figs.get('gap', 0)} 人；"
                     f"征缴截止 {figs['deadline']}，还剩 {figs['days_left']} 天。"),
        "bottom_townships": towns,
        "bottom_departments": deps,
        "township_line": f"排名后{_count(towns)}位的乡镇：" + "；".join(map(township_line, towns)) + "。" if towns else "",
        "department_line": (f"进度后{_count(deps)}位的责任部门：" + "；".join(map(department_line, deps)) + "。"
                            if deps else ""),
        "special": special_sentence(figs),
        "silent": list(figs.get("silent") or []),
        "days_left": figs["days_left"],
    }
