"""Background jobs the editor runs that are not operations on an image of their own: colour
suggestions for a hint, and model weights (status, fetch, import). No CLI commands: `retouch
models` covers the weights."""

from __future__ import annotations

from editor.ops.spec import Operation, ResultKind

OPERATIONS = (
    Operation(id="suggest-colours", title="Suggesting", summary="the model's likely colours at "
              "a point", run="editor.engine.colorize:run_color_suggestions",
              request="ColorSuggestRequest", models=("colorize",), result=ResultKind.DATA,
              command=False),
    Operation(id="model-status", title="Checking models", summary="which models have weights",
              run="editor.engine.models:run_model_status", request="ModelStatusRequest",
              result=ResultKind.DATA, command=False),
    Operation(id="readiness", title="Checking models", summary="which operations can run",
              run="editor.engine.models:run_readiness", request="ReadinessRequest",
              result=ResultKind.DATA, command=False),
    Operation(id="fetch-model", title="Getting weights", summary="download a model's weights",
              run="editor.engine.models:run_fetch_model", request="FetchModelRequest",
              result=ResultKind.DATA, command=False),
    Operation(id="import-model", title="Importing weights", summary="import a checkpoint",
              run="editor.engine.models:run_import_model", request="ImportModelRequest",
              result=ResultKind.DATA, command=False),
)  # fmt: skip
