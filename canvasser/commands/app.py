"""Commands: backup, restore (the window makes a daily backup by itself)."""

from __future__ import annotations

import argparse

from ..core.storage import backup as backup_mod
from ..core.storage.secretfile import read_secret
from ._util import open_ws


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("backup", parents=[parent], help="备份工作区（默认存入数据目录的 backups 文件夹，保留最近7天）")
    p.add_argument("--db", required=True, help="工作区文件")
    p.add_argument("--out", help="备份到指定文件（不指定则为当天的日备份）")
    p.add_argument("--keep", type=int, default=backup_mod.KEEP, help="保留最近几天的日备份")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", parents=[parent], help="用备份恢复工作区（恢复前自动保存当前文件）")
    p.add_argument("--db", required=True, help="要恢复的工作区文件")
    p.add_argument("--from", dest="source", required=True, metavar="FILE", help="备份文件")
    p.add_argument("--other-workspace", action="store_true", help="备份属于另一个工作区时也照样恢复（会替换当前的全部数据）")
    p.add_argument("--backup-passphrase-file", metavar="FILE",
                   help="做备份时的工作区口令（备份属于另一把密钥、现在的口令打不开它时才需要）")
    p.set_defaults(handler=cmd_restore)


def cmd_backup(args):
    with open_ws(args.db, create=False, look=True) as ws:
        path = backup_mod.backup(ws, args.out)
        events = ws.event_count()
        pruned = [] if args.out else [str(p) for p in backup_mod.prune(path.parent, args.keep)]
        data = {"backup": str(path), "events": events, "pruned": pruned, "workspace_id": ws.workspace_id,
                "kept": [b["file"] for b in backup_mod.list_backups(ws)] if not args.out else [str(path)]}
    return data, f"已备份 {events} 条记录到：{path}" + (f"\n已删除较旧的备份 {len(pruned)} 个" if pruned else "")


def cmd_restore(args):
    old = read_secret(args.backup_passphrase_file, "备份口令") if args.backup_passphrase_file else None
    res = backup_mod.restore(args.db, args.source, other_workspace=args.other_workspace, backup_passphrase=old)
    summary = f"已用 {res['from']} 恢复工作区（{res['events']} 条记录）。"
    if res["saved_previous"]:
        summary += f"\n恢复前的文件已另存为：{res['saved_previous']}"
    return res, summary
