"""Commands: visit, undo, import-paid, person, followups, campaign, canvasser."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from ..core import clock, outcomes
from ..core.errors import InputError
from ..core.lists.paid import FIELDS as PAID_FIELDS
from ..core.lists.paid import import_paid
from ..core.lists.tables import parse_map
from ..core.rules import campaign as campaign_mod
from ..core.rules import figures
from ..core.rules.campaign import OUTCOMES, STATUS_LABELS
from ..core.rules.people import EDITABLE, LEFT_REASONS, add_person, mark_left, move_person, update_person
from ..core.rules.visits import (
    ensure_canvasser,
    followups,
    last_visit_by,
    parse_date,
    record_visit,
    stop_canvasser,
    undo_last,
    void_visit,
)
from ..core.text import ids, names
from ..core.tiers import Tier
from ._util import open_ws, progress_printer

OUTCOME_HELP = "，".join(f"{c}={lab}" for c, (lab, _) in OUTCOMES.items())


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("visit", parents=[parent], help="记录一次走访（入户、电话、微信……）及结果")
    p.add_argument("--db", required=True)
    p.add_argument("--id", required=True, help="身份证号")
    p.add_argument("--outcome", required=True, help=f"结果代码或中文：{OUTCOME_HELP}")
    p.add_argument("--reason", default="", help="原因（拒绝时：经济困难/认为用不上/嫌费用上涨/已买商业保险/其他）")
    p.add_argument("--promised", help="承诺缴费日期 YYYY-MM-DD（承诺缴费时必填）")
    p.add_argument("--followup", help="下次跟进日期 YYYY-MM-DD")
    p.add_argument("--via", default="入户", help="联系方式：" + "/".join(campaign_mod.CHANNELS))
    p.add_argument("--note", default="", help="备注")
    p.add_argument("--place", default="", help="外出地点或参保地（外地参保、外出务工时）")
    p.add_argument("--at", help="走访日期 YYYY-MM-DD（补录纸质登记表时用，默认现在）")
    p.add_argument("--photo", action="append", default=[], help="证明材料照片，可多次使用")
    p.add_argument("--by", default="", help="走访人（新名字会自动建档）")
    p.add_argument("--phone", default="", help="走访人电话（建档时用）")
    p.set_defaults(handler=cmd_visit)

    p = sub.add_parser("undo", parents=[parent], help="撤销（作废）自己的最后一条走访记录，或指定的一条")
    p.add_argument("--db", required=True)
    p.add_argument("--by", default="", help="你的名字：撤销你记的最后一条（作废记在你名下）")
    p.add_argument("--visit", help="要作废的走访记录编号（记录走访时显示）")
    p.add_argument("--reason", default="录入错误")
    p.set_defaults(handler=cmd_undo)

    p = sub.add_parser("import-paid", parents=[parent], help="导入医保局的已缴费名单（官方缴费状态）")
    p.add_argument("--db", required=True)
    p.add_argument("file")
    p.add_argument("--map", action="append", metavar="列名=字段", help=f"字段：{'、'.join(PAID_FIELDS)}")
    p.add_argument("--by", default="")
    p.set_defaults(handler=cmd_import_paid)

    p = sub.add_parser("person", parents=[parent], help="修改人员信息、新增名单外人员、调户、标记离开")
    p.add_argument("--db", required=True)
    p.add_argument("--id", required=True, help="身份证号")
    p.add_argument("--set", action="append", default=[], metavar="字段=值",
                   help="修改：" + "/".join(EDITABLE))
    p.add_argument("--add", metavar="姓名", help="新增名单外人员（新生儿、迁入）的姓名")
    p.add_argument("--household", help="户编号（新增或调户）")
    p.add_argument("--group", default="")
    p.add_argument("--relation", default="")
    p.add_argument("--address", default="")
    p.add_argument("--phone", default="")
    p.add_argument("--categories", default="")
    p.add_argument("--move", action="store_true", help="调到 --household 指定的户")
    p.add_argument("--left", choices=LEFT_REASONS, help="标记离开")
    p.add_argument("--note", default="")
    p.add_argument("--by", default="")
    p.set_defaults(handler=cmd_person)

    p = sub.add_parser("followups", parents=[parent], help="今天该跟进的人：承诺到期、无人在家、外出人员")
    p.add_argument("--db", required=True)
    p.add_argument("--date", help="日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--by", help="只看某位走访人的")
    p.add_argument("--group", help="只看某个组")
    p.add_argument("--village", help="只看某个村（社区）（乡镇工作区按村分工时用）")
    p.set_defaults(handler=cmd_followups)

    p = sub.add_parser("campaign", parents=[parent], help="查看或修改本年度征缴规则（标准、资助、期限、任务数……）")
    p.add_argument("--db", required=True)
    p.add_argument("--set", action="append", default=[], metavar="键=值",
                   help="修改设置（按类型检查，有误则不作任何修改）；值可写 JSON，例如 targets={\"青石村\":800}；"
                        "缴费码：payment_link=网址 或 payment_image=图片文件（PNG/JPG），payment_caption=说明文字")
    p.add_argument("--target", action="append", default=[], metavar="村=任务数",
                   help="设置某村任务数（县工作区：乡镇=任务数）")
    p.add_argument("--by", default="")
    p.set_defaults(handler=cmd_campaign)

    p = sub.add_parser("canvasser", parents=[parent], help="走访人档案：列出、新增（姓名、电话）或停用")
    p.add_argument("--db", required=True)
    p.add_argument("--add", metavar="姓名")
    p.add_argument("--phone", default="")
    p.add_argument("--stop", metavar="姓名", help="停用（不再出现在开始工作的名单中；走访记录保留）")
    p.set_defaults(handler=cmd_canvasser)


def cmd_visit(args):
    with open_ws(args.db, create=False) as ws:
        visit_id = record_visit(ws, args.id, args.outcome, by=args.by, via=args.via, reason=args.reason,
                                promised=args.promised, followup=args.followup, note=args.note, place=args.place,
                                at=args.at, photos=args.photo, phone=args.phone)
        row = ws.one("SELECT pid, name, status FROM persons WHERE pid=(SELECT pid FROM visits WHERE visit_id=?)",
                     (visit_id,))
        done = campaign_mod.load(ws).is_done(row["status"])
    data = {"visit_id": visit_id, "id": row["pid"], "status": row["status"], "done": done}
    return data, (f"已记录：{row['name']}（{ids.mask(row['pid'])}）— {STATUS_LABELS.get(row['status'], row['status'])}"
                  f"{'，已完成' if done else ''}。撤销这一条：canvasser undo --db {args.db} --visit {visit_id}"
                  + (f" --by {args.by}" if args.by else ""))


def cmd_undo(args):
    """Undo only one's own last visit; anyone else's only by its number, and never anonymously."""
    by = (args.by or "").strip()
    with open_ws(args.db, create=False) as ws:
        if args.visit:
            author = ws.scalar("SELECT author FROM visits WHERE visit_id=?", (args.visit,))
            if not by and author:
                raise InputError(f"请用 --by 写明是谁作废这条走访（它是“{author}”记的），作废记录会记在这个名字下")
            void_visit(ws, args.visit, by=by or (author or ""), reason=args.reason)
            row = {"visit_id": args.visit}
        else:
            last = last_visit_by(ws)
            if not by and last:  # whose last visit? not the program's to guess
                raise InputError(f"最后一条走访是“{last}”记的。撤销你自己的最后一条请加 --by 你的名字；"
                                 f"确实要作废别人的某一条，请用 --visit 记录编号 --by 你的名字")
            row = undo_last(ws, by=by)
            if row is None:
                raise InputError(f"“{by}”没有可撤销的走访记录" if by else "没有可撤销的走访记录")
    return {"voided": row["visit_id"]}, f"已作废走访记录 {row['visit_id']}（记录仍保留，可追溯）。"


def cmd_import_paid(args):
    overrides = parse_map(args.map, PAID_FIELDS)
    with open_ws(args.db, create=False) as ws:
        res = import_paid(ws, args.file, overrides=overrides, author=args.by,
                          progress=None if args.json else progress_printer("核对"))
    lines = [f"已缴费名单：匹配 {res.matched} 人（新记录 {res.new}，已有 {res.already}）。"]
    if res.claimed:
        lines.append("本工作区不是医保局名单的导入方：这份名单上的人记为“已自行缴费（待核实）”，随数据包报上级；"
                     "“医保局确认”只来自上级导入的医保局缴费名单。")
    if res.warning:
        lines.append(f"注意：{res.warning}")
    if res.unmatched:
        lines.append(f"未匹配 {len(res.unmatched)} 行：")
        lines += [f"  第{r['row']}行：{r['reason']}" for r in res.unmatched[:30]]
    if res.duplicates:
        lines.append(f"重复 {len(res.duplicates)} 行（只计一次）")
    return res.as_json(), "\n".join(lines)


def _pairs(items: list[str]) -> dict:
    out = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"格式应为 字段=值：{item}")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def cmd_person(args):
    with open_ws(args.db, create=False) as ws:
        if args.add:
            pid = add_person(ws, args.id, args.add, grp=args.group, household=args.household or "",
                             relation=args.relation, address=args.address, phone=args.phone,
                             categories=args.categories, by=args.by)
            added = ws.scalar("SELECT name FROM persons WHERE pid=?", (pid,)) or args.add
            warn = names.warning(added)
            return ({"id": pid, "added": True, "name": added, "rare_chars": "".join(names.rare_chars(added))},
                    f"已新增：{added}（{ids.mask(pid)}）" + (f"\n注意：{warn}" if warn else ""))
        if args.left:
            mark_left(ws, args.id, args.left, by=args.by, note=args.note)
            return {"left": args.left}, f"已标记离开：{STATUS_LABELS[args.left]}"
        if args.move:
            if not args.household:
                raise InputError("调户需要 --household 户编号")
            changed = move_person(ws, args.id, args.household, relation=args.relation, by=args.by)
            return {"changed": changed}, f"已调户到 {args.household}"
        changes = _pairs(args.set)
        if not changes:
            raise InputError("请用 --set 字段=值 指定要修改的内容，或用 --add / --move / --left")
        changed = update_person(ws, args.id, changes, by=args.by)
    return {"changed": changed}, ("已修改：" + "，".join(changed)) if changed else "没有变化"


def cmd_followups(args):
    day = dt.date.fromisoformat(parse_date(args.date, "日期")) if args.date else clock.today()
    with open_ws(args.db, create=False, look=True) as ws:
        if args.village is not None:
            known = figures.known_villages(ws)
            if args.village not in known:
                raise InputError(f"名单中没有“{args.village}”。可用的有：{'、'.join(known) or '（名单为空）'}")
        rows = followups(ws, day, canvasser=args.by, group=args.group, village=args.village)
    lines = [f"{day:%Y-%m-%d} 需跟进 {len(rows)} 人" + (f"（{args.village}）" if args.village else "") + "："]
    for r in rows[:200]:
        place = " ".join(x for x in (r["village"], r["grp"]) if x)
        lines.append(f"  {place}\t{r['name']}\t{r['why']}\t{STATUS_LABELS.get(r['status'], r['status'])}"
                     f"\t{r[outcomes.DATE_FIELD] or r['followup'] or ''}\t{r['last_visit_by']}")
    for r in rows:
        r["id"] = r.pop("pid")
    return {"date": day.isoformat(), "total": len(rows), "results": rows}, "\n".join(lines)


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def cmd_campaign(args):
    with open_ws(args.db, create=False) as ws:
        changes = {k: _value(v) for k, v in _pairs(args.set).items()}
        if args.target:
            key = ws.tier.target_key
            targets = dict(campaign_mod.load(ws).values.get(key) or {})
            units = set(figures.known_units(ws, "township")) if ws.tier is Tier.COUNTY else set()
            for k, v in _pairs(args.target).items():
                if units and k not in units:
                    raise InputError(f"名单中没有乡镇“{k}”。名单中的乡镇：{'、'.join(sorted(units))}")
                try:
                    targets[k] = int(v)
                except ValueError as exc:
                    raise InputError(f"任务数应为整数：{v}") from exc
            changes[key] = targets
        changed = campaign_mod.update(ws, changes, args.by) if changes else {}
        values = campaign_mod.load(ws).values
    def shown(k: str, v) -> str:
        if k == "payment_image":  # a picture, not text to print on a terminal
            return f"已设置（{len(v) * 3 // 4 // 1024} KB）" if v else "未设置"
        return json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)

    lines = [f"{campaign_mod.LABELS.get(k, k)}：{shown(k, v)}" for k, v in values.items()]
    if changed:
        lines.insert(0, "已修改：" + "，".join(campaign_mod.LABELS.get(k, k) for k in changed))
    return {"campaign": values, "changed": list(changed)}, "\n".join(lines)


def cmd_canvasser(args):
    with open_ws(args.db, create=False) as ws:
        if args.add:
            ensure_canvasser(ws, args.add, args.phone)
        if args.stop:
            stop_canvasser(ws, args.stop)
        rows = ws.query("SELECT name, phone, role, active FROM canvassers ORDER BY name")
    stopped = "\t（已停用）"
    return {"canvassers": rows}, "\n".join(
        f"{r['name']}\t{r['phone']}{'' if r['active'] else stopped}" for r in rows) or "还没有走访人档案"
