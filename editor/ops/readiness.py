"""Which operations can run with the weights this machine has or can download, generated from
each Operation's `requirements` and the model manager: the menus grey out the others and say in
their tooltip how to get what is missing. No Qt, no torch.

A model counts as obtainable when a valid file is on disk or the catalog knows where to download
it (the first run fetches it, with progress and Cancel); a pinned file shipped in models/ that is
missing or damaged is not, and only reinstalling or retraining brings it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from editor.ops.spec import Operation

if TYPE_CHECKING:
    from editor.ml.manager import ModelManager


def obtainable(manager: ModelManager, name: str) -> bool:
    return manager.is_available(name) or bool(manager.spec(name).sources)


def why_not_ready(op: Operation, manager: ModelManager) -> str:
    """Empty when `op` can run; otherwise what is missing and how to get it."""
    for group in op.requirements:
        if not any(obtainable(manager, name) for name in group):
            return missing_model_text(manager, group[0])
    return ""


def missing_model_text(manager: ModelManager, name: str) -> str:
    spec = manager.spec(name)
    return (
        f"models/{spec.weight_file} is missing or damaged (it must match its pinned sha256). "
        "Reinstall Retouch, or retrain it with the command in models/MODELS.md."
    )


def not_ready(operations: Iterable[Operation], manager: ModelManager) -> dict[str, str]:
    """Operation id → why it cannot run, for the operations that cannot."""
    reasons = {op.id: why_not_ready(op, manager) for op in operations}
    return {op_id: reason for op_id, reason in reasons.items() if reason}
