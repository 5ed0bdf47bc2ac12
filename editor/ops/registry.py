"""The ordered registry of operations: the engine, the CLI, batch, menus and dialogs read it.

Public API (no Qt and no torch are imported; run functions load on first use):

- `OPERATIONS`: every Operation (editor.ops.spec), in menu / `--help` order.
- `operation(id)`: the one with that id (KeyError naming the known ids otherwise).
- `commands()`: those that are `retouch` subcommands; `batchable()`: those `retouch batch`
  may run.
- `for_request(request)`: the operation that runs a request object (the engine's dispatch).
- `run_function(op)`: its run function, `function(request, ctx) -> result`.

An Operation carries: `id`, `title`, `summary` (one line), `params` (a frozen dataclass whose
fields' metadata builds argparse options and dialog forms: see spec.add_arguments /
spec.params_from_args), `build(Inputs, params) -> request`, `run` ("module:function"),
`source` / `files` (the images it reads), `models` (catalog names), `result` (a ResultKind:
how the result applies, see editor.core.merge), `batchable`, `command`, `menu`, `preview`.

Adding an operation: a module in editor/ops/ that defines `OPERATION`, and its name in
`_MODULES` below (CONTRIBUTING.md has the steps).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from editor.ops.spec import Operation

# One line per operation module (editor/ops/<name>.py, each defining OPERATION), in order.
_MODULES = (
    "inpaint",
    "upscale",
    "denoise",
    "colorize",
    "sketch2photo",
    "stylize",
    "smart_select",
    "jobs",
)


def _collect() -> tuple[Operation, ...]:
    found: list[Operation | None] = []
    for name in _MODULES:
        module = importlib.import_module(f"editor.ops.{name}")
        found.extend(getattr(module, "OPERATIONS", (getattr(module, "OPERATION", None),)))
    return check_unique(tuple(op for op in found if op is not None))


def check_unique(operations: tuple[Operation, ...]) -> tuple[Operation, ...]:
    """`operations` unchanged; a repeated id or request class is an error."""
    for key in ("id", "request"):
        seen: set[str] = set()
        for op in operations:
            value = getattr(op, key)
            if value in seen:
                raise ValueError(f"two operations have the {key} {value!r}")
            seen.add(value)
    return operations


OPERATIONS: tuple[Operation, ...] = _collect()
_BY_ID = {op.id: op for op in OPERATIONS}
_BY_REQUEST = {op.request: op for op in OPERATIONS}


def operation(op_id: str) -> Operation:
    try:
        return _BY_ID[op_id]
    except KeyError:
        raise KeyError(f"no operation {op_id!r} (known: {', '.join(_BY_ID)})") from None


def commands() -> tuple[Operation, ...]:
    return tuple(op for op in OPERATIONS if op.command)


def batchable() -> tuple[Operation, ...]:
    return tuple(op for op in OPERATIONS if op.batchable)


def for_request(request: object) -> Operation:
    name = type(request).__name__
    try:
        return _BY_REQUEST[name]
    except KeyError:
        raise TypeError(f"no operation runs {name}") from None


def run_function(op: Operation) -> Callable[..., Any]:
    module_name, function_name = op.run.split(":")
    return getattr(importlib.import_module(module_name), function_name)  # type: ignore[no-any-return]
