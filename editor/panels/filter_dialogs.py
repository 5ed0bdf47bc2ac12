"""Parameter dialogs of the Filter menu. They only collect options; the window starts the job."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from editor.engine.stylize import DEFAULT_ITERATIONS


@dataclass
class StyleOptions:
    style_path: Path | None = None
    strength: float = 1.0
    size: int = 0  # 0: the photo's own, up to the device's cap
    iterations: int = DEFAULT_ITERATIONS
    inside_mask: bool = False


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class StyleDialog(QDialog):
    """Pick a style image (Browse or drop it here), its strength, the working resolution."""

    def __init__(self, options: StyleOptions, has_mask: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Style Transfer")
        self.setAcceptDrops(True)
        self.options = options
        self.preview = QLabel(
            "Drop a painting here or choose one", alignment=Qt.AlignmentFlag.AlignCenter
        )
        self.preview.setMinimumSize(220, 160)
        self.preview.setStyleSheet("border: 1px dashed gray")
        browse = QPushButton("Choose style image…")
        browse.clicked.connect(self._browse)
        self.strength = QDoubleSpinBox(
            minimum=0.1, maximum=10.0, singleStep=0.1, value=options.strength
        )
        self.strength.setToolTip("How strongly the style's textures and colours are imposed (β/α)")
        self.size = QSpinBox(
            minimum=0, maximum=2048, singleStep=128, value=options.size, suffix=" px"
        )
        self.size.setSpecialValueText("Photo's own")
        self.size.setToolTip(
            "Working resolution (long side); larger is slower and finer. Photo's own: the "
            "photo's size, up to 1024 px on a CPU and 2048 px on a GPU"
        )
        self.iterations = QSpinBox(minimum=5, maximum=1000, singleStep=10, value=options.iterations)
        self.iterations.setToolTip(
            "Optimisation steps at the full size (the coarser passes get more); the preview "
            "updates while it runs"
        )
        self.inside_mask = QCheckBox(
            "Only inside the mask", checked=options.inside_mask and has_mask
        )
        self.inside_mask.setEnabled(has_mask)
        form = QFormLayout(self)
        form.addRow(self.preview)
        form.addRow(browse)
        form.addRow("Strength", self.strength)
        form.addRow("Resolution", self.size)
        form.addRow("Iterations", self.iterations)
        form.addRow(self.inside_mask)
        self.ok = _buttons(self, "Stylize")
        form.addRow(self.ok)
        self._show_style(options.style_path)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Style image", "", "Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp)"
        )
        if path:
            self._show_style(Path(path))

    def _show_style(self, path: Path | None) -> None:
        self.options.style_path = path
        pixmap = QPixmap(str(path)) if path else QPixmap()
        if not pixmap.isNull():
            self.preview.setPixmap(pixmap.scaled(220, 160, Qt.AspectRatioMode.KeepAspectRatio))
        self.ok.button(QDialogButtonBox.StandardButton.Ok).setEnabled(path is not None)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if urls:
            self._show_style(Path(urls[0]))

    def values(self) -> StyleOptions:
        size = self.size.value()
        size = max(size, 64) if size else 0  # a typed 1..63 is not a working size
        return StyleOptions(
            self.options.style_path, self.strength.value(), size,
            self.iterations.value(), self.inside_mask.isChecked(),
        )  # fmt: skip


@dataclass
class StrengthOptions:
    strength: float
    inside_mask: bool = False


class StrengthDialog(QDialog):
    """One strength control and "only inside the mask": Colorize and Denoise use it. With
    `on_change`, every change re-runs a quick preview."""

    def __init__(self, title: str, label: str, value: float, maximum: float, has_mask: bool,
                 on_change=None, parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.strength = QDoubleSpinBox(
            minimum=0.0, maximum=maximum, value=value, singleStep=maximum / 20
        )
        self.inside_mask = QCheckBox("Only inside the mask", checked=has_mask)
        self.inside_mask.setEnabled(has_mask)
        form = QFormLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.strength)
        form.addRow(label, row)
        form.addRow(self.inside_mask)
        form.addRow(_buttons(self, "Apply"))
        if on_change is not None:
            self.strength.valueChanged.connect(lambda _: on_change(self.values()))
            self.inside_mask.toggled.connect(lambda _: on_change(self.values()))

    def values(self) -> StrengthOptions:
        return StrengthOptions(self.strength.value(), self.inside_mask.isChecked())


@dataclass
class ColorizeOptions:
    strength: float = 1.0
    vibrance: float = 0.75
    inside_mask: bool = False


class ColorizeDialog(QDialog):
    """Strength, Vibrance (muted .. vivid colours) and "only inside the mask". `on_change` is
    called with the options when the dialog opens and after every change (live preview)."""

    def __init__(self, options: ColorizeOptions, has_mask: bool, on_change=None,
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Colorize")
        self.strength = QDoubleSpinBox(minimum=0.0, maximum=1.0, value=options.strength,
                                       singleStep=0.05)  # fmt: skip
        self.strength.setToolTip("0 keeps the photo's own colours, 1 uses the predicted ones")
        self.vibrance = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100,
                                value=round(options.vibrance * 100))  # fmt: skip
        self.vibrance.setToolTip(
            "Low: safe, muted colours. High: vivid colours, sometimes the wrong ones"
        )
        self.inside_mask = QCheckBox("Only inside the mask")
        self.inside_mask.setChecked(has_mask and options.inside_mask)
        self.inside_mask.setEnabled(has_mask)
        vibrance_row = QHBoxLayout()
        vibrance_row.addWidget(QLabel("Muted"))
        vibrance_row.addWidget(self.vibrance, 1)
        vibrance_row.addWidget(QLabel("Vivid"))
        form = QFormLayout(self)
        form.addRow("Strength", self.strength)
        form.addRow("Vibrance", vibrance_row)
        form.addRow(self.inside_mask)
        form.addRow(_buttons(self, "Apply"))
        if on_change is not None:
            notify = lambda *_: on_change(self.values())  # noqa: E731
            self.strength.valueChanged.connect(notify)
            self.vibrance.valueChanged.connect(notify)
            self.inside_mask.toggled.connect(notify)
            QTimer.singleShot(0, notify)  # the preview appears as the dialog opens

    def values(self) -> ColorizeOptions:
        return ColorizeOptions(self.strength.value(), self.vibrance.value() / 100.0,
                               self.inside_mask.isChecked())  # fmt: skip


@dataclass
class SketchOptions:
    subject: str
    inside_mask: bool = False


class SketchDialog(QDialog):
    """Sketch to Photo: which subject's model draws, and "only inside the mask". `subjects` is
    an ordered mapping of subject keys to titles."""

    def __init__(self, subjects: dict[str, str], options: SketchOptions, has_mask: bool,
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Sketch to Photo")
        self.subject = QComboBox()
        for key, title in subjects.items():
            self.subject.addItem(title, key)
        self.subject.setCurrentIndex(max(0, self.subject.findData(options.subject)))
        self.subject.setToolTip("Each subject has its own model, trained on such photos")
        self.inside_mask = QCheckBox("Only inside the mask")
        self.inside_mask.setChecked(has_mask and options.inside_mask)
        self.inside_mask.setEnabled(has_mask)
        tip = QLabel("Black lines are outlines; strokes in a colour (the pen's Ink) say which "
                     "colour goes there.")  # fmt: skip
        tip.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Subject", self.subject)
        form.addRow(self.inside_mask)
        form.addRow(tip)
        form.addRow(_buttons(self, "Render"))

    def values(self) -> SketchOptions:
        return SketchOptions(self.subject.currentData(), self.inside_mask.isChecked())
