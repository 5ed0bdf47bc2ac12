"""Synthetic degradations for denoiser training, each with the noise level the model is told.

All functions take clean float32 (N, 3, H, W) RGB in [0, 1] and a torch.Generator (so a run is
reproducible), and return (noisy float32 (N, 3, H, W), sigma float32 (N,)) with sigma in [0, 1]
units (sigma_255 / 255). The sigma is what the user's strength slider means: the RMS deviation
of the degraded image from the clean one.

- Gaussian: i.i.d. N(0, sigma²) per pixel and channel; sigma is exact. Optionally clipped to
  [0, 1] and quantised to 8 bits, as a real photo file is.
- Poisson-Gaussian (Foi et al. 2008, the heteroscedastic Gaussian approximation of shot + read
  noise): variance a·x + b² per pixel; sigma = sqrt(mean(a·x + b²)) of the sample.
- JPEG: light Gaussian noise, then 8-bit JPEG at a random quality (camera pipelines compress
  noisy pictures); sigma = the measured RMS error against the clean crop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class DegradeConfig:
    max_sigma: float = 75.0  # in 0-255 units, the top of the strength slider
    p_poisson: float = 0.25
    p_jpeg: float = 0.15
    p_clip: float = 0.5  # share of Gaussian samples clipped + quantised (the rest unclipped)
    jpeg_quality: tuple[int, int] = (30, 95)
    jpeg_max_sigma: float = 40.0  # noise added before compression


def _uniform(count: int, lo: float, hi: float, gen: torch.Generator) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(count, generator=gen)


def quantise(x: torch.Tensor) -> torch.Tensor:
    """Clip to [0, 1] and round to 8-bit levels (what saving a file does)."""
    return x.clamp(0.0, 1.0).mul(255.0).round().div(255.0)


def add_gaussian(
    clean: torch.Tensor, sigma_255: torch.Tensor, gen: torch.Generator, clip: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """clean + N(0, (sigma_255/255)²); sigma_255 (N,) in 0-255 units."""
    sigma = sigma_255.to(clean.dtype) / 255.0
    noise = torch.randn(clean.shape, generator=gen, dtype=clean.dtype)
    noisy = clean + noise.to(clean.device) * sigma.to(clean.device).view(-1, 1, 1, 1)
    return (quantise(noisy) if clip else noisy), sigma


def add_poisson_gaussian(
    clean: torch.Tensor, gain: torch.Tensor, read_255: torch.Tensor, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Signal-dependent noise, variance gain·x + (read_255/255)² per pixel; clipped, 8-bit.

    gain (N,) in [0, 1] units (variance per unit of signal), read_255 (N,) in 0-255 units.
    """
    read = (read_255.to(clean.dtype) / 255.0).view(-1, 1, 1, 1).to(clean.device)
    variance = gain.to(clean.dtype).view(-1, 1, 1, 1).to(clean.device) * clean + read**2
    noise = torch.randn(clean.shape, generator=gen, dtype=clean.dtype).to(clean.device)
    noisy = quantise(clean + noise * variance.sqrt())
    return noisy, variance.mean(dim=(1, 2, 3)).sqrt()


def jpeg_roundtrip(image: torch.Tensor, qualities: list[int]) -> torch.Tensor:
    """8-bit JPEG encode + decode of each (3, H, W) [0, 1] image at its quality (OpenCV, BGR
    only at the codec boundary)."""
    import cv2

    out = []
    for sample, quality in zip(image, qualities, strict=True):
        rgb = sample.clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).cpu().numpy()
        ok, payload = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                                   [cv2.IMWRITE_JPEG_QUALITY, int(quality)])  # fmt: skip
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        bgr = cv2.imdecode(payload, cv2.IMREAD_COLOR)
        decoded = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        out.append(torch.from_numpy(decoded).permute(2, 0, 1).float().div(255.0))
    return torch.stack(out).to(image.device)


def add_jpeg(
    clean: torch.Tensor, sigma_255: torch.Tensor, qualities: list[int], gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gaussian noise (clipped, 8-bit) then JPEG; sigma = measured RMS error vs `clean`."""
    noisy, _ = add_gaussian(clean, sigma_255, gen, clip=True)
    degraded = jpeg_roundtrip(noisy, qualities)
    rms = (degraded - clean).pow(2).mean(dim=(1, 2, 3)).sqrt()
    return degraded, rms


def degrade_batch(
    clean: torch.Tensor, gen: torch.Generator, cfg: DegradeConfig | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """A mixed batch: each sample gets Gaussian, Poisson-Gaussian or JPEG degradation.

    Returns (noisy (N, 3, H, W), sigma (N,) in [0, 1] units, clamped to cfg.max_sigma / 255).
    """
    cfg = cfg or DegradeConfig()
    n = clean.shape[0]
    kind = torch.rand(n, generator=gen)
    poisson = kind < cfg.p_poisson
    jpeg = (kind >= cfg.p_poisson) & (kind < cfg.p_poisson + cfg.p_jpeg)
    gaussian = ~(poisson | jpeg)
    noisy = torch.empty_like(clean)
    sigma = torch.zeros(n, dtype=clean.dtype)

    sig = _uniform(n, 0.0, cfg.max_sigma, gen)
    clip = torch.rand(n, generator=gen) < cfg.p_clip
    for mask, clipped in ((gaussian & clip, True), (gaussian & ~clip, False)):
        idx = mask.nonzero().flatten()
        if idx.numel():
            noisy[idx], sigma[idx] = add_gaussian(clean[idx], sig[idx], gen, clip=clipped)

    idx = poisson.nonzero().flatten()
    # Read noise up to 25/255 and shot noise up to sigma 60/255 at white (gain = s²).
    read = _uniform(n, 0.0, 25.0, gen)
    shot = _uniform(n, 2.0, 60.0, gen) / 255.0
    if idx.numel():
        noisy[idx], sigma[idx] = add_poisson_gaussian(clean[idx], shot[idx] ** 2, read[idx], gen)

    idx = jpeg.nonzero().flatten()
    jsig = _uniform(n, 0.0, cfg.jpeg_max_sigma, gen)
    lo, hi = cfg.jpeg_quality
    quality = torch.randint(lo, hi + 1, (n,), generator=gen)
    if idx.numel():
        qualities = [int(quality[i]) for i in idx]
        noisy[idx], sigma[idx] = add_jpeg(clean[idx], jsig[idx], qualities, gen)

    return noisy, sigma.clamp(max=cfg.max_sigma / 255.0).to(clean.device)
