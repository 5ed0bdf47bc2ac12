"""File → Batch…: the dialog builds the operation's options from its Params, runs the batch on
a thread (the editor stays usable), shows progress and the summary, and Stop ends cleanly."""

from __future__ import annotations

import pytest
from batch_helpers import write_photos

from editor.batch.manifest import Manifest


@pytest.fixture
def dialog(qtbot):
    from editor.batch.runner import InProcess
    from editor.panels.batch_dialog import BatchDialog

    widget = BatchDialog()
    widget.make_backend = lambda workers: InProcess()  # no worker processes in a unit test
    qtbot.addWidget(widget)
    yield widget
    widget.stop()
    assert widget.wait(60)


def _choose(dialog, op_id: str) -> None:
    dialog.operation.setCurrentIndex(dialog.operation.findData(op_id))


def test_options_come_from_the_operation(dialog):
    from editor.batch.operations import default_options, operations

    _choose(dialog, "denoise")
    assert dialog.options() == default_options(operations()["denoise"])
    _choose(dialog, "inpaint")
    options = dialog.options()
    assert options["mask"] is None and options["method"] == default_options(
        operations()["inpaint"])["method"]  # fmt: skip
    _choose(dialog, "colorize")
    assert dialog.options()["hints"] == ()


def test_runs_a_batch_and_shows_the_summary(dialog, qtbot, tmp_path):
    write_photos(tmp_path / "in", 3)
    _choose(dialog, "denoise")
    dialog.add_inputs([str(tmp_path / "in"), str(tmp_path / "in")])
    assert dialog.inputs.count() == 1
    dialog.output.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dialog.bridge.finished, timeout=300_000):
        dialog.start()
        assert not dialog.start_button.isEnabled() and dialog.stop_button.isEnabled()
    assert dialog.start_button.isEnabled() and not dialog.stop_button.isEnabled()
    assert dialog.progress.value() == 3
    assert "done" in dialog.report.toPlainText()
    with Manifest.in_folder(tmp_path / "out") as manifest:
        assert manifest.counts() == {"done": 3}
    with qtbot.waitSignal(dialog.bridge.finished, timeout=300_000):
        dialog.start()  # again: everything is already done
    assert "skipped (already done)        3" in dialog.report.toPlainText()


def test_missing_inputs_are_said_not_raised(dialog):
    dialog.start()
    assert "output folder" in dialog.status.text()
    assert dialog.start_button.isEnabled()


def test_file_menu_opens_one_batch_dialog_that_does_not_block(window):
    assert window.batch_action in window.menus["&File"]
    window.batch_action.trigger()
    dialog = window.batch_dialog
    assert dialog.isVisible() and not dialog.isModal()
    window.batch_action.trigger()
    assert window.batch_dialog is dialog
    dialog.close()
