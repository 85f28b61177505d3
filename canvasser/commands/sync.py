"""Commands: init, setup-package, export, receive, status, keys, rekey, conflicts (DESIGN §6, §8)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core import sync
from ..core.errors import InputError
from ..core.sync.conflicts import assignment_line
from ..core.sync.origins import gap_words
from ..core.text import ids
from ..core.tiers import Tier
from ._util import open_ws

FILE_KEY_WARNING = ("注意：未设口令（--no-code），配置包只能防止被随手翻看，懂行的人拿到文件就能打开名单并冒充该村。"
                    "请当面交接（U盘），不要通过微信/QQ发送；需要网上传送时不要加 --no-code，并用电话另行告知口令。")


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[parent], help="建立县工作区（--county）、乡镇工作区（--township），"
                       "或用配置包建立村工作区、县下的乡镇工作区（--from）")
    p.add_argument("--db", required=True, help="工作区文件")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--county", metavar="县名", help="建立县（县医保局）工作区")
    g.add_argument("--township", metavar="乡镇名", help="建立乡镇工作区")
    g.add_argument("--from", dest="setup", metavar="配置包.ccpkg",
                   help="用乡镇发来的配置包建立村工作区，或用县里发来的配置包建立乡镇工作区（已有工作区则加入，原有工作保留）")
    p.add_argument("--code", help="配置包的口令（生成时设了口令才需要）")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("setup-package", parents=[parent], help="乡镇为一个村、县为一个乡镇生成配置包（名单、征缴规则、密钥）")
    p.add_argument("--db", required=True, help="乡镇或县工作区")
    u = p.add_mutually_exclusive_group(required=True)
    u.add_argument("--village", help="村（社区）名称（乡镇工作区）")
    u.add_argument("--township", help="乡镇（街道）名称（县工作区）")
    p.add_argument("--out", required=True, help="配置包文件（.ccpkg）")
    p.add_argument("--code", help="自定口令（至少12位，字母和数字都要有）；不加时程序生成口令，用电话告知村里")
    p.add_argument("--no-code", action="store_true", help="不设口令（不安全：拿到文件的人就能冒充该村），只用于当面交接")
    p.set_defaults(handler=cmd_setup)

    p = sub.add_parser("rekey", parents=[parent], help="村（乡镇）的电脑丢失时：换新密钥并生成新配置包，旧密钥作废")
    p.add_argument("--db", required=True, help="乡镇或县工作区")
    u = p.add_mutually_exclusive_group(required=True)
    u.add_argument("--village", help="村（社区）名称（乡镇工作区）")
    u.add_argument("--township", help="乡镇（街道）名称（县工作区）")
    p.add_argument("--out", required=True, help="新配置包文件（.ccpkg）")
    p.add_argument("--code", help="自定口令（至少12位，字母和数字都要有）；不加时程序生成口令")
    p.add_argument("--no-code", action="store_true", help="不设口令（不安全），只用于当面交接")
    p.set_defaults(handler=cmd_rekey)

    p = sub.add_parser("export", parents=[parent], help="导出数据包：对方尚未收到的全部改动（含证明照片）")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True, help="数据包文件（.ccpkg）；--all-townships 时为文件夹")
    p.add_argument("--village", help="乡镇导出时：发给哪个村（社区）；不加则是上报县里的数据包")
    p.add_argument("--township", help="县导出时：发给哪个乡镇（街道）")
    p.add_argument("--all-townships", action="store_true", help="县导出时：给每个已配置的乡镇各导出一个回传包到 --out 文件夹")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("receive", parents=[parent], help="接收对方的数据包（可一次接收多个；重复接收不会重复计入）")
    p.add_argument("--db", required=True)
    p.add_argument("files", nargs="+", metavar="FILE", help="数据包文件（.ccpkg），可多个：一次事务全部导入，"
                   "其中任何一个有问题则都不导入")
    p.set_defaults(handler=cmd_receive)

    p = sub.add_parser("status", parents=[parent], help="同步状态：未上报的改动数、上次收到对方数据包的时间")
    p.add_argument("--db", required=True)
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("keys", parents=[parent], help="显示本工作区和对方的密钥指纹（核对用）")
    p.add_argument("--db", required=True)
    p.set_defaults(handler=cmd_keys)

    p = sub.add_parser("held", parents=[parent], help="乡镇（县）：村（乡镇）数据包中超出其范围、暂未采用的记录；可采用或拒绝")
    p.add_argument("--db", required=True, help="乡镇或县工作区")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--accept", metavar="数据包编号", help="采用这个数据包中暂存的记录（all：全部）")
    g.add_argument("--reject", metavar="数据包编号", help="拒绝这个数据包中暂存的记录（all：全部），记录保留备查")
    p.set_defaults(handler=cmd_held)

    p = sub.add_parser("conflicts", parents=[parent], help="待核对：同一身份证号被两个村（乡镇）分别新增的人员；可指定归属")
    p.add_argument("--db", required=True)
    p.add_argument("--resolve", metavar="身份证号", help="指定此人归属的村（与 --village 一起用；县里用 --township）")
    p.add_argument("--village", help="归属的村（社区）")
    p.add_argument("--township", help="县里：归属的乡镇（街道）（该乡镇有几个村新增了此人时再加 --village）")
    p.add_argument("--all", action="store_true", help="也列出已处理的")
    p.add_argument("--by", default="", help="操作人")
    p.set_defaults(handler=cmd_conflicts)


def cmd_init(args):
    if args.county:
        with open_ws(args.db) as ws:
            res = sync.init_county(ws, args.county)
        return res, (f"已建立县工作区：{res['county']}。本县密钥指纹：{res['fingerprint']}\n"
                     f"下一步：canvasser import-roster --db {args.db} 全县名单（须有“乡镇（街道）”列），"
                     f"用 canvasser campaign --db {args.db} --target 乡镇=任务数 设各乡镇任务数，然后为每个乡镇生成配置包 "
                     f"canvasser setup-package --db {args.db} --township 乡镇名 --out 配置包.ccpkg")
    if args.township:
        with open_ws(args.db) as ws:
            res = sync.init_township(ws, args.township)
        return res, (f"已建立乡镇工作区：{res['township']}。本乡镇密钥指纹：{res['fingerprint']}\n"
                     f"下一步：canvasser import-roster --db {args.db} 全乡镇名单，然后为每个村生成配置包 "
                     f"canvasser setup-package --db {args.db} --village 村名 --out 配置包.ccpkg")
    res = sync.init_village(args.db, args.setup, code=args.code)
    code = res.pop("recovery_code", None)
    if code:
        sys.stderr.write(f"新工作区已加密。恢复码（只显示这一次，请抄下或打印后妥善保管；忘记口令时用它设新口令）：{code}\n")
    if res["mode"] == "township":
        return res, _township_joined(res) if res.get("joined") else (
            f"已建立乡镇工作区：{res['county']}{res['township']}，{res['people']} 人，{res['events']} 条记录。\n"
            f"本乡镇密钥指纹：{res['fingerprint']}；县密钥指纹：{res['coordinator_fingerprint']}（可与县里电话核对）。\n"
            f"下一步：为每个村生成配置包 canvasser setup-package --db {args.db} --village 村名 --out 配置包.ccpkg；"
            f"上报县里用 canvasser export --db {args.db} --out 数据包.ccpkg")
    if res.get("joined"):
        lines = [f"本工作区已加入{res['township']}，成为“{res['village']}”的村工作区，之前的走访和修改都保留。",
                 f"有 {res['pending']} 条记录等待交给乡镇：请用 canvasser export 导出数据包。"]
        if res["local_only"]:
            lines.append(f"本村名单中有 {res['local_only']} 人不在乡镇名单里，将作为本村新增人员报给乡镇。")
        if res["township_only"]:
            lines.append(f"乡镇名单中有 {res['township_only']} 人不在本村原来的名单里，已加入。")
        if res.get("no_overlap"):
            lines.append("注意：乡镇名单和本村名单没有一个相同的人。请核对配置包是不是本村的、本村导入的是不是今年的名单。")
        if res.get("replaced_settings"):
            lines.append("征缴设置以乡镇的为准，本村以前改过的这些已换成乡镇的：" +
                         "；".join(f"{r['label']} 本村“{r['本村']}”→乡镇“{r['乡镇']}”" for r in res["replaced_settings"]))
        lines += _differences(res["differences"], "本村", "乡镇")
        return res, "\n".join(lines)
    return res, (f"已建立村工作区：{res['township']}{res['village']}，{res['people']} 人，{res['events']} 条记录。\n"
                 f"本村密钥指纹：{res['fingerprint']}；乡镇密钥指纹：{res['township_fingerprint']}"
                 f"（可与乡镇电话核对）。")


_LABELS = {"name": "姓名", "township": "乡镇", "village": "村", "grp": "组", "household": "户编号",
           "relation": "与户主关系", "address": "地址", "phone": "电话", "categories": "人员类别"}


def _differences(differences: list[dict], mine: str, theirs: str) -> list[str]:
    if not differences:
        return []
    lines = [f"有 {len(differences)} 人在两份名单中的信息不同（两个版本都记在其历史里），请核对："]
    for d in differences[:20]:
        what = "；".join(f"{_LABELS.get(f, f)} {mine}“{v[mine]}”/{theirs}“{v[theirs]}”"
                        for f, v in d["fields"].items() if f != "phone")
        phone = "（电话不同）" if "phone" in d["fields"] else ""
        lines.append(f"  {d['name']} {ids.mask(d['id'])}：{what}{phone}")
    return lines


def _township_joined(res: dict) -> str:
    lines = [f"本乡镇工作区已加入{res['county']}，之前的工作、各村的配置都保留（各村照常与本乡镇交换数据包）。",
             f"有 {res['pending']} 条记录等待上报县里：请用 canvasser export --db 乡镇工作区 --out 数据包.ccpkg 导出。"]
    if res["local_only"]:
        lines.append(f"本乡镇名单中有 {res['local_only']} 人不在县里的名单里，将作为本乡镇的人员报给县里。")
    if res["county_only"]:
        lines.append(f"县里的名单中有 {res['county_only']} 人不在本乡镇原来的名单里，已加入。")
    if res["renamed"]:
        lines.append(f"本乡镇名单中 {res['renamed']} 人的乡镇名与县里不同（或未注明），已统一为“{res['township']}”。")
    return "\n".join(lines + _differences(res["differences"], "本乡镇", "县"))


def cmd_setup(args, rekey: bool = False):
    with open_ws(args.db, create=False) as ws:
        make = sync.rekey_village if rekey else sync.make_setup_package
        res = make(ws, args.village or args.township, args.out, code=args.code, no_code=args.no_code)
    unit = res.get("village") or res.get("township")
    what, me = ("村", "乡镇") if res["tier"] == "village" else ("乡镇", "县")
    lines = [f"已为“{unit}”生成{'新' if rekey else ''}配置包：{res['file']}（{res['people']} 人，"
             f"{res['events']} 条记录，{res['photos']} 张照片，{res['bytes'] // 1024 + 1} KB）。",
             f"该{what}密钥指纹：{res['fingerprint']}；本{me}密钥指纹：{res['coordinator_fingerprint']}。",
             f"{what}里用：canvasser init --db {what}工作区.db --from {Path(res['file']).name}"
             + (" --code 口令" if res["protected"] == "code" else "")]
    if rekey:
        lines.append(f"该{what}的旧密钥已作废（共 {len(res['revoked'])} 个），用旧密钥签名的数据包将被拒收。")
    if res["protected"] == "code":
        lines.append(f"配置包口令：{res['code']}")
        lines.append(f"配置包已用口令加密：请用电话把口令告诉{what}里，不要和文件一起发送。")
    else:
        lines.append(FILE_KEY_WARNING)
    res["warning"] = "" if res["protected"] == "code" else FILE_KEY_WARNING
    return res, "\n".join(lines)


def cmd_rekey(args):
    return cmd_setup(args, rekey=True)


def cmd_export(args):
    with open_ws(args.db, create=False) as ws:
        if args.all_townships:
            if ws.tier is not Tier.COUNTY:
                raise InputError("--all-townships 只用于县工作区")
            if args.township:
                raise InputError("--all-townships 与 --township 只能选一个")
            results = sync.export_all(ws, args.out)
            res = {"events": sum(r["events"] for r in results), "packages": results, "folder": str(args.out)}
            return res, "\n".join(f"已导出给“{r['receiver']}”的回传包：{Path(r['file']).name}，{r['events']} 条改动。"
                                   for r in results)
        res = sync.export_package(ws, args.out, village=args.village, township=args.township)
    lines = [f"已导出数据包：{res['file']}，发给“{res['receiver']}”，{res['events']} 条改动，{res['photos']} 张照片"
             f"（{res['bytes'] // 1024 + 1} KB，已加密并签名）。"]
    if not res["events"]:
        lines.append("没有对方尚未收到的改动；数据包仍带有本方的接收确认，可照常发送。")
    if res["missing_photos"]:
        lines.append(f"注意：有 {res['missing_photos']} 张证明照片在本机找不到，未能放入数据包。")
    return res, "\n".join(lines)


def _received(res: dict) -> str:
    if res["duplicate"]:
        return f"{Path(res['file']).name}（来自“{res['sender']}”）以前已经接收过，没有新的内容。"
    return (f"已接收“{res['sender']}”的数据包 {Path(res['file']).name}：新增 {res['applied']} 条记录，"
            f"{res['already_known']} 条以前已有" + (f"，{res['photos']} 张新照片" if res["photos"] else "") + "。"
            + (f"\n注意：{sync.scope.held_line(res)}。处理：canvasser held --db 工作区"
               if res.get("held") else ""))


def cmd_receive(args):
    with open_ws(args.db, create=False) as ws:
        results = sync.receive_packages(ws, args.files)
        status = sync.sync_status(ws)
        returned = sync.scope.returned_line(ws) if status.get("mode") == "village" else ""
    if len(results) == 1:
        res = dict(results[0])
    else:
        res = {"applied": sum(r["applied"] for r in results), "held": sum(r.get("held", 0) for r in results),
               "already_known": sum(r["already_known"] for r in results), "packages": results}
    summary = "\n".join(_received(r) for r in results)
    if status.get("above"):
        summary += f"\n尚未被{status['above']['name']}收到的改动：{status['above']['unsent']} 条。"
        res["unsent"] = status["above"]["unsent"]
    for r in results:  # numbers missing from a sender's records: said with its name (origins.gaps)
        for g in r.get("gaps") or []:
            summary += "\n" + gap_words(g)
    if len(results) > 1:
        res["gaps"] = [g for r in results for g in r.get("gaps") or []]
    if status.get("mode") == "village":
        res["returned"] = {"not_taken": status["returned_not_taken"], "waiting": status["returned_waiting"]}
        if returned:
            summary += f"\n{returned}（原因：canvasser status --db 本村工作区）。"
    return res, summary


def _when(value: str | None) -> str:
    return value.replace("T", " ")[:16] if value else "从未"


def cmd_status(args):
    with open_ws(args.db, create=False, look=True) as ws:
        res = sync.sync_status(ws)
        if res.get("mode") == "village":
            res["returned"] = sync.scope.returned(ws)
    if not res["enabled"]:
        return res, "本工作区未启用同步（单机使用）。"
    if res["mode"] == "village":
        lines = [f"{res['township']}{res['village']}：走访 {res['visits_unsent']} 条还没导出，"
                 f"{res['visits_waiting']} 条已导出等乡镇确认（连同其他改动，乡镇尚未确认收到的共 {res['unsent']} 条）；"
                 f"上次收到乡镇数据包：{_when(res['last_received_at'])}；上次导出：{_when(res['last_sent_at'])}。"]
        if res["returned"]:
            lines.append(f"乡镇未采用或待审核的本村记录 {len(res['returned'])} 条：")
            lines += [f"  {_when(r['recorded_at'])}\t{r['name']}\t{r['what']}\t{r['state']}：{r['reason']}"
                      for r in res["returned"][:50]]
        return res, "\n".join(lines)
    what = "村" if res["mode"] == "township" else "乡镇"
    units = res.get("villages") if res["mode"] == "township" else res.get("townships")
    lines = [f"{res['name']}（{'乡镇' if res['mode'] == 'township' else '县'}）：共 {res['events']} 条记录，"
             f"待核对 {res['conflicts']} 人，待审核的暂存记录 {res['held']} 条。"]
    if res.get("above"):
        up = res["above"]
        lines.append(f"  上报{up['name']}：有 {up['unsent']} 条改动县里尚未收到；上次收到县里数据包：{_when(up['last_received_at'])}"
                     f"；上次上报：{_when(up['last_sent_at'])}")
    for v in units:
        events = f"，{v['events']} 条记录" if v.get("events") is not None else ""
        lines.append(f"  {v.get('village') or v.get('township')}：{v['people']} 人{events}；上次收到数据包："
                     f"{_when(v['last_received_at'])}（共 {v['packages_received']} 个）；上次发出：{_when(v['last_sent_at'])}")
    if not units:
        lines.append(f"  还没有为任何{what}生成配置包。")
    return res, "\n".join(lines)


def cmd_keys(args):
    with open_ws(args.db, create=False, look=True) as ws:
        res = sync.keys_info(ws)
    lines = [f"本工作区（{res['name']}）密钥指纹：{res['fingerprint']}"]
    for p in res["peers"]:
        extra = f"，已作废旧密钥 {len(p['revoked'])} 个" if p["revoked"] else ""
        lines.append(f"  {Tier.of(p['kind']).label} {p['name']}：{p['fingerprint']}{extra}")
    lines.append("核对方法：双方打电话，各自读出指纹的前几组，应与对方屏幕上的一致。")
    return res, "\n".join(lines)


def cmd_held(args):
    with open_ws(args.db, create=False) as ws:
        sync.peers.require_sync(ws, "coordinator")
        if args.accept or args.reject:
            res = sync.scope.decide(ws, args.accept or args.reject, accept=bool(args.accept))
            verb = "采用" if res["accepted"] else "拒绝"
            return res, f"已{verb} {res['events']} 条暂存记录" + (f"，新增 {res['applied']} 条。" if res["accepted"] else "。")
        items = sync.scope.list_held(ws)
        records = sync.scope.held_records(ws)
    lines = [f"暂存待审核的数据包 {len(items)} 个，共 {len(records)} 条记录（下级数据包中未采用的记录）："]
    for i in items:
        why = "；".join(f"{k} {n} 条" for k, n in i["reasons"].items())
        lines.append(f"  {i['package_id']}\t{i['village']}\t{i['events']} 条\t{why}")
    for r in records[:50]:
        lines.append(f"    {r['village']}\t{r['name']}\t{ids.mask(r['id']) if r['id'] else ''}\t{r['what']}\t{r['reason']}")
    if items:
        lines.append("处理：canvasser held --db 工作区 --accept 数据包编号（或 --reject 数据包编号）；"
                     "重复建档的人员在 canvasser conflicts --resolve 确定归属时，归属的村（乡镇）暂存的记录一并采用")
    return {"held": items, "total": len(items), "records": records}, "\n".join(lines)


def cmd_conflicts(args):
    with open_ws(args.db, create=False) as ws:
        if args.resolve:
            if not args.village and not args.township:
                raise InputError("请用 --village 指定此人归属的村（社区）" if ws.tier is not Tier.COUNTY
                                 else "请用 --township 指定此人归属的乡镇（街道）")
            res = sync.resolve_conflict(ws, args.resolve, args.village or "", township=args.township or "", by=args.by)
            return res, assignment_line(res)
        items = sync.list_conflicts(ws, include_resolved=args.all)
    lines = [f"待核对人员 {sum(not i['resolved'] for i in items)} 人（同一身份证号被不同村或乡镇分别新增）："]
    for i in items:
        lines.append(f"  {i['name']}\t{i['masked_id']}\t{'、'.join(i['villages'])}"
                     + ("\t已处理" if i["resolved"] else ""))
    if items:
        lines.append("处理：canvasser conflicts --db 工作区 --resolve 身份证号 --village 归属的村（县里：--township 归属的乡镇）")
    return {"conflicts": items, "total": len(items)}, "\n".join(lines)
