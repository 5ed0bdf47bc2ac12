"""Write a trained inpainting model as fp16 safetensors (+ a metrics JSON) and read it back.

The architecture config and working size are stored in the safetensors metadata, so a loader
needs nothing but the file. Floating-point tensors are stored as fp16 and loaded back as fp32.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from editor.ml.inpaint_nets import arch_name, build, load_safetensors


def save_fp16(module: torch.nn.Module, path: str | Path, metadata: dict[str, object]) -> Path:
    """Save `module`'s state as safetensors (floating tensors in fp16, batch norm's step
    counters left out) with string `metadata`; returns the path."""
    from safetensors.torch import save_file

    state = {
        name: (t.detach().to("cpu", torch.float16) if t.is_floating_point() else t.cpu())
        .contiguous()
        for name, t in module.state_dict().items()
        if not name.endswith("num_batches_tracked")
    }  # fmt: skip
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path), metadata={k: str(v) for k, v in metadata.items()})
    return path


def export_model(
    model: nn.Module, path: str | Path, working_size: int, extra: dict[str, str] | None = None
) -> Path:
    """Save `model` as fp16 safetensors at `path`; returns the path."""
    config = model.config
    meta = {"arch": arch_name(config), "working_size": str(working_size), **config.to_metadata()}
    meta.update(extra or {})
    return save_fp16(model, path, meta)


def load_exported(path: str | Path, device: str = "cpu") -> tuple[nn.Module, dict[str, str]]:
    """(fp32 model in eval mode on `device`, metadata) from an exported file."""
    return load_safetensors(str(path), device)


def write_metrics(path: str | Path, metrics: dict) -> Path:
    path = Path(path)
    path.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    return path


def export_checkpoint(
    ckpt: str | Path, config_name: str, path: str | Path, working_size: int | None = None
) -> Path:
    """Export the EMA weights of a training checkpoint (ckpt.pt) of the named config."""
    from editor.training.train_inpaint import CONFIGS

    cfg = CONFIGS[config_name]
    state = torch.load(ckpt, map_location="cpu", weights_only=True)
    model = build(cfg.arch)
    model.load_state_dict(state["ema"])
    extra = {"train_config": cfg.name, "steps": str(int(state["step"]))}
    return export_model(model.eval(), path, working_size or cfg.working_size, extra)
