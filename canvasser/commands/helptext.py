"""The command line's help all in Chinese: argparse's own words (usage, options, help, its error
messages) translated, a Chinese line for the common arguments that have none, and help text wrapped
by its width on the terminal (a Chinese character takes two columns).

argparse looks its words up through `gettext` at the moment it uses them (its module-level `_` and
`ngettext`), some while a parser is being built ("options", "show this help message and exit"), so
`install()` runs before `build_parser`. Words of newer Pythons are here too; a word this table does
not know stays as argparse wrote it.
"""

from __future__ import annotations

import argparse
import re
import unicodedata

ARGPARSE = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "optional arguments": "选项",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "subcommands": "子命令",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s：警告：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "以下参数必须给出一个：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "unrecognized arguments: %(args)s": "无法识别的参数：%(args)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的参数值 %r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "%r is not callable": "%r 不可调用",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "argument \"-\" with mode %r": "参数“-”不能用于模式 %r",
    "cannot have multiple subparser arguments": "不能有多组子命令",
    "conflicting subparser: %s": "子命令重复：%s",
    "conflicting subparser alias: %s": "子命令别名重复：%s",
    "conflicting option string: %s": "选项重复：%s",
    "conflicting option strings: %s": "选项重复：%s",
    "mutually exclusive arguments must be optional": "互斥的参数必须是选项",
    "dest= is required for options like %r": "%r 这样的选项需要 dest=",
    "'required' is an invalid argument for positionals": "位置参数不能用 required",
    "invalid conflict_resolution value: %r": "无效的 conflict_resolution：%r",
    "cannot merge actions - two groups are named %r": "无法合并：两个参数组都叫 %r",
    "unexpected option string: %(option)s": "意外的选项：%(option)s",
    ".__call__() not defined": "未定义 .__call__()",
}

# a Chinese line for arguments that are given none where they are declared (placeholders stay
# ASCII: argparse aligns its columns by counting characters, and a Chinese one is two columns wide)
HELP = {
    "db": "工作区文件（.db）",
    "out": "保存到哪个文件",
    "by": "操作人（走访人）姓名，记在记录里",
    "phone": "手机号",
    "query": "要查的姓名、拼音首字母、身份证号（或尾号）或电话",
    "limit": "最多列出多少人",
    "reason": "原因",
    "file": "医保局的表格文件（xlsx/xls/csv）",
    "group": "村民小组，例如 七组",
    "relation": "与户主关系",
    "address": "地址",
    "categories": "人员类别（多个用逗号分隔）",
    "note": "备注",
    "add": "新增走访人：姓名",
    "village": "村（社区）名称",
}


def gettext(message: str) -> str:
    return ARGPARSE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """argparse speaks Chinese from now on (its words are looked up when used)."""
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Wraps help text by display width, breaking between Chinese characters, never inside a word."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), width)


def columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def wrap(text: str, width: int) -> list[str]:
    tokens = re.findall(r"[A-Za-z0-9_./=:%()\[\]-]+|\s|.", text)
    lines, line, used = [], "", 0
    for tok in tokens:
        w = sum(columns(c) for c in tok)
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
            if tok.isspace():
                continue
        line += tok
        used += w
    if line.strip():
        lines.append(line.rstrip())
    return lines


def complete(parser: argparse.ArgumentParser) -> None:
    """Every parser wraps Chinese by width; an argument without a help line gets the common one."""
    parser.formatter_class = ChineseHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                complete(sub)
            continue
        if action.help is None and action.dest in HELP:
            action.help = HELP[action.dest]
