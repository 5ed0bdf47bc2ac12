"""The running job: its title, a progress bar and Cancel. Listens to the engine's signals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class JobsPanel(QWidget):
    def __init__(self, engine, operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operations = operations
        self.title = QLabel("No job running")
        self.bar = QProgressBar(minimum=0, maximum=1000)
        self.bar.setTextVisible(True)
        self._show_idle()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running operation")
        self.cancel_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addStretch(1)
        self.cancel_button.clicked.connect(operations.cancel)
        engine.started.connect(self._on_started)
        engine.progress.connect(self._on_progress)
        operations.busy_changed.connect(self._on_busy)

    def add_result_actions(self, *actions) -> None:
        """Buttons for the pending result (Accept, Discard); they follow the actions' state."""
        row = QHBoxLayout()
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            row.addWidget(button)
        self.layout().insertLayout(2, row)

    def _on_started(self, job_id: int, title: str) -> None:
        if job_id == self.operations.active_job:
            self.title.setText(title)
            self.bar.setValue(0)
            self.bar.setFormat("%p%")

    def _on_progress(self, job_id: int, fraction: float, text: str) -> None:
        if job_id == self.operations.active_job:
            # Steps of a job may count from 0 again: the bar only moves forward.
            self.bar.setValue(max(self.bar.value(), round(fraction * 1000)))
            self.bar.setFormat(f"{text} %p%" if text else "%p%")

    def _on_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        if not busy:
            self.title.setText("No job running")
            self._show_idle()

    def _show_idle(self) -> None:
        """An empty bar without a figure ("0 %" would suggest a job that is stuck)."""
        self.bar.reset()
        self.bar.setFormat("")
