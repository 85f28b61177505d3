"""The command line: every operation of the app, headless (DESIGN §8).

Each area registers its commands from a module in `canvasser.commands`. A handler returns
`(data, summary)`: `--json` prints `data` as exactly one JSON object, otherwise the one-paragraph
Chinese summary. Bad input exits 2 with a one-line reason on stderr; any other failure exits 1;
either way the workspace is left as it was (every write is one transaction).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import os
import sys
import traceback

from .core.errors import Cancelled, InputError
from .core.storage.failures import explain_at
from .core.storage.sqlcipher import sqlite3
from .core.storage.store import WorkspaceError

COMMAND_MODULES = ("foundation", "canvassing", "reports", "sync", "printing", "app", "matching", "newyear", "atrest")
# the module that registers each command: a run of one command loads only its module (a list import
# starts 0.16 s sooner, before its reading process can begin); `--help`, no command, or a command not
# listed here loads them all. tests/test_cli.py checks that every command listed is its module's.
COMMAND_HOME = {
    **dict.fromkeys(("check", "demo", "gui", "history", "import-roster", "rejects", "search"), "foundation"),
    **dict.fromkeys(("campaign", "canvasser", "followups", "import-paid", "person", "undo", "visit"), "canvassing"),
    **dict.fromkeys(("feedback", "ledger", "message", "report"), "reports"),
    **dict.fromkeys(("conflicts", "export", "held", "init", "keys", "receive", "rekey", "setup-package", "status"),
                    "sync"),
    **dict.fromkeys(("leaflet", "notices", "template", "visit-sheet"), "printing"),
    **dict.fromkeys(("backup", "restore"), "app"),
    "match": "matching", "new-year": "newyear",
    **dict.fromkeys(("passphrase", "recover", "recovery-package"), "atrest"),
}


def common_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象（供脚本使用）")
    p.add_argument("--passphrase-file", metavar="FILE",
                   help="从文件第一行读取工作区口令（也可用环境变量 CANVASSER_PASSPHRASE；都没有时在终端提示输入）")
    p.add_argument("--today", metavar="YYYY-MM-DD",
                   help="把这一天当作今天（剩余天数、待跟进、打印日期、报表日期等；默认电脑的日期）")
    return p


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of `command` where COMMAND_HOME knows its module."""
    from .commands import helptext

    helptext.install()  # argparse's own words in Chinese, before the parsers are made
    parser = argparse.ArgumentParser(
        prog="canvasser",
        description="城乡居民医保参保缴费入户动员工具（离线）。不带参数运行时打开窗口。",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")
    parent = common_parent()
    home = COMMAND_HOME.get(command or "")
    for name in (home,) if home else COMMAND_MODULES:
        try:
            module = importlib.import_module(f"canvasser.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"canvasser.commands.{name}":
                continue
            raise
        module.register(sub, parent)
    helptext.complete(parser)
    return parser


def emit(data: dict, summary: str, as_json: bool) -> None:
    """Write in the pipe's encoding (GBK on Chinese Windows, which lacks rare name characters such as
    䶮): JSON then escapes every non-ASCII character (still the same JSON), a summary shows '?'."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    if as_json:
        text = json.dumps(data, ensure_ascii=False, default=str)
        if not _encodable(text, encoding):
            text = json.dumps(data, ensure_ascii=True, default=str)
        sys.stdout.write(text + "\n")
    elif summary:
        text = summary.rstrip()
        if not _encodable(text, encoding):
            text = text.encode(encoding, "replace").decode(encoding)
        sys.stdout.write(text + "\n")


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    except LookupError:
        return True
    return True


def passphrase_sources(args) -> None:
    """Where a workspace's opener (storage/opening.py) finds the passphrase: --passphrase-file, the variable, a terminal prompt.
    Never an argument: it would show in the process list."""
    from .core.storage import atrest
    from .core.storage.secretfile import read_secret

    path = getattr(args, "passphrase_file", None)
    atrest.use_passphrase(read_secret(path, "口令") if path else None)
    atrest.use_prompt(prompt_passphrase if sys.stdin.isatty() and sys.stderr.isatty() else None)
    atrest.use_notify(say_wait)


def say_wait(seconds: float) -> None:
    """The wait before a try after wrong passphrases, said (it would otherwise look like a hang)."""
    sys.stderr.write(f"口令已输错多次，请等 {math.ceil(seconds)} 秒再试（正在等待）……\n")
    sys.stderr.flush()


def pin_today(args) -> None:
    """`--today`: the day this run takes as today (core/clock.py), else the computer's date."""
    from .core import clock
    from .core.rules.visits import parse_date

    day = getattr(args, "today", None)
    clock.pin(dt.date.fromisoformat(parse_date(day, "--today 日期")) if day else None)


def prompt_passphrase(new: bool) -> str | None:
    import getpass

    if not new:
        return getpass.getpass("工作区口令：") or None
    first = getpass.getpass("为工作区设置口令（至少 6 个字符）：")
    if first and getpass.getpass("再输入一次：") != first:
        sys.stderr.write("两次输入的口令不一样\n")
        return None
    return first or None


def sweep_leftovers(db: str | None) -> None:
    """What killed runs left (check's scratch copies, half-written files), removed at the start."""
    from .core.storage.sweep import sweep

    try:
        sweep(db)
    except Exception:  # noqa: BLE001 — cleaning up must never stop the command the user ran
        pass


def _quiet_unraisable(info) -> None:
    """An exception a finaliser could not raise (a half-written workbook's XML writer or zip file
    closing on a full disk, after the command has already said "磁盘已满"): not the user's business,
    and never a traceback on their screen. CANVASSER_DEBUG shows it."""
    if os.environ.get("CANVASSER_DEBUG"):
        sys.__unraisablehook__(info)


def main(argv: list[str] | None = None) -> int:
    sys.unraisablehook = _quiet_unraisable
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("--demo") or argv[0] == "--screenshot":
        argv = ["gui", *argv]
    parser = build_parser(argv[0])
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        passphrase_sources(args)
        pin_today(args)
        sweep_leftovers(getattr(args, "db", None))
        result = args.handler(args)
        if result is None:
            return 0
        data, summary = result
        emit(data, summary, getattr(args, "json", False))
        return int(data.get("_exit", 0)) if isinstance(data, dict) else 0
    except InputError as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    except Cancelled as exc:
        sys.stderr.write(f"已取消：{exc}\n")
        return 1
    except WorkspaceError as exc:
        sys.stderr.write(f"工作区错误：{exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("已中断，工作区未改变\n")
        return 1
    except (sqlite3.Error, OSError) as exc:  # busy, disk full, read-only: the real cause (core/storage/failures.py)
        why = explain_at(exc, getattr(args, "db", None) or os.getcwd() + "/.")
        if why is None:
            if os.environ.get("CANVASSER_DEBUG"):
                traceback.print_exc()
            why = f"{type(exc).__name__}: {exc}"
        sys.stderr.write(f"失败：{why}\n")
        return 1
    except Exception as exc:  # noqa: BLE001 — the last line of defence: one line, no personal data dump
        if os.environ.get("CANVASSER_DEBUG"):
            traceback.print_exc()
        sys.stderr.write(f"失败：{type(exc).__name__}: {exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
