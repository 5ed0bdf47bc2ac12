"""Colour scribbles on a sketch: the tensor contract shared by training and inference.

On the user's sketch layer, black and gray strokes are lines; strokes in a colour (chroma at
least COLOUR_CHROMA) are scribbles that say which colour goes there. `split_sketch` separates
the two; `scribble_channels` turns the colour strokes into the sketcher's N×4×h×w hint input
(r·m, g·m, b·m, m at 1/4 of the working size), the same layout training samples.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

COLOUR_CHROMA = 40  # max − min of the RGB channels (0..255) above which a stroke is a colour
MIN_COVERAGE = 0.15  # share of a 1/4-resolution cell a stroke must cover to count there


def split_sketch(rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lines H×W float32 with 1 = paper, colours H×W×3 float32 sRGB [0, 1], scribble mask H×W
    float32 coverage in [0, 1]) of a user's H×W×4 uint8 RGBA sketch layer.

    Transparent pixels are paper; the ink of a line is the darkness of its opaque pixels, so
    black lines on white or on transparency both work. Scribble pixels are paper for the lines.
    """
    rgb = rgba[..., :3].astype(np.float32)
    alpha = rgba[..., 3].astype(np.float32) / 255.0
    chroma = rgb.max(-1) - rgb.min(-1)
    scribble = (chroma >= COLOUR_CHROMA) & (alpha > 0)
    luma = (rgb @ np.array([0.299, 0.587, 0.114], np.float32)) / 255.0
    lines = 1.0 - alpha * (1.0 - luma)
    lines[scribble] = 1.0
    coverage = np.where(scribble, alpha, 0.0).astype(np.float32)
    return lines.astype(np.float32), rgb / 255.0, coverage


def scribble_channels(colours: torch.Tensor, coverage: torch.Tensor,
                      size: tuple[int, int]) -> torch.Tensor:  # fmt: skip
    """N×4×h×w hint input at `size` (h, w) from N×3×H×W colours and N×1×H×W coverage in [0, 1].

    Each cell gets the mean colour of the scribble pixels in it (area-weighted) when they cover
    at least MIN_COVERAGE of it."""
    weight = F.adaptive_avg_pool2d(coverage, size)
    colour = F.adaptive_avg_pool2d(colours * coverage, size) / weight.clamp_min(1e-6)
    mask = (weight >= MIN_COVERAGE).to(colours.dtype)
    return hint_input(colour, mask)


def hint_input(colour: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """N×4×h×w decoder input from N×3×h×w sRGB [0, 1] colours and an N×1×h×w 0/1 mask."""
    return torch.cat([colour * mask, mask], 1)
