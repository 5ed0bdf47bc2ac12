"""The colorizer's tensor contract, shared by training and inference.

- `gray_rgb`: the encoder sees only lightness, as neutral gray sRGB (N×3×H×W, [0, 1]).
- `hint_channels`: user colours as N×3×h×w (a/110·mask, b/110·mask, mask) at 1/4 resolution.
- `predict_logits`: padded inference on an RGB image of any size → ab-bin logits at 1/4 size.
- `decode_ab`: the user-facing Vibrance (0..1) → how much of the class-rebalancing tilt is kept
  and the annealed-mean temperature.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from editor.ml import color
from editor.ml.archs.colorizer import OUTPUT_STRIDE, ColorDecoder, Colorizer
from editor.ml.archs.decoder_blocks import STRIDE

# Vibrance 0 decodes with T = 1 (the plain mean: safe, dull), 1 with T = 0.15 (most vivid).
T_SAFE = 1.0
T_VIVID = 0.15


def vibrance_to_temperature(vibrance: float) -> float:
    if not 0.0 <= vibrance <= 1.0:
        raise ValueError(f"vibrance must be in [0, 1], got {vibrance}")
    return T_SAFE - vibrance * (T_SAFE - T_VIVID)


def decode_ab(logits: torch.Tensor, decoder: ColorDecoder, vibrance: float) -> torch.Tensor:
    """N×2×h×w ab (Lab units) from the decoder's logits at a Vibrance in [0, 1].

    Class rebalancing trained the decoder to favour rare (colourful) bins by the factor w(bin);
    Vibrance keeps w^vibrance of that tilt (0: the plain posterior, muted but most often right;
    1: fully rebalanced, vivid) and sharpens the annealed mean (temperature) alongside."""
    from editor.ml.ab_bins import annealed_mean

    untilt = (1.0 - vibrance) * decoder.log_weight.view(1, -1, 1, 1)
    return annealed_mean(logits - untilt.to(logits), decoder.bin_ab,
                         vibrance_to_temperature(vibrance))  # fmt: skip


def gray_rgb(rgb: torch.Tensor) -> torch.Tensor:
    """N×3×H×W sRGB [0, 1] → the same lightness as neutral gray sRGB (the encoder's input)."""
    l_star = color.lightness(rgb)
    return color.lab_to_rgb(torch.cat([l_star, torch.zeros_like(l_star).repeat(1, 2, 1, 1)], 1))


def hint_channels(ab: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """N×3×h×w decoder hint input from ab (Lab units) and a 0/1 mask N×1×h×w."""
    return torch.cat([ab / color.AB_SCALE * mask, mask], 1)


def cell_lightness(rgb: torch.Tensor) -> torch.Tensor:
    """1×1×⌈H/4⌉×⌈W/4⌉ mean L* of each output cell of rgb 1×3×H×W sRGB [0, 1]."""
    return F.avg_pool2d(color.lightness(rgb), OUTPUT_STRIDE, ceil_mode=True)


def padded_size(height: int, width: int) -> tuple[int, int]:
    """The encoder's input size for an image of height×width (multiples of STRIDE)."""
    return -(-height // STRIDE) * STRIDE, -(-width // STRIDE) * STRIDE


@torch.inference_mode()
def predict_logits(model: Colorizer, rgb: torch.Tensor, hints: torch.Tensor) -> torch.Tensor:
    """Logits 1×Q×⌈H/4⌉×⌈W/4⌉ for rgb 1×3×H×W sRGB [0, 1] (colour is ignored, only L* is used)
    and hints 1×3×⌈H/4⌉×⌈W/4⌉ (see `hint_channels`). The image is reflect-padded to a multiple of
    the encoder's stride and the logits cropped back."""
    height, width = rgb.shape[-2:]
    full_h, full_w = padded_size(height, width)
    gray = gray_rgb(rgb)
    if (full_h, full_w) != (height, width):
        gray = F.pad(gray, (0, full_w - width, 0, full_h - height), mode="replicate")
    out_h, out_w = full_h // OUTPUT_STRIDE, full_w // OUTPUT_STRIDE
    hints = F.pad(hints, (0, out_w - hints.shape[-1], 0, out_h - hints.shape[-2]))
    logits: torch.Tensor = model(gray, hints.to(gray.dtype))
    return logits[..., : -(-height // OUTPUT_STRIDE), : -(-width // OUTPUT_STRIDE)]


# Hint spreading: each hint's colour correction reaches the cells joined to it by a path without
# strong lightness edges (a geodesic, Levin et al. 2004 in spirit), fading with distance.
SPREAD_DECAY = 0.99  # weight kept per cell stepped (1/4-resolution cells)
SPREAD_EDGE = 12.0  # L* difference between neighbouring cells that divides the weight by e


def spread_hints(
    ab: torch.Tensor,
    l_star: torch.Tensor,
    hints: torch.Tensor,
    decay: float = SPREAD_DECAY,
    edge: float = SPREAD_EDGE,
    check: Callable[[], None] | None = None,
) -> torch.Tensor:
    """Move predicted chroma toward the hinted colours over each hint's region.

    ab: 1×2×h×w predicted ab (Lab units); l_star: 1×1×h×w L* at the same cells; hints: the
    decoder's 1×3×h×w hint channels. Each hint cell gets exactly its colour; other cells get
    the hints' corrections (hint colour − prediction there) weighted by the best path weight
    Π decay·exp(−|ΔL*|/edge) to each hint, averaged where hints overlap. `check()` is called
    before each hint (a job's cancel check: it may raise).
    """
    mask = hints[0, 2] > 0
    if not bool(mask.any()):
        return ab
    hinted_ab = hints[0, :2] * color.AB_SCALE
    light = l_star[0, 0].double()
    step_x, step_y = step_weights(light, decay, edge)
    correction = torch.zeros_like(ab[0], dtype=torch.float64)
    total = torch.zeros_like(light)
    for row, col in mask.nonzero().tolist():
        if check is not None:
            check()
        source = torch.zeros(light.shape, dtype=torch.bool)
        source[row, col] = True
        weight = path_weights(source, step_x, step_y, check)
        delta = (hinted_ab[:, row, col] - ab[0, :, row, col]).double()
        correction += weight[None] * delta[:, None, None]
        total += weight
    correction /= total.clamp_min(1.0)[None]
    return (ab[0] + correction.to(ab.dtype))[None]


def step_weights(
    light: torch.Tensor, decay: float, edge: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """(to the right, downward) h×(w−1) and (h−1)×w weights of a step between neighbouring
    cells of the h×w float64 lightness `light`: decay·exp(−|ΔL*|/edge)."""
    step_x = decay * torch.exp(-(light[:, 1:] - light[:, :-1]).abs() / edge)
    step_y = decay * torch.exp(-(light[1:, :] - light[:-1, :]).abs() / edge)
    return step_x, step_y


def path_weights(sources: torch.Tensor, step_x: torch.Tensor, step_y: torch.Tensor,
                 check: Callable[[], None] | None = None) -> torch.Tensor:  # fmt: skip
    """h×w best product of step weights along any 4-connected path from a cell of the h×w bool
    `sources`: repeated sweeps in the four directions until nothing improves (a max-product
    Bellman-Ford). `check()` runs before each sweep (a job's cancel check: it may raise); one
    hint's spreading took up to ~0.5 s on a busy machine, too long between checks."""
    shape = sources.shape
    weight = sources.to(torch.float64)
    for _ in range(shape[0] + shape[1]):
        if check is not None:
            check()
        before = weight.clone()
        for col_index in range(1, shape[1]):  # left to right
            weight[:, col_index] = torch.maximum(
                weight[:, col_index], weight[:, col_index - 1] * step_x[:, col_index - 1]
            )
        for col_index in range(shape[1] - 2, -1, -1):  # right to left
            weight[:, col_index] = torch.maximum(
                weight[:, col_index], weight[:, col_index + 1] * step_x[:, col_index]
            )
        for row_index in range(1, shape[0]):  # top to bottom
            weight[row_index] = torch.maximum(
                weight[row_index], weight[row_index - 1] * step_y[row_index - 1]
            )
        for row_index in range(shape[0] - 2, -1, -1):  # bottom to top
            weight[row_index] = torch.maximum(
                weight[row_index], weight[row_index + 1] * step_y[row_index]
            )
        if torch.equal(weight, before):
            break
    return weight
