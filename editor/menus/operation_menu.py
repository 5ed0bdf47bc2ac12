"""Menu entries generated from the operation registry: every operation whose spec has a menu
entry and asks for a generated form (dialog="form") gets an action that opens a ParamsDialog
and runs it through Operations.run_operation. Operations with their own dialogs and flows
(Erase, Colorize, Sketch, Denoise, Style Transfer, Upscale) are wired in their menus."""

from __future__ import annotations

from editor.menus.actions import enable_operation, make_action
from editor.ops.registry import OPERATIONS
from editor.ops.spec import Operation
from editor.panels.params_dialog import ParamsDialog


def form_operations(operations: tuple[Operation, ...] = OPERATIONS) -> list[Operation]:
    return [op for op in operations if op.menu is not None and op.dialog == "form"]


class OperationMenu:
    def __init__(self, window, operations: list[Operation] | None = None) -> None:
        self.window = window
        self.operations = form_operations() if operations is None else operations
        self.params = {op.id: op.params() for op in self.operations}  # the last values used
        self.actions = []
        for op in self.operations:
            assert op.menu is not None
            action = make_action(window, op.menu.text, lambda _=False, op=op: self.open(op),
                                 op.menu.shortcut or None, op.menu.tip or op.summary)  # fmt: skip
            self.actions.append(action)

    def refresh(self, has_image: bool, busy: bool) -> None:
        not_ready = self.window.operations.not_ready
        for op, action in zip(self.operations, self.actions, strict=True):
            enable_operation(action, has_image and not busy, not_ready.get(op.id, ""))

    def open(self, op: Operation) -> int | None:
        window = self.window
        has_mask = bool(window.document.mask.pixels.any())
        dialog = ParamsDialog(op.title, self.params[op.id], has_mask, window)
        if dialog.exec() != ParamsDialog.DialogCode.Accepted:
            return None
        self.params[op.id] = dialog.values()
        return window.operations.run_operation(op.id, self.params[op.id], dialog.inside_mask())
