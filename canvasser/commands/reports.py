"""Commands: ledger, report, feedback, message (the reporting half of canvassing)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ..core import clock
from ..core.errors import InputError
from ..core.outputs import county_report, ledgers, report_pdf
from ..core.rules import figures, freshness, meeting, messages, reports
from ..core.rules.dashboard import year_on_year_lines
from ..core.rules.visits import parse_date
from ._util import export_password, open_ws, progress_printer


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ledger", parents=[parent], help="导出台账（未参保、已参保、特殊群体、外出务工、不需参保，每类一张表）")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True, help="输出的 xlsx 文件")
    p.add_argument("--password-file", metavar="FILE", help="给导出文件设打开密码（从文件第一行读取）：文件含完整身份证号，外传时建议设置")
    p.add_argument("--paper", choices=ledgers.PAPER_SIZES, default="A4",
                   help="打印纸（横向）：A4 时太宽的台账分成几部分打印（每部分都有序号、姓名、身份证号）；A3 可整张打印")
    p.set_defaults(handler=cmd_ledger)

    p = sub.add_parser("report", parents=[parent], help="进度日报（总体、分村排名、分组、分类别、走访人员）")
    p.add_argument("--db", required=True)
    p.add_argument("--date", help="报表日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--out", help="输出文件：.xlsx 或 .pdf（不填则只显示）")
    p.add_argument("--title", default="", help="PDF 标题（默认“<乡镇或村>20XX年度城乡居民医保参保缴费进度日报”）")
    p.add_argument("--by", default="", help="制表人姓名（印在报表首页；不填则留空待签）")
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("feedback", parents=[parent], help="生成报医保局的未参保人员反馈表")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True, help="输出的 xlsx 文件")
    p.add_argument("--password-file", metavar="FILE", help="给导出文件设打开密码（从文件第一行读取）：文件含完整身份证号，外传时建议设置")
    p.set_defaults(handler=cmd_feedback)

    p = sub.add_parser("message", parents=[parent], help="给外出人员的缴费提醒文字（可复制到微信/短信）")
    p.add_argument("--db", required=True)
    p.add_argument("--id", required=True, help="身份证号")
    p.add_argument("--household", action="store_true", help="为全户未缴费的人写一条")
    p.add_argument("--by", help="落款的走访人（用其档案中的电话）")
    p.set_defaults(handler=cmd_message)


def _progress(args):
    return None if args.json else progress_printer("导出")


def cmd_ledger(args):
    with open_ws(args.db, create=False, look=True) as ws:
        res = ledgers.write_ledger(ws, args.out, progress=_progress(args), password=export_password(args),
                                   paper=args.paper)
    lines = [f"台账已导出：{res['file']}（{res['paper']} 横向打印）"]
    for k, v in res["sheets"].items():
        parts = res["parts"][k]
        lines.append(f"  {k}：{v} 人" + (f"（分 {len(parts)} 部分打印：{'、'.join(parts)}）" if len(parts) > 1 else ""))
    return res, "\n".join(lines)


def cmd_report(args):
    day = dt.date.fromisoformat(parse_date(args.date, "报表日期")) if args.date else clock.today()
    out = Path(args.out) if args.out else None
    if out is not None:
        if out.suffix.lower() not in (".xlsx", ".pdf"):
            raise InputError(f"报表输出文件应为 .xlsx 或 .pdf：{out}")
        ledgers.check_output(out, out.suffix.lower())
    with open_ws(args.db, create=False, look=True) as ws:
        figs = reports.make_report(ws, day)
    if out is not None:
        county = "by_township" in figs  # the county's report, for the 约谈会
        if out.suffix.lower() == ".pdf":
            write = county_report.write_county_pdf if county else report_pdf.write_report_pdf
            figs["pages"] = write(figs, out, title=args.title, by=args.by)["pages"]
        elif county:
            county_report.write_county_xlsx(figs, out, by=args.by)
        else:
            ledgers.write_report_xlsx(figs, out, by=args.by)
        figs["file"] = str(out)
    if "by_township" in figs:
        figs["meeting"] = meeting.summary(figs)
    return figs, summary(figs)


def summary(figs: dict) -> str:
    lines = [figures.headline(figs), f"{figures.done_equation(figs)}；差额（距任务数）{figs.get('gap', 0)}。"]
    if figures.pending_line(figs):
        lines.append(figures.pending_line(figs) + "。")
    ch = figs.get("change") or {}
    if ch.get("since"):
        lines.append(f"比 {ch['since']} 的报表：完成 {ch['done']:+d}，医保局确认 {ch[figures.CONFIRMED]:+d}。")
    today = figs.get("today") or {}
    lines.append(f"当日走访 {today.get('visits', 0)} 次，联系 {today.get('contacts', 0)} 人，"
                 f"新增完成 {today.get('total', 0)} 人。")
    if figs.get("meeting"):
        m = figs["meeting"]
        lines += [x for x in (m["township_line"], m["department_line"], m["special"]) if x]
    if figs.get("by_township"):
        bt = figs["by_township"]
        lines.append(f"分乡镇排名（{figures.RATE_TARGET}）：" + "；".join(
            f"{bt[t]['rank']}.{t} {figures.target_rate(bt[t])}（差{bt[t]['gap']}）" for t in figs["ranking"]))
        lines.append("责任部门：" + "；".join(
            f"{d} {v['done']}/{v['total']}（{figures.list_rate(v)}）" for d, v in figs["departments"].items()))
    elif len(figs["by_village"]) > 1:
        lines.append(f"分村排名（{figures.RATE_TARGET}）：" + "；".join(
            f"{figs['by_village'][v]['rank']}.{v} {figures.target_rate(figs['by_village'][v])}"
            f"（差{figs['by_village'][v]['gap']}）" for v in figs["ranking"]))
    if figs.get("below_70"):
        lines.append(f"{figures.RATE_TARGET}低于70%的{figs.get('unit_label', '村')}：{'、'.join(figs['below_70'])}")
    if figs.get("below_80"):
        lines.append(f"{figures.RATE_TARGET}低于80%的{figs.get('unit_label', '村')}：{'、'.join(figs['below_80'])}")
    if figs.get("special_below_100"):
        lines.append(f"特殊群体未达100%：{'、'.join(figs['special_below_100'])}")
    lines += [f"{label}：{'、'.join(names)}" for label, names in freshness.alert_lines(figs)]
    lines += year_on_year_lines(figs.get("year_on_year"))[:2]
    if figs.get("file"):
        lines.append(f"已保存：{figs['file']}")
    return "\n".join(lines)


def cmd_feedback(args):
    with open_ws(args.db, create=False, look=True) as ws:
        res = ledgers.write_feedback(ws, args.out, progress=_progress(args), password=export_password(args))
    reasons = "，".join(f"{k} {v}" for k, v in res["reasons"].items())
    return res, (f"反馈表已导出：{res['file']}\n{figures.feedback_line(res)}。"
                 + (f"\n未参保原因：{reasons}" if reasons else ""))


def cmd_message(args):
    with open_ws(args.db, create=False, look=True) as ws:
        res = messages.compose(ws, args.id, household=args.household, by=args.by)
    return res, res["text"]
