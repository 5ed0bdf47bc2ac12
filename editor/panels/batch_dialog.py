"""File → Batch…: run one operation over folders of images, on the same code as `retouch batch`
(editor.batch), without blocking the editor.

The dialog picks the operation (the registry's batchable ones), the inputs (folders, files),
the output folder and the operation's options (a form made from its Params, the same fields as
its CLI options). Start runs the batch on a thread that feeds worker processes (models load in
them, never in this process); the bar and the counts follow each result; Stop ends cleanly
(the rerun continues where it stopped, as in the CLI). The summary table shows at the end.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

_AUTOMATIC = "automatic"


class _Bridge(QObject):
    """Carries the batch thread's news to the dialog (queued into the UI thread)."""

    planned = Signal(int, int)  # to process, already done
    advanced = Signal(int, int)  # done, failed
    finished = Signal(str)  # summary table
    failed = Signal(str)  # the batch could not start (no inputs, ...)


def _field_widget(item: dataclasses.Field[Any], default: Any) -> tuple[QWidget, Any]:
    """A form widget for one Params field and a function reading its value back."""
    meta = item.metadata
    choices = meta.get("choices")
    choices = choices() if callable(choices) else choices
    if choices is not None:
        combo = QComboBox()
        if default is None:
            combo.addItem(_AUTOMATIC, None)
        for choice in choices:
            combo.addItem(str(choice), choice)
        combo.setCurrentIndex(max(0, combo.findData(default)))
        return combo, combo.currentData
    parse = meta.get("type") or (type(default) if default is not None else str)
    if meta.get("repeat"):
        edit = QLineEdit()
        edit.setPlaceholderText("none (space-separated values)")
        return edit, lambda: tuple(parse(text) for text in edit.text().split())
    low, high = meta.get("minimum"), meta.get("maximum")
    if isinstance(default, float):
        spin = QDoubleSpinBox()
        spin.setDecimals(2)
        spin.setRange(-1e9 if low is None else low, 1e9 if high is None else high)
        spin.setValue(default)
        return spin, spin.value
    if isinstance(default, int) and not isinstance(default, bool):
        number = QSpinBox()
        number.setRange(-(10**9) if low is None else int(low), 10**9 if high is None else int(high))
        number.setValue(default)
        return number, number.value
    edit = QLineEdit("" if default is None else str(default))
    edit.setPlaceholderText(_AUTOMATIC if default is None else "")
    return edit, lambda: parse(edit.text()) if edit.text().strip() else None


class BatchDialog(QDialog):
    """Not modal: the editor stays usable while a batch runs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from editor.batch.operations import operations

        self.setWindowTitle("Batch")
        self.setModal(False)
        self.operations = operations()
        self._readers: dict[str, Any] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.bridge = _Bridge(self)
        self.bridge.planned.connect(self._on_planned)
        self.bridge.advanced.connect(self._on_advanced)
        self.bridge.finished.connect(self._on_finished)
        self.bridge.failed.connect(self._on_failed)

        self.operation = QComboBox()
        for op in self.operations.values():
            self.operation.addItem(op.title, op.id)
        self.operation.currentIndexChanged.connect(self._build_options)
        self.inputs = QListWidget()
        self.inputs.setMinimumHeight(80)
        add_folder = QPushButton("Add &Folder…")
        add_folder.clicked.connect(self._add_folder)
        add_files = QPushButton("Add F&iles…")
        add_files.clicked.connect(self._add_files)
        remove = QPushButton("&Remove")
        remove.clicked.connect(lambda: [self.inputs.takeItem(self.inputs.row(item))
                                        for item in self.inputs.selectedItems()])  # fmt: skip
        self.output = QLineEdit()
        self.output.setPlaceholderText("results keep the inputs' folder layout here")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._choose_output)
        self.options_box = QGroupBox("Options")
        self.options_form = QFormLayout(self.options_box)
        self.workers = QSpinBox()
        self.workers.setRange(0, 64)
        self.workers.setSpecialValueText(_AUTOMATIC)
        self.workers.setToolTip("Worker processes, each loading the model once (automatic: one "
                                "per GPU, else one per two cores)")  # fmt: skip
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("Choose the inputs and an output folder, then Start.")
        self.status.setWordWrap(True)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setVisible(False)
        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton("&Start", QDialogButtonBox.ButtonRole.ApplyRole)
        self.stop_button = self.buttons.addButton("S&top", QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        self.buttons.rejected.connect(self.close)

        inputs_buttons = QVBoxLayout()
        for button in (add_folder, add_files, remove):
            inputs_buttons.addWidget(button)
        inputs_buttons.addStretch(1)
        inputs_row = QHBoxLayout()
        inputs_row.addWidget(self.inputs, 1)
        inputs_row.addLayout(inputs_buttons)
        output_row = QHBoxLayout()
        output_row.addWidget(self.output, 1)
        output_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Operation:", self.operation)
        form.addRow("Inputs:", inputs_row)
        form.addRow("O&utput folder:", output_row)
        form.addRow("&Workers:", self.workers)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.options_box)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.buttons)
        self._build_options()

    # ---- form ----------------------------------------------------------------------------------

    def _build_options(self) -> None:
        from editor.batch.operations import default_options

        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self._readers.clear()
        op = self.operations[self.operation.currentData()]
        defaults = default_options(op)
        for item in op.files:
            edit = QLineEdit()
            edit.setPlaceholderText("a folder of same-named files, or one file"
                                    + ("" if item.required else " (optional)"))  # fmt: skip
            edit.setToolTip(item.help)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            for text, folder in (("Folder…", True), ("File…", False)):
                button = QPushButton(text)
                button.clicked.connect(lambda _=False, e=edit, f=folder: self._pick_side(e, f))
                row.addWidget(button)
            self.options_form.addRow(f"{item.name.capitalize()}:", row)
            self._readers[item.name] = lambda e=edit: e.text().strip() or None
        for item in dataclasses.fields(op.params):
            if not item.metadata.get("cli", False):
                continue
            widget, read = _field_widget(item, defaults[item.name])
            widget.setToolTip(item.metadata.get("help", ""))
            label = item.metadata.get("label") or item.name.replace("_", " ").capitalize()
            self.options_form.addRow(f"{label}:", widget)
            self._readers[item.name] = read
        self.options_box.setVisible(self.options_form.rowCount() > 0)

    def _pick_side(self, edit: QLineEdit, folder: bool) -> None:
        if folder:
            path = QFileDialog.getExistingDirectory(self, "Folder of same-named files")
        else:
            path = QFileDialog.getOpenFileName(self, "One file for every image")[0]
        if path:
            edit.setText(path)

    def _add_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Add a folder (its subfolders too)")
        if path:
            self.add_inputs([path])

    def _add_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add images")
        self.add_inputs(paths)

    def _choose_output(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Output folder")
        if path:
            self.output.setText(path)

    def add_inputs(self, paths: list[str]) -> None:
        present = {self.inputs.item(i).text() for i in range(self.inputs.count())}
        for path in paths:
            if path not in present:
                present.add(path)
                self.inputs.addItem(path)

    def options(self) -> dict[str, Any]:
        """The options dict the form describes (ValueError on a value that does not parse)."""
        return {name: read() for name, read in self._readers.items()}

    # ---- running -------------------------------------------------------------------------------

    def make_backend(self, workers: int) -> Any:
        """The backend a batch runs on: worker processes (tests swap this)."""
        from editor.batch.runner import LocalPool

        return LocalPool(workers or None)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        from editor.batch.runner import BatchJob

        inputs = tuple(self.inputs.item(i).text() for i in range(self.inputs.count()))
        outdir = self.output.text().strip()
        if not inputs or not outdir:
            self._on_failed("Add at least one input and choose an output folder.")
            return
        try:
            options = self.options()
        except ValueError as exc:
            self._on_failed(f"An option does not read as a value: {exc}")
            return
        job = BatchJob(self.operation.currentData(), inputs, Path(outdir), options)
        backend = self.make_backend(self.workers.value())
        self._stop = threading.Event()
        self._set_running(True)
        self.report.setVisible(False)
        self.progress.setRange(0, 0)  # busy until the inputs are counted
        self.status.setText("Looking for images…")
        self._thread = threading.Thread(target=self._work, args=(job, backend, self._stop),
                                        name="retouch-batch", daemon=True)  # fmt: skip
        self._thread.start()

    def _work(self, job: Any, backend: Any, stop: threading.Event) -> None:
        """The batch thread: everything here talks to the dialog through the bridge."""
        from editor.batch.report import summary_table
        from editor.batch.runner import run_batch

        bridge = self.bridge
        try:
            summary = run_batch(
                job, backend,
                lambda outcome, s: bridge.advanced.emit(s.done, len(s.failed)),
                stop, lambda s: bridge.planned.emit(s.planned, s.skipped),
            )  # fmt: skip
        except Exception as exc:  # shown in the dialog: the batch could not run at all
            bridge.failed.emit(str(exc) or type(exc).__name__)
            return
        bridge.finished.emit(summary_table(summary, job.outdir))

    def stop(self) -> None:
        self._stop.set()
        self.stop_button.setEnabled(False)
        self.status.setText("Stopping after the images in progress…")

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for widget in (self.operation, self.inputs, self.output, self.options_box, self.workers):
            widget.setEnabled(not running)

    def _on_planned(self, planned: int, skipped: int) -> None:
        self.progress.setRange(0, max(planned, 1))
        self.progress.setValue(0)
        self.status.setText(f"{planned} to process, {skipped} already done")
        self._planned, self._skipped = planned, skipped

    def _on_advanced(self, done: int, failed: int) -> None:
        self.progress.setValue(done + failed)
        self.status.setText(f"{done} done, {failed} failed of {self._planned} "
                            f"({self._skipped} already done)")  # fmt: skip

    def _on_finished(self, table: str) -> None:
        self._set_running(False)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.status.setText("Stopped: Start continues where it stopped." if self._stop.is_set()
                            else "Finished.")  # fmt: skip
        self.report.setPlainText(table.strip("\n"))
        self.report.setVisible(True)

    def _on_failed(self, message: str) -> None:
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.status.setText(message)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        if self.running:  # the thread ends after the images in progress, on its own
            self.stop()
        super().closeEvent(event)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the batch thread (tests, quitting); True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

