"""The convolutional part of torchvision's VGG-19 (Simonyan & Zisserman 2014) for style transfer.

Parameter names match torchvision's `vgg19` (`features.N.weight` / `features.N.bias`), so the
features of the official ImageNet checkpoint `vgg19-dcbb9e9d.pth` load strictly once its
`classifier.*` keys are dropped (`features_only`). As Gatys et al. (2015) suggest, max pooling
is replaced by average pooling (same indices, no parameters), which gives smoother gradients
when the image is optimised; the fully connected layers are not built.

Input contract: N×3×H×W float32 RGB in [0, 1]; `forward_features` applies torchvision's ImageNet
mean/std itself and returns the outputs of the requested `features` indices (e.g. 1 = relu1_1).
"""

from __future__ import annotations

import torch
from torch import nn

from editor.ml.archs.feature_taps import tap_outputs

# torchvision's configuration "E": channels per conv, "M" = pooling.
VGG19_CONFIG: tuple[int | str, ...] = (
    64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
    512, 512, 512, 512, "M", 512, 512, 512, 512, "M",
)  # fmt: skip
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Named ReLU outputs as indices into `features` (torchvision numbering).
RELU_INDEX = {
    "relu1_1": 1, "relu1_2": 3, "relu2_1": 6, "relu2_2": 8,
    "relu3_1": 11, "relu3_2": 13, "relu3_3": 15, "relu3_4": 17,
    "relu4_1": 20, "relu4_2": 22, "relu4_3": 24, "relu4_4": 26,
    "relu5_1": 29, "relu5_2": 31, "relu5_3": 33, "relu5_4": 35,
}  # fmt: skip


class VGG19Features(nn.Module):
    """`features` of VGG-19 with average pooling; no classifier."""

    mean: torch.Tensor  # buffers (register_buffer below)
    std: torch.Tensor

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for item in VGG19_CONFIG:
            if item == "M":
                layers.append(nn.AvgPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(channels, int(item), 3, padding=1), nn.ReLU(inplace=False)]
                channels = int(item)
        self.features = nn.Sequential(*layers)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward_features(self, image: torch.Tensor, layers: tuple[int, ...]) -> list[torch.Tensor]:
        """Outputs of `features[i]` for i in `layers` (ascending); stops after the last one."""
        return tap_outputs((image - self.mean) / self.std, self.features, layers)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """The last pooled feature map (N×512×H/32×W/32)."""
        out: torch.Tensor = self.features((image - self.mean) / self.std)
        return out


def features_only(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The `features.*` entries of a torchvision VGG-19 state dict (drops `classifier.*`)."""
    return {k: v for k, v in state.items() if k.startswith("features.")}


def build_vgg19_features() -> VGG19Features:
    return VGG19Features()
