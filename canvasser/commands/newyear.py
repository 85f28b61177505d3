"""Command: new-year (start next year's drive from this year's, with the bureau's new list)."""

from __future__ import annotations

import argparse

from ..core.lists.newyear import start_year
from ..core.lists.roster import FIELDS
from ..core.lists.tables import parse_map
from ..core.outputs import rejects
from ._util import open_ws, progress_printer


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("new-year", parents=[parent],
                       help="开始新年度：导入医保局新一年的名单，保留去年的电话、微信、备注、走访结果")
    p.add_argument("--db", required=True)
    p.add_argument("--list", required=True, help="新一年的未参保人员名单（xlsx/xls/csv）")
    p.add_argument("--set", action="append", default=[], metavar="设置项=值",
                   help="新年度的设置（缴费标准、日期等，默认沿用去年、日期顺延一年），可多次使用")
    p.add_argument("--map", action="append", metavar="列名=字段", help=f"字段：{'、'.join(FIELDS)}")
    p.add_argument("--rejects", help="同时把错误行写到这个文件（默认只保存在工作区里，用 canvasser rejects 导出）")
    p.add_argument("--year", type=int, help="新年度（默认下一年；本年度已由乡镇或村开始时写本年度，只导入名单）")
    p.add_argument("--by", default="", help="操作人")
    p.set_defaults(handler=cmd_new_year)


def _settings(pairs: list[str]) -> dict:
    from ..core.errors import InputError
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise InputError(f"设置应写成 设置项=值：{pair}")
        out[key.strip()] = value.strip()
    return out


def cmd_new_year(args):
    overrides = parse_map(args.map, FIELDS)
    with open_ws(args.db, create=False) as ws:
        res = start_year(ws, args.list, changes=_settings(args.set), author=args.by, overrides=overrides,
                         progress=None if args.json else progress_printer("导入"), year=args.year)
        if res.imported:
            rejects.save(ws, res.imported, args.rejects)
    lines = [f"已开始 {res.year} 年度（接续 {res.previous_year} 年度）：名单上 {res.again + res.new} 人，"
             f"其中去年就在名单上的 {res.again} 人，新上名单 {res.new} 人；去年在、今年不在名单上的 {res.gone} 人。"]
    if res.gone_implied:
        lines.append("不在名单上的人：" + "，".join(f"{k} {v} 人" for k, v in res.gone_implied.items()) + "。")
    changed = [s for s in res.settings if s["changed"]]
    lines.append("与去年相比改动的设置：" + ("；".join(f"{s['label']} {s['last_year']} → {s['this_year']}" for s in changed)
                                   or "无"))
    lines.append("请核对本年度的缴费标准和资助标准（canvasser campaign）。")
    if res.imported and res.imported.rejected:
        lines.append(f"有 {len(res.imported.rejected)} 行未导入，" + (
            f"错误行已另存为：{res.imported.rejects_file}" if res.imported.rejects_file else
            f"错误行保存在工作区里，导出：canvasser rejects --db {args.db} --out 错误行.xlsx"))
    return res.as_json(), "\n".join(lines)
