"""Commands: notices, leaflet, visit-sheet, template (DESIGN §7)."""

from __future__ import annotations

import argparse

from ..core.errors import InputError
from ..core.outputs.notices import templates as T
from ..core.outputs.notices.leaflet import build_leaflet
from ..core.outputs.notices.notice import build_notices
from ..core.outputs.notices.preflight import summary as glyph_summary
from ..core.outputs.notices.sheet import build_visit_sheet
from ..core.outputs.selection import Scope
from ..core.outputs.selection import households as selected_households
from ._util import open_ws, progress_printer


def _scope_args(p: argparse.ArgumentParser) -> None:
    """--village, --group, --household, --id: print what is selected (the window's tree does the same)."""
    p.add_argument("--village", help="只打印这个村（社区）")
    p.add_argument("--group", nargs="+", action="extend", metavar="G", help="只打印这些组，例如 七组")
    p.add_argument("--household", nargs="+", action="extend", metavar="H",
                   help="只打印这些户（户编号或户内任一成员的身份证号），可多个")
    p.add_argument("--id", nargs="+", action="extend", metavar="ID", dest="people",
                   help="只打印这些人所在的户（身份证号）")


def _selected(ws, args) -> list[str] | None:
    scope = Scope(village=args.village, groups=args.group or [], households=args.household or [],
                  people=args.people or [])
    hids = selected_households(ws, scope)
    if hids is not None and not hids:
        raise InputError(f"所选范围（{scope.label()}）内没有户，未生成文件")
    return hids


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("notices", parents=[parent], help="打印缴费通知单（每户一张，含缴费二维码）")
    p.add_argument("--db", required=True, help="工作区文件")
    p.add_argument("--out", required=True, help="输出的 PDF 文件")
    _scope_args(p)
    p.add_argument("--per-page", type=int, choices=(1, 2), default=1, help="每页通知数：1 或 2（2 张时中间有裁切虚线）")
    p.add_argument("--by", default="", help="联系人（走访人）姓名：通知单上印其姓名和电话；不填则留空白线手写")
    p.add_argument("--no-receipt", action="store_true", help="每页一张时不印下方的回执")
    p.set_defaults(handler=cmd_notices)

    p = sub.add_parser("leaflet", parents=[parent], help="打印明白纸或致家长的一封信（模板可编辑）")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--template", default="leaflet", help="模板名：leaflet（明白纸）、letter（致家长的一封信）或自建模板")
    p.add_argument("--by", default="", help="联系人姓名（印在信上）")
    p.add_argument("--generic", action="store_true", help="致家长的信只印一份通用信，不逐户打印")
    _scope_args(p)
    p.set_defaults(handler=cmd_leaflet)

    p = sub.add_parser("visit-sheet", parents=[parent], help="打印入户走访登记表（按组，纸上登记后再录入）")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--group", nargs="+", action="extend", metavar="G", help="只打印这些组，例如 一组")
    p.add_argument("--village", help="只打印这个村（社区）（乡镇工作区用）")
    p.set_defaults(handler=cmd_visit_sheet)

    p = sub.add_parser("template", parents=[parent], help="查看或修改明白纸、致家长的信的模板")
    p.add_argument("--db", required=True)
    p.add_argument("--name", help="模板名，例如 leaflet、letter")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--show", action="store_true", help="显示当前使用的模板文字")
    act.add_argument("--edit-from", metavar="FILE", help="用这个文本文件（UTF-8 或 GBK）替换本工作区的模板")
    act.add_argument("--reset", action="store_true", help="删除本工作区的修改，恢复自带模板")
    act.add_argument("--fields", action="store_true", help="列出可用的占位符")
    p.set_defaults(handler=cmd_template)


def _warn(res) -> list[str]:
    if not res.missing_glyphs:
        return []
    return [f"注意：有 {len(res.missing_glyphs)} 处生僻字字体中没有，已印为虚线方框，请手写补全：",
            glyph_summary(res.missing_glyphs)]


def cmd_notices(args):
    with open_ws(args.db, create=False) as ws:
        res = build_notices(ws, args.out, households=_selected(ws, args), per_page=args.per_page, by=args.by,
                            receipt=not args.no_receipt,
                            progress=None if args.json else progress_printer("生成通知单"))
    lines = [f"已生成缴费通知单：{res.households} 户，{res.persons} 人，共 {res.pages} 页，"
             f"应缴合计 {res.extra['total_amount']} 元。\n文件：{args.out}"]
    if args.by and not res.extra["canvasser_known"]:
        lines.append(f"注意：没有走访人“{args.by}”的资料，通知单上的联系电话留空。")
    lines += _warn(res)
    return res.as_json(), "\n".join(lines)


def cmd_leaflet(args):
    with open_ws(args.db, create=False) as ws:
        res = build_leaflet(ws, args.out, template=args.template, by=args.by, generic=args.generic,
                            households=_selected(ws, args),
                            progress=None if args.json else progress_printer("生成"))
    if res.extra["generic"]:
        what = f"已生成“{args.template}”1 份（{res.pages} 页）"
    else:
        what = f"已生成致家长的信 {res.extra['letters']} 份（{res.households} 户，{res.persons} 名学生，{res.pages} 页）"
    src = {"workspace": "本工作区修改过的模板", "township": "乡镇下发的模板"}.get(res.extra["source"], "自带模板")
    lines = [f"{what}，使用{src}。\n文件：{args.out}", *_warn(res)]
    return res.as_json(), "\n".join(lines)


def cmd_visit_sheet(args):
    with open_ws(args.db, create=False) as ws:
        res = build_visit_sheet(ws, args.out, groups=args.group, village=args.village,
                                progress=None if args.json else progress_printer("生成走访表"))
    lines = [f"已生成入户走访登记表：{res.extra['groups']} 个组，{res.households} 户，{res.persons} 人，"
             f"共 {res.pages} 页。\n文件：{args.out}", *_warn(res)]
    return res.as_json(), "\n".join(lines)


def cmd_template(args):
    with open_ws(args.db, create=False) as ws:
        if args.fields:
            data = {"fields": T.FIELDS, "blocks": list(T.BLOCKS)}
            return data, "\n".join([*(f"{{{k}}}\t{v}" for k, v in T.FIELDS.items()),
                                    "区块：" + " ".join(T.BLOCKS)])
        if not args.name:
            names = T.builtin_names()
            edited = T.edited_names(ws)
            data = {"templates": names, "edited": edited}
            return data, "模板：" + "、".join(f"{n}{'（已修改）' if n in edited else ''}" for n in names)
        if args.edit_from:
            text = T.read_file(args.edit_from)
            blocks = T.save(ws, args.name, text)
            return ({"name": args.name, "saved": True, "blocks": len(blocks)},
                    f"已保存模板“{args.name}”（{len(blocks)} 段），以后打印将使用修改后的文字。" +
                    ("各村收到乡镇的回传包后也将使用。" if ws.tier.coordinates else ""))
        if args.reset:
            had = T.reset(ws, args.name)
            if not had:
                T.builtin_text(args.name)  # an unknown name is bad input
            return ({"name": args.name, "reset": had},
                    f"已恢复自带模板“{args.name}”。" if had else f"模板“{args.name}”没有修改过。")
        text, source = T.load(ws, args.name)
        if not args.show and not args.json:
            raise InputError("请指定 --show、--edit-from FILE、--reset 或 --fields")
        return {"name": args.name, "source": source, "text": text}, text
