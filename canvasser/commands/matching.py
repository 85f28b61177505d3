"""Command: match — other departments' lists (低保, 特困, 学生, 死亡, ...) against the workspace."""

from __future__ import annotations

import argparse

from ..core.errors import InputError
from ..core.lists import matching
from ..core.lists.tables import parse_map
from ..core.outputs.matchreport import LIKELY, write_report
from ..core.text import ids
from ._util import open_ws, progress_printer


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("match", parents=[parent],
                       help="比对其他部门的名单（低保、特困、学生、死亡……）：按身份证号匹配，无号的待人工确认")
    p.add_argument("--db", required=True)
    p.add_argument("file", nargs="?", help="部门名单文件（xlsx/xls/csv）")
    p.add_argument("--kind", help="名单种类，如 低保、特困、重度残疾、脱贫/监测、学生、新生儿、死亡、迁出、服役、其他")
    p.add_argument("--date", help="名单日期 YYYY-MM-DD（默认取文件名中的年月，否则今天）")
    p.add_argument("--map", action="append", metavar="列名=字段",
                   help=f"手动指定列对应的字段。字段：{'、'.join(matching.ALIASES)}")
    p.add_argument("--out", help="三方比对结果另存为 xlsx")
    p.add_argument("--dry-run", action="store_true", help="只比对、不写入")
    p.add_argument("--lists", action="store_true", help="列出已比对的名单")
    p.add_argument("--proposals", metavar="名单", nargs="?", const="", help="列出待确认的比对（可指定名单）")
    p.add_argument("--confirm", metavar="名单", help="确认待确认的比对（与 --id 一起用）")
    p.add_argument("--reject", metavar="名单", help="否定待确认的比对（与 --id 一起用）")
    p.add_argument("--id", action="append", default=[], help="身份证号（--confirm/--reject 用，可多次）")
    p.add_argument("--withdraw", metavar="名单", help="撤回一份名单：它的作用全部取消")
    p.add_argument("--by", default="", help="操作人")
    p.set_defaults(handler=cmd_match)


def cmd_match(args):
    if args.confirm or args.reject:
        if not args.id:
            raise InputError("--confirm/--reject 需要用 --id 指明是哪个人")
        with open_ws(args.db, create=False) as ws:
            fn = matching.confirm if args.confirm else matching.reject
            n = fn(ws, args.confirm or args.reject, args.id, author=args.by)
        what = "确认" if args.confirm else "否定"
        return {"confirmed" if args.confirm else "rejected_proposals": n}, f"已{what} {n} 条比对。"
    if args.withdraw:
        with open_ws(args.db, create=False) as ws:
            info, n = matching.withdraw(ws, args.withdraw, author=args.by)
        return ({"list": info.source(), "withdrawn": n},
                f"已撤回名单“{info.name}”（{info.kind}，{info.date}）：{n} 人的比对结果不再生效。")
    if args.lists:
        with open_ws(args.db, create=False) as ws:
            rows = matching.lists(ws)
        lines = [f"{r['list']}  {r['kind']}  {r['date']}  {r['name']}：生效 {r['active']} 人，待确认 {r['pending']}，"
                 f"需跟进 {r['followup']}，已撤回 {r['withdrawn']}" for r in rows]
        return {"lists": rows}, "\n".join(lines) or "还没有比对过部门名单"
    if args.proposals is not None:
        with open_ws(args.db, create=False) as ws:
            info = matching.find_list(ws, args.proposals) if args.proposals else None
            rows = matching.proposals(ws, info.id if info else None)
        lines = [f"{r['list']} 第{r['row']}行 → {r['name']} {ids.mask(r['pid'])} {r['birth']} {r['village']}{r['grp']}"
                 for r in rows]
        return {"proposals": rows}, "\n".join(lines) or "没有待确认的比对"
    if not args.file or not args.kind:
        raise InputError("比对名单需要名单文件和 --kind（名单种类）")
    with open_ws(args.db, create=False) as ws:
        if args.out:
            from ..core.outputs.ledgers import check_output
            check_output(args.out)
        res = matching.match_list(ws, args.file, args.kind, date=args.date,
                                  overrides=parse_map(args.map, tuple(matching.ALIASES)), author=args.by,
                                  apply=not args.dry_run, progress=None if args.json else progress_printer("比对"))
    data = res.as_json()
    if args.out:
        data["file"] = str(write_report(res, args.out))
    likely = data["likely"]
    lines = [f"名单“{res.info.name}”（{res.info.kind}，{res.info.date}）：{res.rows} 行。",
             f"  已匹配 {data['matched']} 人；待人工确认 {data['proposed']} 人（无身份证号，姓名和出生日期相符）；",
             f"  仅部门名单有 {data['only_theirs']} 人"
             + (f"（{'，'.join(f'{LIKELY[k]} {v}' for k, v in likely.items())}）" if likely else "")
             + f"；仅本方有此类别、部门未确认 {data['only_ours']} 人。"]
    if data["elsewhere"]:
        lines.append(f"  非本辖区 {data['elsewhere']} 人（不比对）。")
    if res.previous:
        lines.append(f"  较上一份{res.info.kind}名单：新增 {len(res.added)} 人，不再在名单上 {len(res.removed)} 人。")
    if res.rejected:
        lines.append(f"  有 {len(res.rejected)} 行未能读取：" + "；".join(f"第{r['row']}行 {r['reason']}"
                                                                   for r in res.rejected[:10]))
    lines.append(f"  写入 {res.events} 条记录" + ("（只比对，未写入）" if args.dry_run else "") + "。")
    if args.out:
        lines.append(f"  比对结果：{data['file']}")
    return data, "\n".join(lines)
