"""Joining the tier above later: a standalone workspace takes the township's setup package and keeps
every visit made before (core `sync.setup.join_township`), a township that worked alone its county's
(`sync.setup.join_county`), each run as an operation on the worker.

What was merged and where the township's list differs from the local one is said afterwards; the
window is then reopened on the file, whose mode and keys have changed."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QWidget

from .. import operations
from ..folders import last_folder, remember

FIELDS = {"name": "姓名", "village": "村", "grp": "组", "household": "户", "relation": "与户主关系", "address": "地址",
          "phone": "电话", "categories": "类别"}


def describe(res: dict) -> str:
    """The join's result as a cadre reads it: who was merged, what is waiting to go up, what differs."""
    lines = [f"已加入 {res['township']}，本工作区现在是“{res['village']}”的村工作区：名单 {res['people']} 人。",
             f"以前记录的走访和修改都保留了：<b>{res['pending']}</b> 条改动将在下次导出数据包时交给乡镇。",
             f"只在本机名单里的 {res['local_only']} 人，只在乡镇名单里的 {res['township_only']} 人，都已合并。"]
    if res.get("no_overlap"):
        lines.append(f"<span style='color:#b3261e'><b>注意：乡镇名单和本机名单没有一个相同的人</b>（本机 {res['local_only']} 人，"
                     f"乡镇 {res['township_only']} 人）。请核对配置包是不是本村的、本机导入的是不是今年的名单；"
                     "两份名单的人都已保留，核对后可在“修改人员信息”里标记离开。</span>")
    replaced = res.get("replaced_settings") or []
    if replaced:
        lines.append("征缴设置以乡镇的为准（全县统一），本村以前改过的这些设置已换成乡镇的：")
        lines += [f"　{html.escape(r['label'])}：本村“{html.escape(str(r['本村']))}” → 乡镇“{html.escape(str(r['乡镇']))}”"
                  for r in replaced]
        lines.append("　如有不对，请找乡镇专干在乡镇工作区修改，随回传包发到本村。")
    diffs = res.get("differences") or []
    if diffs:
        lines.append(f"<b>{len(diffs)}</b> 人在乡镇名单和本机名单里不一致（两种写法都记在此人的历史里，请核对）：")
        for d in diffs[:20]:
            parts = [f"{FIELDS.get(f, f)} 本村“{v['本村']}” / 乡镇“{v['乡镇']}”" for f, v in d["fields"].items()]
            lines.append(f"　{d['name']}：" + "；".join(parts))
        if len(diffs) > 20:
            lines.append(f"　……另有 {len(diffs) - 20} 人")
    elif not res.get("no_overlap"):
        lines.append("乡镇名单与本机名单没有不一致的地方。")
    lines.append(f"乡镇密钥指纹 {res['township_fingerprint']}，请与乡镇核对。")
    return "<br>".join(lines)


def describe_county(res: dict) -> str:
    """A township's joining its county, as the clerk reads it: its work and villages kept, what goes
    up, where the two lists differ (both versions kept)."""
    lines = [f"本乡镇工作区已加入 {html.escape(res['county'])}：以前的工作、各村的配置和密钥都保留，各村照常与本乡镇交换数据包。",
             f"<b>{res['pending']}</b> 条记录将在下次上报时交给县里（同步 → 发给“上报{html.escape(res['county'])}”）。",
             f"县里名单中本乡镇 {res['people']} 人；只在本乡镇原名单里的 {res['local_only']} 人、"
             f"只在县里名单里的 {res['county_only']} 人，都已合并。"]
    if res.get("renamed"):
        lines.append(f"{res['renamed']} 人原来的乡镇名与县里不同（或未注明），已统一为“{html.escape(res['township'])}”。")
    lines.append("征缴标准、补助、截止日期、缴费渠道等以县里的为准；各村的任务数仍由本乡镇设置。")
    diffs = res.get("differences") or []
    if diffs:
        lines.append(f"<b>{len(diffs)}</b> 人在县里名单和本乡镇名单里不一致（两种写法都记在此人的历史里，请核对）：")
        for d in diffs[:20]:
            parts = [f"{FIELDS.get(f, f)} 本乡镇“{html.escape(str(v['本乡镇']))}” / 县“{html.escape(str(v['县']))}”"
                     for f, v in d["fields"].items()]
            lines.append(f"　{html.escape(d['name'])}：" + "；".join(parts))
        if len(diffs) > 20:
            lines.append(f"　……另有 {len(diffs) - 20} 人")
    else:
        lines.append("县里名单与本乡镇名单没有不一致的地方。")
    lines.append(f"县密钥指纹 {res['county_fingerprint']}，请与县里核对。")
    return "<br>".join(lines)


def ask(parent: QWidget | None, above: str = "乡镇") -> tuple[str, str | None] | None:
    """The setup package and its code, as the tier above (乡镇 or 县) gave them; None if the user cancels."""
    setup, _ = QFileDialog.getOpenFileName(parent, f"选择{above}发来的配置包", str(last_folder("packages")),
                                           "配置包 (*.ccpkg)")
    if not setup:
        return None
    remember("packages", setup)
    code, ok = QInputDialog.getText(parent, "配置包口令", f"{above}告知的口令（没有则不填）：", QLineEdit.EchoMode.Normal, "")
    if not ok:
        return None
    return setup, code.strip() or None


def join(dialog, setup: str | Path | None = None, code: str | None = None, *, county: bool = False) -> dict | None:
    """Run the join from the sync dialog (a village's to its township, or with `county` a township's to
    its county); show the result there, then reopen the window on the file."""
    if setup is None:
        asked = ask(dialog, "县" if county else "乡镇")
        if asked is None:
            return None
        setup, code = asked
    out: list = []
    window = dialog.window_

    def done(res: dict) -> None:
        out.append(res)
        dialog.last = res
        dialog.result_label.setText(describe_county(res) if county else describe(res))
        for button in (dialog.join_button, dialog.township_button, dialog.county_button):
            button.setVisible(False)
        dialog.info.setText(f"{res['county']} — {res['township']}（已加入县）。关闭本窗口后工作区将重新打开。" if county
                            else f"{res['township']} — {res['village']}（已加入乡镇）。关闭本窗口后工作区将重新打开。")
        if window is not None:
            window.joined = res
            dialog.finished.connect(lambda _r: window.switch_requested.emit(str(window.ws.path)))

    (operations.join_county if county else operations.join_township)(dialog.runner, str(setup), code, success=done,
                                                                      failure=dialog._failed)
    return out[0] if out else None
