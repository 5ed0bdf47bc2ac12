"""Run any request: pure dispatch, no Qt. The worker thread and the CLI both call `execute`.

Run functions are imported on first use so that torch (and OpenCV) load with the first job,
not at application start.
"""

from __future__ import annotations

import importlib
from typing import Any

from editor.engine.context import JobContext

# request class name -> "module:function"
_RUNNERS = {
    "InpaintRequest": "editor.engine.inpaint:run_inpaint",
    "UpscaleRequest": "editor.engine.upscale:run_upscale",
    "StylizeRequest": "editor.engine.stylize:run_stylize",
    "ColorizeRequest": "editor.engine.colorize:run_colorize",
    "ColorSuggestRequest": "editor.engine.colorize:run_color_suggestions",
    "SketchRequest": "editor.engine.sketch:run_sketch",
    "DenoiseRequest": "editor.engine.denoise:run_denoise",
    "SmartSelectRequest": "editor.engine.select:run_smart_select",
    "ModelStatusRequest": "editor.engine.models:run_model_status",
    "FetchModelRequest": "editor.engine.models:run_fetch_model",
    "ImportModelRequest": "editor.engine.models:run_import_model",
}


def runner_for(request: object):
    name = type(request).__name__
    try:
        module_name, function_name = _RUNNERS[name].split(":")
    except KeyError:
        raise TypeError(f"no runner for {name}") from None
    return getattr(importlib.import_module(module_name), function_name)


def execute(request: object, ctx: JobContext | None = None) -> Any:
    return runner_for(request)(request, ctx or JobContext())
