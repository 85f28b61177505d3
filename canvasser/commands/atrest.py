"""Commands: passphrase, recovery-package, recover (encryption at rest, DESIGN §8).

Secrets never come from arguments (they would show in the process list): files, variables, or a
prompt on a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..core.errors import InputError
from ..core.storage import atrest, backup
from ..core.storage.secretfile import read_secret
from ._util import open_ws

NEW_ENV = "CANVASSER_NEW_PASSPHRASE"


def register(sub, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("passphrase", parents=[parent], help="修改工作区口令（只重新包装密钥，不重写数据）")
    p.add_argument("--db", required=True)
    p.add_argument("--new-passphrase-file", metavar="FILE", help=f"新口令文件（也可用 {NEW_ENV}，或在终端输入）")
    p.set_defaults(handler=cmd_passphrase)

    p = sub.add_parser("recovery-package", parents=[parent],
                       help="乡镇：村里忘记口令时，用村工作区的密钥文件（村.db.keys）生成恢复包和恢复码")
    p.add_argument("--db", required=True, help="乡镇工作区")
    p.add_argument("--keys", required=True, help="村里带来的密钥文件（村.db.keys）")
    p.add_argument("--out", required=True, help="恢复包文件")
    p.set_defaults(handler=cmd_recovery_package)

    p = sub.add_parser("recover", parents=[parent], help="忘记口令：用乡镇的恢复包（或建立时的恢复码）设置新口令")
    p.add_argument("--db", required=True)
    p.add_argument("--package", help="乡镇发来的恢复包（单机工作区不填，用建立时的恢复码）")
    p.add_argument("--code-file", metavar="FILE", help="恢复码文件（不填则在终端输入）")
    p.add_argument("--new-passphrase-file", metavar="FILE", help=f"新口令文件（也可用 {NEW_ENV}，或在终端输入）")
    p.set_defaults(handler=cmd_recover)


def _ask(prompt: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(prompt) or None


def new_passphrase(args) -> str:
    if args.new_passphrase_file:
        return read_secret(args.new_passphrase_file, "新口令")
    if os.environ.get(NEW_ENV):
        return os.environ[NEW_ENV]
    first = _ask("新口令（至少 6 个字符）：")
    if first and _ask("再输入一次：") == first:
        return first
    raise InputError(f"没有新口令：请用 --new-passphrase-file、{NEW_ENV}，或在终端输入两次相同的口令")


def cmd_passphrase(args):
    new = atrest.check_new_passphrase(new_passphrase(args))
    with open_ws(args.db, create=False) as ws:
        if ws.key is None:
            raise InputError("这个工作区没有加密（演示村），不需要口令")
        backup.change_passphrase(ws.path, ws.key, new)  # and the kept backups' (they open with it too)
    return {"workspace": str(args.db), "changed": True}, "口令已修改（数据未重写）。请记住新口令。"


def cmd_recovery_package(args):
    from ..core.sync.recovery import recovery_package

    with open_ws(args.db, create=False) as ws:
        res = recovery_package(ws, args.keys, args.out)
    return res, (f"已为“{res['village']}”生成恢复包：{res['file']}\n恢复码：{res['code']}\n"
                 "请用电话把恢复码告诉村里，不要和恢复包一起发送。")


def cmd_recover(args):
    from ..core.sync.recovery import recover

    code = read_secret(args.code_file, "恢复码") if args.code_file else _ask("恢复码：")
    if not code:
        raise InputError("没有恢复码：请用 --code-file 或在终端输入")
    res = recover(args.db, code, new_passphrase(args), args.package)
    return res, "已用恢复码设置新口令，工作区可以打开了。请记住新口令。"
