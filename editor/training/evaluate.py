"""Hole-region metrics for inpainting, and the classical baseline (OpenCV Telea) to compare with.

Images HxWx3 uint8 RGB, masks HxW uint8 (255 = hole). Metrics are computed on hole pixels only:
PSNR in dB (peak 1.0) and mean absolute error in [0, 1] units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TELEA_RADIUS = 3


def telea(image_rgb: np.ndarray, mask: np.ndarray, radius: int = TELEA_RADIUS) -> np.ndarray:
    """cv2.inpaint(INPAINT_TELEA) on an RGB image (converted at the OpenCV boundary)."""
    import cv2

    bgr = cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR)
    out = cv2.inpaint(bgr, (mask > 127).astype(np.uint8) * 255, radius, cv2.INPAINT_TELEA)
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB)


def hole_errors(result: np.ndarray, truth: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """(PSNR dB, L1) of `result` vs `truth` over the hole pixels."""
    hole = mask > 127
    diff = result.astype(np.float64)[hole] / 255.0 - truth.astype(np.float64)[hole] / 255.0
    mse = float(np.mean(diff**2)) if diff.size else 0.0
    psnr = 10.0 * np.log10(1.0 / max(mse, 1e-10))
    return float(psnr), float(np.mean(np.abs(diff))) if diff.size else 0.0


@dataclass
class MetricSums:
    """Running means of hole PSNR and L1 per method."""

    count: int = 0
    psnr: dict[str, float] = field(default_factory=dict)
    l1: dict[str, float] = field(default_factory=dict)

    def add(self, method: str, psnr: float, l1: float) -> None:
        self.psnr[method] = self.psnr.get(method, 0.0) + psnr
        self.l1[method] = self.l1.get(method, 0.0) + l1

    def means(self) -> dict[str, dict[str, float]]:
        n = max(self.count, 1)
        return {m: {"psnr": self.psnr[m] / n, "l1": self.l1[m] / n} for m in self.psnr}
