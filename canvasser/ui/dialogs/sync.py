"""Sync by file exchange (core `sync`): what an export will send, export a package, receive one.

A village sends to its township; the township sends to each village. Packages are encrypted and
signed by core; this screen only says what is pending, asks for file names and reports the result:
at the township what a receive held and why (待审核), at a village which of its records the township
did not adopt and why (from the last return package).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...core import views
from ...core.errors import InputError
from .. import operations
from ..folders import last_folder, remember


def _when(value: str | None) -> str:
    return value.replace("T", " ")[:16] if value else "从未"


def _to(ws, unit: str | None) -> dict:
    """export_package's flag for a unit below (a county's townships, a township's villages; None: up)."""
    if unit is None:
        return {}
    return {"township": unit} if ws.tier.below.unit_column == "township" else {"village": unit}


pending_count = views.pending_count  # (ws, village) -> changes the other side has not received


class SyncDialog(QDialog):
    def __init__(self, ws, runner, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.window_ = parent
        self.status: dict = {}
        self.last: dict | None = None
        self.setWindowTitle("同步（数据包交换）")
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        self.info = QLabel("正在读取同步状态…")
        self.info.setWordWrap(True)
        self.info.setStyleSheet("font-size: 14px;")
        lay.addWidget(self.info)
        row = QHBoxLayout()
        self.village = QComboBox()
        self.village.currentIndexChanged.connect(lambda _: self.show_pending())
        row.addWidget(QLabel("发给："))
        row.addWidget(self.village, 1)
        lay.addLayout(row)
        self.pending = QLabel("")
        lay.addWidget(self.pending)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("导出数据包…")
        self.export_button.clicked.connect(lambda: self.export())
        self.receive_button = QPushButton("接收数据包…")
        self.receive_button.setToolTip("可一次选中多个数据包（按住 Ctrl 或 Shift 点选），一次全部接收")
        self.receive_button.clicked.connect(lambda: self.receive())
        self.folder_button = QPushButton("接收文件夹里的全部数据包…")
        self.folder_button.clicked.connect(lambda: self.receive_folder())
        self.all_button = QPushButton("生成全部村的回传包…")
        self.all_button.setToolTip("每个已配置的村一个回传包，文件名为“村名_回传_日期.ccpkg”")
        self.all_button.clicked.connect(lambda: self.export_all())
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.receive_button)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.all_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        setup_row = QHBoxLayout()
        self.join_button = QPushButton("加入乡镇…")
        self.join_button.setToolTip("用乡镇发来的配置包加入乡镇：以前记录的走访和修改都保留，下次导出时交给乡镇")
        self.join_button.clicked.connect(lambda: self.join())
        setup_row.addWidget(self.join_button)
        self.county_button = QPushButton("加入县…")
        self.county_button.setToolTip("用县医保局发来的配置包加入县：本乡镇以前的工作、各村的配置都保留，下次上报时交给县里")
        self.county_button.clicked.connect(lambda: self.join_county())
        setup_row.addWidget(self.county_button)
        self.township_button = QPushButton("设为乡镇工作区…")
        self.township_button.setToolTip("乡镇专干用：导入全乡镇名单后，设为乡镇工作区，再为各村生成配置包")
        self.township_button.clicked.connect(lambda: self.become_township())
        self.setup_button = QPushButton("为村生成配置包…")
        self.setup_button.clicked.connect(lambda: self.make_setup())
        setup_row.addWidget(self.township_button)
        setup_row.addWidget(self.setup_button)
        self.recovery_button = QPushButton("村里忘记口令：生成恢复包…")
        self.recovery_button.setToolTip("用村里带来的密钥文件（村.db.keys）生成恢复包，恢复码请用电话告诉村里")
        self.recovery_button.clicked.connect(lambda: self.make_recovery())
        setup_row.addWidget(self.recovery_button)
        setup_row.addStretch(1)
        lay.addLayout(setup_row)
        self.conflicts_label = QLabel("待核对：同一身份证号被两个村分别新增的人员（选定归属村后点“确定归属”）")
        lay.addWidget(self.conflicts_label)
        self.conflicts = QTableWidget(0, 4)
        self.conflicts.setHorizontalHeaderLabels(["姓名", "身份证号", "涉及的村", "归属"])
        self.conflicts.horizontalHeader().setStretchLastSection(True)
        self.conflicts.verticalHeader().hide()
        self.conflicts.setMaximumHeight(160)
        lay.addWidget(self.conflicts)
        self.resolve_button = QPushButton("确定归属")
        self.resolve_button.clicked.connect(lambda: self.resolve_selected())
        lay.addWidget(self.resolve_button)
        self.held_button = QPushButton("待审核…")
        self.held_button.setToolTip("村里数据包中暂存、没有采用的记录：逐条采用或拒绝")
        self.held_button.clicked.connect(lambda: self.open_held())
        lay.addWidget(self.held_button)
        self.returned_label = QLabel("")  # a village: its records the township did not adopt, and why
        self.returned_label.setWordWrap(True)
        self.returned_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        lay.addWidget(self.returned_label)
        self.returned = QTableWidget(0, 4)
        self.returned.setHorizontalHeaderLabels(["记录时间", "人员", "记录", "乡镇的处理和原因"])
        self.returned.horizontalHeader().setStretchLastSection(True)
        self.returned.verticalHeader().hide()
        self.returned.setMaximumHeight(170)
        lay.addWidget(self.returned)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        lay.addWidget(self.result_label)
        self.refresh()

    def refresh(self) -> None:
        self.status = views.sync_status(self.ws)
        s = self.status
        enabled = s.get("enabled", False)
        self.export_button.setEnabled(enabled)
        self.receive_button.setEnabled(enabled)
        self.folder_button.setEnabled(enabled)
        coord = self.ws.tier.coordinates
        what = self.ws.tier.below.label if coord else "村"
        units = (s.get("villages") if s.get("mode") == "township" else s.get("townships")) or []
        self.all_button.setVisible(coord)
        self.all_button.setText(f"生成全部{what}的回传包…")
        self.all_button.setEnabled(bool(units))
        self.setup_button.setText(f"为{what}生成配置包…")
        self.village.blockSignals(True)
        self.village.clear()
        if not enabled:
            self.info.setText("本工作区是单机工作区，未启用同步（还没有加入乡镇）。收到乡镇的配置包后点“加入乡镇…”："
                              "以前记录的走访和修改都保留，下次导出数据包时一并交给乡镇。")
            self.village.setEnabled(False)
        elif s["mode"] == "village":
            self.info.setText(f"{s['township']} — {s['village']}<br>乡镇尚未收到的改动：<b>{s['unsent']}</b> 条；"
                              f"上次收到乡镇数据包：{_when(s['last_received_at'])}；上次导出：{_when(s['last_sent_at'])}。")
            self.village.addItem(s["township"], None)
            self.village.setEnabled(False)
        else:  # a coordinator: its units below, and a township under a county its county too
            col = self.ws.tier.below.unit_column
            lines = [f"{s['name']}（{self.ws.tier.label}）：共 {s['events']} 条记录，待核对 {s['conflicts']} 人。"]
            if s.get("above"):
                up = s["above"]
                lines.append(f"上报{up['name']}：县里尚未收到的改动 <b>{up['unsent']}</b> 条；上次收到县里数据包："
                             f"{_when(up['last_received_at'])}；上次上报：{_when(up['last_sent_at'])}。")
                self.village.addItem(f"上报{up['name']}", None)
            fresh = views.freshness(self.ws, [v[col] for v in units])
            for v in units:
                f = fresh.get(v[col])
                got = views.describe_freshness(f) if f else _when(v["last_received_at"])
                line = (f"{v[col]}：{v['people']} 人；上次收到 {got}，上次发出 {_when(v['last_sent_at'])}")
                lines.append(f"<span style='color:#b3261e'>{line}（未按时上报）</span>" if f and f["silent"] else line)
                self.village.addItem(v[col], v[col])
            self.info.setText("<br>".join(lines))
            self.village.setEnabled(True)
            self.export_button.setEnabled(self.village.count() > 0)
        self.village.blockSignals(False)
        mode = s.get("mode")
        self.held_button.setVisible(coord)
        n_held = int(s.get("held") or 0)
        self.held_button.setText(f"待审核（{n_held} 条）…" if n_held else "待审核…")
        self._load_returned(mode == "village" or bool(s.get("above")))
        self.join_button.setVisible(mode == "standalone")
        self.county_button.setVisible(mode == "township" and not s.get("above"))  # a township that worked alone
        self.township_button.setVisible(mode == "standalone")  # asks first: a village never becomes a township by one click
        self.setup_button.setVisible(coord)
        self.recovery_button.setVisible(mode == "township")  # (a village's forgotten passphrase)
        self._load_conflicts(coord)
        self.show_pending()

    def _load_conflicts(self, township: bool) -> None:
        items = views.conflicts(self.ws) if township else []
        if township:
            unit = self.ws.tier.below.label
            self.conflicts_label.setText(f"待核对：同一身份证号被两个{unit}分别新增的人员（选定归属{unit}后点“确定归属”）")
        for w in (self.conflicts_label, self.conflicts, self.resolve_button):
            w.setVisible(bool(items))
        self.conflicts.setRowCount(len(items))
        for r, c in enumerate(items):
            self.conflicts.setItem(r, 0, QTableWidgetItem(c["name"]))
            item = QTableWidgetItem(c["masked_id"])
            item.setData(Qt.ItemDataRole.UserRole, c["id"])
            self.conflicts.setItem(r, 1, item)
            self.conflicts.setItem(r, 2, QTableWidgetItem("、".join(c["villages"])))
            combo = QComboBox()  # nothing chosen beforehand: the clerk decides, not the last package
            combo.addItem(f"请选择归属的{self.ws.tier.below.label}…", "")
            for v in c["villages"]:
                combo.addItem(v, v)
            self.conflicts.setCellWidget(r, 3, combo)

    def resolve_selected(self, row: int | None = None) -> dict | None:
        row = self.conflicts.currentRow() if row is None else row
        if row < 0:
            self.result_label.setText("请先选择一行")
            return None
        pid = self.conflicts.item(row, 1).data(Qt.ItemDataRole.UserRole)
        village = self.conflicts.cellWidget(row, 3).currentData()
        if not village:
            self.result_label.setText(f"请先在“归属”一栏选择此人归属的{self.ws.tier.below.label}")
            return None
        author = getattr(self.window_, "canvasser", "") if self.window_ is not None else ""
        out: list = []

        def done(res) -> None:
            out.append(res)
            self.result_label.setText(views.assignment_line(res))
            self.refresh()  # (the window follows the operation's changes)

        operations.resolve_conflict(self.runner, pid, village, by=author, success=done, failure=self._failed)
        return out[0] if out else None

    def _load_returned(self, village: bool) -> None:
        items = views.returned(self.ws) if village else []
        line = views.returned_line(self.ws) if items else ""
        self.returned_label.setText(f"{line}（乡镇最近一次回传包所说）：" if line else "")
        for w in (self.returned_label, self.returned):
            w.setVisible(bool(items))
        self.returned.setRowCount(len(items))
        for r, it in enumerate(items):
            for c, text in enumerate((_when(it["recorded_at"]), it["name"], it["what"], f"{it['state']}：{it['reason']}")):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.returned.setItem(r, c, item)
        self.returned.resizeColumnsToContents()

    def open_held(self):
        from .held import HeldDialog

        dlg = HeldDialog(self.ws, self.runner, self)
        dlg.decided.connect(lambda _res: self.refresh())  # (the window follows the operation's changes)
        dlg.open()
        return dlg

    def join(self, setup: str | Path | None = None, code: str | None = None) -> dict | None:
        from .join import join

        return join(self, setup, code)

    def join_county(self, setup: str | Path | None = None, code: str | None = None) -> dict | None:
        from .join import join

        return join(self, setup, code, county=True)

    def become_township(self, name: str | None = None) -> dict | None:
        if name is None:
            if QMessageBox.question(
                    self, "设为乡镇工作区",
                    "只有乡镇（街道）专干才用：本工作区将成为全乡镇的汇总工作区，为各村生成配置包。\n"
                    "村里的工作区请点“加入乡镇…”，不要设为乡镇。确实是乡镇专干吗？",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
                return None
            name, ok = QInputDialog.getText(self, "设为乡镇工作区", "乡镇（街道）名称：")
            if not ok or not name.strip():
                return None
        out: list = []

        def done(res) -> None:
            out.append(res)
            self.result_label.setText(f"已设为乡镇工作区：{res['township']}，名单 {res['people']} 人。"
                                      f"密钥指纹 {res['fingerprint']}（请记下，各村核对用）。")
            self.refresh()

        operations.init_township(self.runner, name, success=done, failure=self._failed)
        return out[0] if out else None

    def make_setup(self, village: str | None = None, out: str | Path | None = None, code: str | None = None):
        """A village's setup package (its list, the rules, the keys); a second one for the same
        village replaces its keys (a lost laptop), after confirmation."""
        if village is None:
            names = list(views.units_in(self.ws))
            village, ok = QInputDialog.getItem(self, "生成配置包", f"{self.ws.tier.below.label}：", names, 0, False)
            if not ok:
                return None
        if out is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "保存配置包",
                                                    str(last_folder("packages") / views.setup_name(village)),
                                                    "配置包 (*.ccpkg)")
            if not chosen:
                return None
            remember("packages", chosen)
            out = chosen
            code, ok = QInputDialog.getText(self, "配置包口令", "口令（可不填，由程序生成；自定则至少12位字母加数字）：",
                                            QLineEdit.EchoMode.Normal, "")
            if not ok:
                return None
            code = code.strip() or None
        col = self.ws.tier.below.unit_column
        rekey = any(v[col] == village for v in self.status.get(f"{col}s", []))
        if rekey and QMessageBox.question(
                self, "重新生成配置包", f"已经为“{village}”生成过配置包。重新生成会换新密钥，旧电脑上的工作区将不能再同步。继续吗？"
        ) != QMessageBox.StandardButton.Yes:
            return None
        out = Path(out)

        def done(res: dict) -> None:
            self.last = res
            what = self.ws.tier.below.label
            self.result_label.setText(f"已生成“{res.get('village') or res.get('township')}”的配置包 {out.name}："
                                      f"{res['people']} 人。{what}里用它新建工作区；{what}的密钥指纹 {res['fingerprint']}。"
                                      + (f"\n口令：{res['code']}（请用电话告诉{what}里）" if res.get("code") else ""))
            self.refresh()

        return operations.setup_package(self.runner, self, village, out, code=code, rekey=rekey, success=done,
                                        failure=self._failed)

    def make_recovery(self, keys: str | Path | None = None, out: str | Path | None = None):
        """A village forgot its passphrase: its key file in, a recovery package out; the code is shown
        here to be told by phone (never sent with the package)."""
        if keys is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "选择村里带来的密钥文件", str(last_folder("packages")),
                                                    "密钥文件 (*.keys)")
            if not chosen:
                return None
            remember("packages", chosen)
            keys = chosen
        if out is None:
            village = Path(keys).name.removesuffix(".keys").removesuffix(".db")
            chosen, _ = QFileDialog.getSaveFileName(self, "恢复包保存为", str(last_folder("packages") / f"{village}_恢复包.json"),
                                                    "恢复包 (*.json)")
            if not chosen:
                return None
            out = chosen
        out_list: list = []

        def done(res: dict) -> None:
            out_list.append(res)
            self.last = res
            self.result_label.setText(
                f"已为“{res['village']}”生成恢复包 {Path(res['file']).name}。请用电话告诉村里恢复码（不要和恢复包一起发送）："
                f"<br><b style='font-size:x-large'>{res['code']}</b>")
            self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        operations.recovery_package(self.runner, str(keys), str(out), success=done, failure=self._failed)
        return out_list[0] if out_list else None

    def show_pending(self) -> None:
        if not self.status.get("enabled") or (self.ws.tier.coordinates and self.village.count() == 0):
            self.pending.setText("")
            return
        n = pending_count(self.ws, self.village.currentData())
        self.pending.setText(f"导出的数据包将包含对方尚未收到的 <b>{n}</b> 条改动（连同证明照片）。")

    def export(self, out: str | Path | None = None):
        village = self.village.currentData()
        if out is None:
            # named with the unit and the day, as Windows takes the name
            name = views.return_name(village) if village else views.report_name(views.display_name(self.ws) or "村")
            chosen, _ = QFileDialog.getSaveFileName(self, "导出数据包", str(last_folder("packages") / name),
                                                    "数据包 (*.ccpkg)")
            if not chosen:
                return None
            remember("packages", chosen)
            out = chosen
        out = Path(out)

        def done(res: dict) -> None:
            self.last = res
            self.result_label.setText(f"已导出 {Path(res['file']).name}：发给“{res['receiver']}”，{res['events']} 条改动，"
                                      f"{res['photos']} 张照片（已加密并签名）。用U盘或微信文件发给对方。")
            self.refresh()

        return operations.export_package(self.runner, self, out, **_to(self.ws, village), success=done,
                                         failure=self._failed)

    def receive(self, path: str | Path | list | None = None):
        """Receive one package or many (a multi-selection, or the packages of a folder) in one
        transaction: if any is refused, none is imported and the message names the file."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileNames(self, "接收数据包（可多选）", str(last_folder("packages")),
                                                     "数据包 (*.ccpkg)")
            if not chosen:
                return None
            remember("packages", chosen[0])
            path = chosen
        items = path if isinstance(path, (list, tuple)) else [path]
        try:
            paths = views.package_files(items)
        except InputError as exc:
            self._failed(exc)
            return None

        def done(results: list[dict]) -> None:
            self.last = results[0] if len(results) == 1 else {"packages": results}
            lines = []
            for res in results:
                if res.get("duplicate"):
                    lines.append(f"{Path(res['file']).name}（来自“{res['sender']}”）以前已经接收过，没有新的内容。")
                else:
                    lines.append(f"已接收“{res['sender']}”的数据包：新增 <b>{res['applied']}</b> 条记录，"
                                 f"{res['already_known']} 条以前已有"
                                 + (f"，{res['photos']} 张新照片" if res.get("photos") else "") + "。")
                    if res.get("held"):
                        lines.append(f"<span style='color:#b3261e'>{escape(views.held_line(res))}"
                                     "</span>")
                    lines += [escape(views.gap_words(g)) for g in res.get("gaps") or []]
            if len(results) > 1:
                lines.insert(0, f"一次接收了 {len(results)} 个数据包：")
            self.result_label.setText("<br>".join(lines))
            self.refresh()  # (the window follows the operation's changes)

        return operations.receive_packages(self.runner, self, paths, success=done, failure=self._failed)

    def receive_folder(self, folder: str | Path | None = None):
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "选择放数据包的文件夹", str(last_folder("packages")))
            if not folder:
                return None
            remember("packages", folder)
        return self.receive([folder])

    def export_all(self, folder: str | Path | None = None):
        """A return package for every village, named 村名_回传_日期.ccpkg, in one folder."""
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "回传包保存到哪个文件夹", str(last_folder("packages")))
            if not folder:
                return None
            remember("packages", folder)
        folder = Path(folder)

        def done(results: list[dict]) -> None:
            self.last = {"packages": results}
            lines = [f"已生成 {len(results)} 个回传包（{folder}）："]
            lines += [f"{Path(r['file']).name}：{r['events']} 条改动" for r in results]
            self.result_label.setText("<br>".join(lines))
            self.refresh()

        return operations.export_all(self.runner, self, folder, success=done, failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.last = {"error": str(exc)}
        prefix = "" if isinstance(exc, InputError) else "失败："
        self.result_label.setText(f"<span style='color:#b3261e'>{prefix}{exc}</span>")
