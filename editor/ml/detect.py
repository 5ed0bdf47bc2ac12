"""Recognise which of our architectures a state dict belongs to, from its keys and shapes."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import torch

from editor.ml.errors import ModelLoadError

_RRDB_BLOCK = re.compile(r"^body\.(\d+)\.rdb1\.conv1\.weight$")
_BODY_WEIGHT = re.compile(r"^body\.(\d+)\.weight$")


@dataclass(frozen=True)
class DetectedArch:
    arch: str  # "module:callable" accepted by ModelSpec.arch
    kwargs: dict[str, Any]
    scale: int
    family: str  # short human label


def detect_arch(state: dict[str, torch.Tensor]) -> DetectedArch:
    """Identify RRDBNet (x4, 3-channel input) or SRVGGNetCompact; raise ModelLoadError otherwise."""
    if "conv_first.weight" in state and "conv_up1.weight" in state:
        return _detect_rrdbnet(state)
    if "body.0.weight" in state and "body.1.weight" in state and state["body.1.weight"].ndim == 1:
        return _detect_srvgg(state)
    sample = sorted(state)[:4]
    raise ModelLoadError(f"unrecognised checkpoint: keys {sample} match no supported architecture")


def _detect_rrdbnet(state: dict[str, torch.Tensor]) -> DetectedArch:
    first = state["conv_first.weight"]
    if first.shape[1] != 3:
        raise ModelLoadError(
            f"RRDBNet with {first.shape[1]} input channels (pixel-unshuffle x2/x1 variants) "
            "is not supported; only x4 models with RGB input are"
        )
    blocks = [int(m.group(1)) for k in state if (m := _RRDB_BLOCK.match(k))]
    if not blocks:
        raise ModelLoadError("RRDBNet checkpoint without body.N.rdb1 blocks")
    kwargs = {
        "num_feat": int(first.shape[0]),
        "num_block": max(blocks) + 1,
        "num_grow_ch": int(state["body.0.rdb1.conv1.weight"].shape[0]),
        "num_out_ch": int(state["conv_last.weight"].shape[0]),
    }
    return DetectedArch("editor.ml.archs.rrdbnet:RRDBNet", kwargs, 4, "RRDBNet")


def _detect_srvgg(state: dict[str, torch.Tensor]) -> DetectedArch:
    convs = sorted(
        int(m.group(1)) for k, v in state.items() if (m := _BODY_WEIGHT.match(k)) and v.ndim == 4
    )
    last = state[f"body.{convs[-1]}.weight"]
    upscale = math.isqrt(int(last.shape[0]) // 3)
    if upscale * upscale * 3 != last.shape[0]:
        raise ModelLoadError(f"SRVGG last conv has {last.shape[0]} channels, not 3 * scale^2")
    kwargs = {
        "num_feat": int(state["body.0.weight"].shape[0]),
        "num_conv": len(convs) - 2,
        "upscale": upscale,
    }
    return DetectedArch("editor.ml.archs.srvgg:SRVGGNetCompact", kwargs, upscale, "SRVGGNetCompact")
