"""Background jobs the editor runs that are not operations on an image of their own: colour
suggestions for a hint, and model weights (status, fetch, import). No CLI commands: `retouch
models` covers the weights."""

from __future__ import annotations

from editor.ops.spec import Operation, ResultKind


def _background_job(op_id: str, title: str, summary: str, function: str, request: str,
                    models: tuple[str, ...] = ()) -> Operation:  # fmt: skip
    """A job with no pixels in or out (ResultKind.DATA) and no CLI command; `function` is in
    editor.engine.models unless it names its module."""
    run = function if ":" in function else f"editor.engine.models:{function}"
    return Operation(id=op_id, title=title, summary=summary, run=run, request=request,
                     models=models, result=ResultKind.DATA, command=False)  # fmt: skip


OPERATIONS = (
    _background_job("suggest-colours", "Suggesting", "the model's likely colours at a point",
                    "editor.engine.colorize:run_color_suggestions", "ColorSuggestRequest",
                    ("colorize",)),
    _background_job("model-status", "Checking models", "which models have weights",
                    "run_model_status", "ModelStatusRequest"),
    _background_job("readiness", "Checking models", "which operations can run",
                    "run_readiness", "ReadinessRequest"),
    _background_job("fetch-model", "Getting weights", "download a model's weights",
                    "run_fetch_model", "FetchModelRequest"),
    _background_job("import-model", "Importing weights", "import a checkpoint",
                    "run_import_model", "ImportModelRequest"),
)  # fmt: skip
