"""Partial-convolution U-Net for inpainting (Liu et al. 2018, arXiv:1804.07723), slim variant.

A partial convolution sees only known pixels: out = W·(X⊙M) · sum(1)/sum(M) + b where the window
has any known pixel, 0 elsewhere, and the mask grows (M' = 1 where sum(M) > 0) layer by layer.
The raw image enters the network only multiplied by its mask (first and last layer), so the
output cannot depend on the values under the hole.

Masks here are N×1×H×W float *channel weights*: the number of input channels known at that
pixel divided by the channel count (1.0 = all known, 0.0 = hole). That represents the per-channel
masks of a decoder concat [upsampled, skip] exactly with one channel. The mask-ratio arithmetic
runs in fp32 even under autocast: in fp16 sum(1)/sum(M) overflows for near-empty windows and
0·inf gives NaN.

Model contract: `forward(image, known)` with image N×3×H×W float32 RGB in [0, 1] and known
N×1×H×W float32 (1 = known pixel, 0 = hole); H and W multiples of `2 ** depth`. Returns the
raw prediction N×3×H×W (about [0, 1], not clamped); editor.ml.inpaint_nets.composite makes the
final image.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class PConvConfig:
    """Channel widths per encoder level (the first level is at half resolution)."""

    channels: tuple[int, ...] = (32, 64, 128, 192, 192)
    first_kernel: int = 5

    @property
    def depth(self) -> int:
        return len(self.channels)

    def to_metadata(self) -> dict[str, str]:
        data = asdict(self)
        return {"channels": ",".join(str(c) for c in data["channels"]),
                "first_kernel": str(self.first_kernel)}  # fmt: skip

    @staticmethod
    def from_metadata(meta: dict[str, str]) -> PConvConfig:
        channels = tuple(int(c) for c in meta["channels"].split(","))
        return PConvConfig(channels=channels, first_kernel=int(meta["first_kernel"]))


class PartialConv2d(nn.Module):
    """Conv2d over known inputs only, renormalised by the known fraction of the window."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, bias: bool = True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False)
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.kernel = kernel
        self.stride = stride

    def forward(self, x: torch.Tensor, known: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x: N×C×H×W features already multiplied by their masks; known: N×1×H×W in [0, 1]."""
        raw = self.conv(x)
        with torch.autocast(device_type=x.device.type, enabled=False):
            # Known fraction of the window (mean over window and channels), fp32 on purpose.
            frac = F.avg_pool2d(
                known.float(), self.kernel, self.stride, self.kernel // 2, count_include_pad=True
            )
            new_known = (frac > 1e-6).float()
            ratio = new_known / frac.clamp_min(1e-6)  # 0 where nothing is known, never inf
            out = raw.float() * ratio
            if self.bias is not None:
                out = out + self.bias.float().view(1, -1, 1, 1)
            out = out * new_known
        return out.to(raw.dtype), new_known


class _Down(nn.Module):
    def __init__(self, cin: int, cout: int, kernel: int, norm: bool):
        super().__init__()
        self.pconv = PartialConv2d(cin, cout, kernel, stride=2, bias=not norm)
        self.norm = nn.BatchNorm2d(cout) if norm else nn.Identity()

    def forward(self, x: torch.Tensor, known: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y, known = self.pconv(x, known)
        return F.relu(self.norm(y)), known


class _Up(nn.Module):
    """Nearest ×2 upsample, concat with the skip, partial 3×3 conv."""

    def __init__(self, cin: int, cskip: int, cout: int, last: bool):
        super().__init__()
        self.cin, self.cskip = cin, cskip
        self.pconv = PartialConv2d(cin + cskip, cout, 3, bias=True)
        self.norm = nn.Identity() if last else nn.BatchNorm2d(cout)
        self.last = last

    def forward(
        self, x: torch.Tensor, known: torch.Tensor, skip: torch.Tensor, skip_known: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        known = F.interpolate(known, scale_factor=2.0, mode="nearest")
        # Zero unknown inputs of both halves, then merge their masks as a channel-weighted mean.
        cat = torch.cat([x * known.to(x.dtype), skip * skip_known.to(skip.dtype)], dim=1)
        total = self.cin + self.cskip
        merged = (known * self.cin + skip_known * self.cskip) / total
        y, new_known = self.pconv(cat, merged)
        if self.last:
            return y, new_known
        return F.leaky_relu(self.norm(y), 0.2), new_known


class PConvUNet(nn.Module):
    """Slim partial-convolution U-Net; see the module docstring for the tensor contract."""

    def __init__(self, config: PConvConfig | None = None):
        super().__init__()
        self.config = config or PConvConfig()
        chans = self.config.channels
        downs = []
        cin = 3
        for level, cout in enumerate(chans):
            kernel = self.config.first_kernel if level == 0 else 3
            downs.append(_Down(cin, cout, kernel, norm=level > 0))
            cin = cout
        self.downs = nn.ModuleList(downs)
        ups = []
        # Decoder level l works at the resolution of encoder input l and outputs that input's
        # width (mirror of the encoder), ending with RGB at full resolution.
        skips = [3, *chans[:-1]]
        for level in reversed(range(len(chans))):
            ups.append(_Up(cin, skips[level], skips[level], last=level == 0))
            cin = skips[level]
        self.ups = nn.ModuleList(ups)

    @property
    def multiple(self) -> int:
        """Input height and width must be multiples of this."""
        multiple: int = 2**self.config.depth
        return multiple

    def forward(self, image: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
        x = (image - 0.5) * 2.0 * known  # hole values are gone from here on
        feats = [(x, known)]
        for down in self.downs:
            x, known = down(x, known)
            feats.append((x, known))
        x, known = feats.pop()
        for up in self.ups:
            skip, skip_known = feats.pop()
            x, known = up(x, known, skip, skip_known)
        return x * 0.5 + 0.5


ARCH_NAME = "pconv_unet"
