"""Commands: notices, leaflet, visit-sheet, template (DESIGN §7)."""

from __future__ import annotations

import argparse
import sys

from ..core.errors import InputError
from ..core.outputs.notices import data, firstprint, students
from ..core.outputs.notices import templates as T
from ..core.outputs.notices.data import set_village_phone
from ..core.outputs.notices.leaflet import build_leaflet
from ..core.outputs.notices.notice import build_notices
from ..core.outputs.notices.preflight import summary as glyph_summary
from ..core.outputs.notices.sheet import build_visit_sheet
from ..core.outputs.selection import Scope
from ..core.outputs.selection import households as selected_households
from ..core.rules import campaign
from ..core.text import ids
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


def _print_args(p: argparse.ArgumentParser, *, contact: bool = True) -> None:
    """What every print asks before the first page: this year's amounts confirmed, a contact phone."""
    p.add_argument("--confirm-amounts", action="store_true",
                   help="确认本年度将印出的缴费标准、资助金额、截止日期、咨询电话和缴费渠道无误（每年首次打印时需要确认一次）")
    if contact:
        p.add_argument("--village-phone", metavar="TEL",
                       help="村（社区）委员会的联系电话：走访人没有电话时印在材料上，并记在本工作区")


def _interactive(args) -> bool:
    return not args.json and sys.stdin.isatty() and sys.stderr.isatty()


def _ask(question: str) -> str:
    sys.stderr.write(question)
    sys.stderr.flush()
    return (sys.stdin.readline() or "").strip()


def _print_village(ws) -> str:
    return ws.meta("village", "") or (ws.scalar("SELECT village FROM households GROUP BY village "
                                                "ORDER BY count(*) DESC LIMIT 1") or "")


def before_print(ws, args, *, contact: bool = True) -> dict:
    """This year's amounts shown for confirmation on the first print (asked on a terminal, or
    `--confirm-amounts`; a script's run shows them on stderr and prints, and they are asked
    again until someone confirms), and a contact phone (the canvasser's, else the village
    committee's, asked on a terminal or given by `--village-phone`). Returns what the JSON says."""
    camp = campaign.load(ws)
    out: dict = {}
    village = _print_village(ws)
    if contact and getattr(args, "village_phone", None):
        set_village_phone(ws, village, args.village_phone)
    if firstprint.due(ws, camp):
        shown = firstprint.text(camp)
        if args.confirm_amounts:
            firstprint.confirm(ws, camp, by=getattr(args, "by", "") or "")
        elif _interactive(args):
            sys.stderr.write(f"本年度第一次打印，请核对将印出的金额和缴费方式：\n{shown}\n")
            if _ask("以上无误，继续打印？[y/N] ").lower() not in ("y", "yes", "是"):
                raise InputError("没有确认金额，未打印。如有误请先改设置（canvasser campaign --set …）")
            if not getattr(ws, "look_only", False):  # a workspace only looked at keeps nothing
                firstprint.confirm(ws, camp, by=getattr(args, "by", "") or "")
        else:
            sys.stderr.write(f"注意：本年度的金额尚未确认，请核对将印出的金额（确认后加 --confirm-amounts，"
                             f"或在窗口中确认，此提示不再出现）：\n{shown}\n")
            out["amounts_to_confirm"] = firstprint.lines(camp)
    out["amounts_confirmed"] = not firstprint.due(ws, camp)
    if contact and not data.contact(ws, getattr(args, "by", ""), village).phone:
        if _interactive(args):
            phone = _ask(f"材料上需要一个联系电话：走访人没有登记电话。请输入{village or '本村（社区）'}委员会的联系电话：")
            if not phone:
                raise InputError("没有联系电话，未打印：请用 --by 指定有电话的走访人，或 --village-phone 给出村（社区）电话")
            set_village_phone(ws, village, phone)
        else:
            out["warnings"] = ["材料上没有联系电话（留了手写横线）：请用 --by 指定有电话的走访人，"
                               "或用 --village-phone 给出村（社区）委员会电话"]
    return out


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("notices", parents=[parent], help="打印缴费通知单（每户一张，含缴费二维码）")
    p.add_argument("--db", required=True, help="工作区文件")
    p.add_argument("--out", required=True, help="输出的 PDF 文件")
    _scope_args(p)
    p.add_argument("--per-page", type=int, choices=(1, 2), default=1, help="每页通知数：1 或 2（2 张时中间有裁切虚线）")
    p.add_argument("--by", default="", help="联系人（走访人）姓名：通知单上印其姓名和电话；不填则留空白线手写")
    p.add_argument("--no-receipt", action="store_true", help="每页一张时不印下方的回执")
    _print_args(p)
    p.set_defaults(handler=cmd_notices)

    p = sub.add_parser("leaflet", parents=[parent], help="打印明白纸或致家长的一封信（模板可编辑）")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--template", default="leaflet", help="模板名：leaflet（明白纸）、letter（致家长的一封信）或自建模板")
    p.add_argument("--by", default="", help="联系人姓名（印在信上）")
    p.add_argument("--generic", action="store_true", help="致家长的信只印一份通用信，不逐户打印")
    p.add_argument("--student", nargs="+", action="extend", metavar="ID", default=[],
                   help="确认这些人是在校学生（人员类别加“在校学生”），再打印致家长的信")
    p.add_argument("--not-student", nargs="+", action="extend", metavar="ID", default=[],
                   help="这些学龄人员不是学生：不再询问")
    _scope_args(p)
    _print_args(p)
    p.set_defaults(handler=cmd_leaflet)

    p = sub.add_parser("visit-sheet", parents=[parent], help="打印入户走访登记表（按组，纸上登记后再录入）")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--group", nargs="+", action="extend", metavar="G", help="只打印这些组，例如 一组")
    p.add_argument("--village", help="只打印这个村（社区）（乡镇工作区用）")
    _print_args(p, contact=False)
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


def _checked(res, asked: dict) -> tuple[dict, list[str]]:
    """The result's JSON with what `before_print` found, and the lines it adds to the summary."""
    data = {**res.as_json(), **asked}
    lines = list(asked.get("warnings") or [])
    if "amounts_to_confirm" in asked:
        lines.append("注意：本年度印出的金额尚未确认（见上），核对无误后下次打印加 --confirm-amounts。")
    return data, lines


def cmd_notices(args):
    with open_ws(args.db, create=False, look=True) as ws:
        selected = _selected(ws, args)
        asked = before_print(ws, args)
        res = build_notices(ws, args.out, households=selected, per_page=args.per_page, by=args.by,
                            receipt=not args.no_receipt,
                            progress=None if args.json else progress_printer("生成通知单"))
    data, extra = _checked(res, asked)
    lines = [f"已生成缴费通知单：{res.households} 户，{res.persons} 人，共 {res.pages} 页，"
             f"应缴合计 {res.extra['total_amount']} 元。\n文件：{args.out}"]
    if args.by and not res.extra["canvasser_known"]:
        lines.append(f"注意：没有走访人“{args.by}”的资料。")
    lines += extra + _warn(res)
    return data, "\n".join(lines)


def cmd_leaflet(args):
    with open_ws(args.db, create=False, look=True) as ws:
        if args.student:
            students.confirm(ws, args.student, by=args.by)
        if args.not_student:
            students.decline(ws, args.not_student)
        selected = _selected(ws, args)
        asked = before_print(ws, args)
        res = build_leaflet(ws, args.out, template=args.template, by=args.by, generic=args.generic,
                            households=selected, progress=None if args.json else progress_printer("生成"))
    data, extra = _checked(res, asked)
    if res.extra["generic"] and res.households:
        what = f"已生成“{args.template}”{res.extra['letters']} 份，所选范围每户一份（{res.pages} 页）"
    elif res.extra["generic"]:
        what = f"已生成“{args.template}”1 份（{res.pages} 页）"
    else:
        what = f"已生成致家长的信 {res.extra['letters']} 份（{res.households} 户，{res.persons} 名学生，{res.pages} 页）"
    src = {"workspace": "本工作区修改过的模板", "township": "乡镇下发的模板"}.get(res.extra["source"], "自带模板")
    lines = [f"{what}，使用{src}。\n文件：{args.out}", *extra, *_warn(res)]
    unlisted = res.extra.get("school_age_unlisted") or []
    if unlisted:
        shown = "、".join(f"{p['name']}（{p['age']}岁，{ids.mask(p['id'])}）" for p in unlisted[:10])
        lines.append(f"另有 {len(unlisted)} 名学龄人员没有登记为学生，未给他们写信：{shown}"
                     + ("等" if len(unlisted) > 10 else "") + "。是学生的用 --student 身份证号 确认后再打印；"
                     "不是的用 --not-student 身份证号，不再提示。")
    return data, "\n".join(lines)


def cmd_visit_sheet(args):
    with open_ws(args.db, create=False, look=True) as ws:
        asked = before_print(ws, args, contact=False)
        res = build_visit_sheet(ws, args.out, groups=args.group, village=args.village,
                                progress=None if args.json else progress_printer("生成走访表"))
    data, extra = _checked(res, asked)
    lines = [f"已生成入户走访登记表：{res.extra['groups']} 个组，{res.households} 户，{res.persons} 人，"
             f"共 {res.pages} 页。\n文件：{args.out}", *extra, *_warn(res)]
    return data, "\n".join(lines)


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
