"""Commands: demo, import-roster, search, check, history, gui."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.demo import make_demo
from ..core.lists.roster import FIELDS, import_roster, kept_rejects, start_reading
from ..core.lists.tables import parse_map
from ..core.outputs import rejects
from ..core.rules.campaign import STATUS_LABELS
from ..core.rules.history import history_lines
from ..core.rules.search import search
from ..core.rules.visits import history, resolve_person
from ..core.storage.integrity import check
from ..core.storage.store import Workspace
from ..core.text import ids
from ._util import export_password, new_or_existing, open_ws, progress_printer


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[parent], help="生成一个演示村（虚构人员、户、走访记录）")
    p.add_argument("--db", required=True, help="工作区文件")
    p.add_argument("--seed", type=int, default=1, help="随机种子（同一种子结果相同）")
    p.add_argument("--households", type=int, default=160, help="户数")
    p.add_argument("--no-visits", action="store_true", help="不生成走访记录")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("import-roster", parents=[parent], help="导入医保局的未参保人员名单（xlsx/xls/csv）")
    p.add_argument("--db", required=True)
    p.add_argument("file", help="名单文件")
    p.add_argument("--map", action="append", metavar="列名=字段",
                   help=f"手动指定列对应的字段，可多次使用。字段：{'、'.join(FIELDS)}")
    p.add_argument("--rejects", help="同时把错误行写到这个文件（默认只保存在工作区里，用 canvasser rejects 导出）")
    p.add_argument("--password-file", metavar="FILE", help="给错误行文件设打开密码（从文件第一行读取；它含完整身份证号）")
    p.add_argument("--by", default="", help="操作人")
    p.add_argument("--all-villages", action="store_true",
                   help="也导入别的村（社区）的人员（默认只导入本村，别村的人员略过并提示）")
    p.add_argument("--not-paid-list", action="store_true", help="文件有缴费金额/日期列，但确实是未参保人员名单")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("rejects", parents=[parent], help="导出名单导入时未导入的行（保存在工作区里，已加密）")
    p.add_argument("--db", required=True)
    p.add_argument("--out", help="导出到这个 xlsx 文件（不填则列出保存的各次导入）")
    p.add_argument("--list", type=int, help="第几次导入（默认最近一次）")
    p.add_argument("--password-file", metavar="FILE", help="给导出的文件设打开密码（从文件第一行读取；它含完整身份证号）")
    p.set_defaults(handler=cmd_rejects)

    p = sub.add_parser("search", parents=[parent], help="按姓名、拼音首字母、身份证号（或尾号）、电话查人")
    p.add_argument("--db", required=True)
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("check", parents=[parent], help="完整性检查：重放全部事件，结果须与当前数据一致")
    p.add_argument("--db", required=True)
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("history", parents=[parent], help="列出某人的全部记录（谁、何时、做了什么）")
    p.add_argument("--db", required=True)
    p.add_argument("--id", required=True, help="身份证号")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("gui", parents=[parent], help="打开窗口")
    p.add_argument("--db", help="工作区文件")
    p.add_argument("--demo", action="store_true", help="打开演示村")
    p.add_argument("--screenshot", metavar="FILE.png", help="渲染主窗口并保存截图后退出")
    p.set_defaults(handler=cmd_gui)


def cmd_demo(args):
    res = make_demo(args.db, seed=args.seed, households=args.households, visits=not args.no_visits)
    return res, (f"已生成演示村：{res['imported']} 人，{res['households']} 户，{res['visits']} 条走访记录。"
                 f"\n工作区：{args.db}")


def cmd_import(args):
    overrides = parse_map(args.map, FIELDS)
    password = rejects.check_password(export_password(args))  # (before anything is read or written)
    # a first list into a new workspace: its reading begins while the workspace's keys are made
    early = start_reading(args.file, overrides=overrides) if not Path(args.db).exists() else None
    try:
        with new_or_existing(args.db) as ws:
            res = import_roster(ws, args.file, overrides=overrides, author=args.by,
                                progress=None if args.json else progress_printer("导入"),
                                all_villages=args.all_villages, not_paid_list=args.not_paid_list, early=early)
            rejects.save(ws, res, args.rejects, password=password)
    finally:
        if early is not None:
            early.close()
    lines = [f"导入完成：新增 {res.imported} 人，更新 {res.updated} 人，未变 {res.unchanged} 人；"
             f"{res.households} 户；村（社区）：{'、'.join(res.villages) or '（未注明）'}。"]
    if res.rejected:
        lines.append(f"有 {len(res.rejected)} 行未导入：")
        lines += [f"  第{r['row']}行：{r['reason']}" for r in res.rejected[:30]]
        if len(res.rejected) > 30:
            lines.append(f"  ……共 {len(res.rejected)} 行")
        if res.rejects_file:
            lines.append(f"错误行已另存为：{res.rejects_file}（改正后可再次导入）")
        else:
            lines.append(f"错误行已保存在工作区里（加密，不留在文件夹中）。导出改正：canvasser rejects --db {args.db} "
                         "--out 错误行.xlsx --password-file 密码文件")
    if res.duplicates:
        lines.append(f"重复的人 {len(res.duplicates)} 行（只计一次）：" +
                     "；".join(f"第{d['row']}行" for d in res.duplicates[:20]))
    if res.other_villages:
        lines.append(f"注意：名单中另有 {sum(res.other_villages.values())} 人属于别的村（社区）"
                     f"（{'、'.join(sorted(res.other_villages))}），本村工作区未导入；确需导入请加 --all-villages。")
    if res.missing:
        lines.append(f"注意：以前名单中有 {res.missing} 人不在本次名单里（未删除，仅提示）。")
    if res.rare_names:
        lines.append(f"注意：{len(res.rare_names)} 人的姓名含生僻字（打印时留出方框请手写补全，查找时输入其余的字或拼音首字母）：" +
                     "；".join(f"第{r['row']}行 {r['name']}（{r['chars']}）" for r in res.rare_names[:20]))
    return res.as_json(), "\n".join(lines)


def cmd_rejects(args):
    with open_ws(args.db, create=False, look=True) as ws:
        if not args.out:
            kept = kept_rejects(ws)
            return {"lists": kept}, "\n".join(f"第 {k['list']} 次导入（{k['file']}，{k['at'][:16]}）：{k['rows']} 行未导入"
                                              for k in kept) or "没有保存的未导入行"
        res = rejects.export_rejects(ws, args.out, list_no=args.list, password=export_password(args))
    return res, (f"已导出 {res['rows']} 行未导入的行到：{res['file']}" +
                 ("（已设打开密码）" if res["protected"] else "（未设密码：文件含完整身份证号，请妥善保管）"))


def cmd_search(args):
    with open_ws(args.db, create=False, look=True) as ws:
        res = search(ws, args.query, limit=args.limit)
    lines = [f"找到 {res['total']} 人" + (f"（显示前 {len(res['results'])} 个）" if res["total"] > len(res["results"]) else "")]
    for r in res["results"]:
        lines.append(f"  {r['name']}\t{ids.mask(r['id'])}\t{r['village']}{r['grp']}\t户 {r['household']}\t{STATUS_LABELS.get(r['status'], r['status'])}")
    return res, "\n".join(lines)


def cmd_check(args):
    with open_ws(args.db, create=False, look=True) as ws:
        res = check(ws)
    summary = (f"检查通过：{res['events']} 条事件重放后与当前数据一致。" if res["ok"]
               else f"检查未通过：{'、'.join(res['differs'])} 与重放结果不一致。")
    if not res["ok"]:
        res["_exit"] = 1
    return res, summary


def cmd_history(args):
    with open_ws(args.db, create=False, look=True) as ws:
        pid = resolve_person(ws, args.id)
        rows = history(ws, pid)
        lines = history_lines(ws, pid)
    return ({"id": pid, "events": rows, "lines": [str(line) for line in lines]},
            "\n".join(map(str, lines)) or "没有记录")


def cmd_gui(args):
    try:
        from ..ui.app import run_gui
    except ImportError as exc:
        sys.stderr.write(f"无法启动窗口：{exc}\n")
        return {"_exit": 1}, ""
    code = run_gui(db=args.db, demo=args.demo, screenshot=args.screenshot)
    return {"_exit": code}, ""


__all__ = ["register", "Workspace"]
