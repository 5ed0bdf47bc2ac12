"""CIE Lab (D65, sRGB primaries) in torch, and a chroma test for grayscale-stored-as-RGB photos.

Tensors are N×3×H×W float32: RGB in [0, 1] (sRGB-encoded), Lab with L in [0, 100] and a, b in
about [-110, 110]. The network-side scaling (`L_SCALE`, `AB_SCALE`) maps L to [-1, 1] and ab to
about [-1, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

AB_SCALE = 110.0  # ab / AB_SCALE is the network's chroma range (about [-1, 1])
_WHITE = (0.95047, 1.0, 1.08883)  # D65 reference white (X, Y, Z)
_RGB_TO_XYZ = (
    (0.4124564, 0.3575761, 0.1804375),
    (0.2126729, 0.7151522, 0.0721750),
    (0.0193339, 0.1191920, 0.9503041),
)
_EPS = 216.0 / 24389.0
_KAPPA = 24389.0 / 27.0


def _matrix(rows: Sequence[Sequence[float]], like: torch.Tensor) -> torch.Tensor:
    return torch.tensor(rows, dtype=like.dtype, device=like.device)


def _to_linear(rgb: torch.Tensor) -> torch.Tensor:
    return torch.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055).clamp_min(0) ** 2.4)


def _to_srgb(linear: torch.Tensor) -> torch.Tensor:
    linear = linear.clamp_min(0)
    return torch.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """N×3×H×W sRGB [0, 1] → N×3×H×W Lab (L [0, 100], a/b about [-110, 110])."""
    xyz = torch.einsum("ij,njhw->nihw", _matrix(_RGB_TO_XYZ, rgb), _to_linear(rgb))
    xyz = xyz / torch.tensor(_WHITE, dtype=rgb.dtype, device=rgb.device).view(1, 3, 1, 1)
    f = torch.where(xyz > _EPS, xyz.clamp_min(_EPS) ** (1 / 3), (_KAPPA * xyz + 16) / 116)
    fx, fy, fz = f[:, 0:1], f[:, 1:2], f[:, 2:3]
    return torch.cat([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], dim=1)


def lab_to_rgb_unclamped(lab: torch.Tensor) -> torch.Tensor:
    """N×3×H×W Lab → sRGB, not clamped (values outside [0, 1] are out of gamut)."""
    fy = (lab[:, 0:1] + 16) / 116
    fx = fy + lab[:, 1:2] / 500
    fz = fy - lab[:, 2:3] / 200
    f = torch.cat([fx, fy, fz], dim=1)
    xyz = torch.where(f**3 > _EPS, f**3, (116 * f - 16) / _KAPPA)
    xyz = xyz * torch.tensor(_WHITE, dtype=lab.dtype, device=lab.device).view(1, 3, 1, 1)
    inverse = torch.linalg.inv(_matrix(_RGB_TO_XYZ, lab).double()).to(lab.dtype)
    linear = torch.einsum("ij,njhw->nihw", inverse, xyz)
    sign = torch.sign(linear)
    return sign * _to_srgb(linear.abs())


def lab_to_rgb(lab: torch.Tensor) -> torch.Tensor:
    """N×3×H×W Lab → sRGB clamped to [0, 1]."""
    return lab_to_rgb_unclamped(lab).clamp(0.0, 1.0)


def lightness(rgb: torch.Tensor) -> torch.Tensor:
    """N×1×H×W L* in [0, 100] of sRGB [0, 1] (the colorizer's input)."""
    return rgb_to_lab(rgb)[:, :1]


def fit_chroma_in_gamut(l_star: torch.Tensor, ab: torch.Tensor, steps: int = 10) -> torch.Tensor:
    """Scale each pixel's ab toward 0 (same hue, same L) until Lab → sRGB is in gamut.

    l_star N×1×H×W, ab N×2×H×W; returns ab' = t·ab with the largest t in [0, 1] found by
    bisection (only for the pixels that are out of gamut), so a colour keeps exactly the
    given lightness instead of being clipped in RGB.
    """
    inside = _in_gamut(l_star, ab)[:, 0]  # N×H×W
    if bool(inside.all()):
        return ab
    out = ab.permute(0, 2, 3, 1).clone()  # N×H×W×2
    where = ~inside
    l_out = l_star[:, 0][where][:, None, None, None].permute(1, 3, 0, 2)  # 1×1×K×1
    ab_out = out[where].T[None, :, :, None]  # 1×2×K×1
    low = torch.zeros_like(l_out)
    high = torch.ones_like(l_out)
    for _ in range(steps):
        mid = (low + high) / 2
        ok = _in_gamut(l_out, ab_out * mid)
        low = torch.where(ok, mid, low)
        high = torch.where(ok, high, mid)
    out[where] = (ab_out * low)[0, :, :, 0].T
    return out.permute(0, 3, 1, 2)


def _in_gamut(l_star: torch.Tensor, ab: torch.Tensor, tol: float = 1e-4) -> torch.Tensor:
    rgb = lab_to_rgb_unclamped(torch.cat([l_star, ab], dim=1))
    return ((rgb >= -tol) & (rgb <= 1 + tol)).all(dim=1, keepdim=True)


def mean_chroma(rgb: torch.Tensor) -> torch.Tensor:
    """N mean Lab chroma sqrt(a² + b²) per image (≈ 0 for a gray photo stored as RGB)."""
    ab = rgb_to_lab(rgb)[:, 1:]
    return ab.pow(2).sum(1).sqrt().flatten(1).mean(1)


def colour_photos(photos: torch.Tensor, min_chroma: float = 4.0) -> torch.Tensor:
    """Keep the N×H×W×3 uint8 photos whose mean chroma is at least `min_chroma` (drops
    grayscale and nearly monochrome photos, which would teach the colorizer to stay gray)."""
    keep = []
    for start in range(0, photos.shape[0], 256):
        chunk = photos[start : start + 256].permute(0, 3, 1, 2).float().div(255.0)
        keep.append(mean_chroma(chunk) >= min_chroma)
    return photos[torch.cat(keep)]
