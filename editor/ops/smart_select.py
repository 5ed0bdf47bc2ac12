"""Smart select (GrabCut inside a box): an editor-only operation (no CLI command)."""

from __future__ import annotations

from editor.ops.spec import Operation, ResultKind

OPERATION = Operation(
    id="smart-select",
    title="Smart select",
    summary="select the object inside a box (GrabCut)",
    run="editor.engine.select:run_smart_select",
    request="SmartSelectRequest",
    result=ResultKind.MASK,
    command=False,
)
