"""Asks once for the county's payment channel (a link or the payment-code picture it hands out, and
a caption) when notices are first printed with none set; the values are checked by core."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class PaymentChannelDialog(QDialog):
    """Link, picture and caption; `values()` gives them to core's `campaign.set_channel`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("设置缴费渠道")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        note = QLabel("缴费通知上还没有缴费码。请填写县医保局或税务部门提供的缴费链接，或选择他们发的缴费码图片"
                      "（PNG/JPG）。不设置也可以打印：通知上只列出缴费方式，不印二维码。")
        note.setWordWrap(True)
        lay.addWidget(note)
        form = QFormLayout()
        self.link = QLineEdit()
        self.link.setPlaceholderText("https://…")
        self.image = QLineEdit()
        pick = QPushButton("选择图片…")
        pick.clicked.connect(self._pick)
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.image)
        h.addWidget(pick)
        self.caption = QLineEdit()
        self.caption.setPlaceholderText("例如：微信扫码进入“某某县医保缴费”小程序")
        form.addRow("缴费链接", self.link)
        form.addRow("或缴费码图片", row)
        form.addRow("说明文字", self.caption)
        lay.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox()
        buttons.addButton("保存并打印", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("不设置，直接打印", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _pick(self) -> None:
        from ..folders import last_folder, remember

        path, _ = QFileDialog.getOpenFileName(self, "选择缴费码图片", str(last_folder("photos")), "图片 (*.png *.jpg *.jpeg)")
        if path:
            remember("photos", path)
        if path:
            self.image.setText(path)

    def values(self) -> dict[str, str]:
        return {"link": self.link.text().strip(), "image": self.image.text().strip(),
                "caption": self.caption.text().strip()}
