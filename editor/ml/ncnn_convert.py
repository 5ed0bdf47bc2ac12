"""Read ncnn `.param` / `.bin` files and map their weights onto our PyTorch architectures.

ncnn format facts this relies on:
- `.param` is text: magic `7767517`, then `layer_count blob_count`, then one line per layer:
  `Type name n_in n_out in_blobs... out_blobs... key=value...` (keys <= -23300 hold arrays
  written `count,v1,v2,...`).
- `.bin` is the layers' weights concatenated in the order the layers appear. A Convolution stores
  its weight (O x I x kh x kw, same order as PyTorch) preceded by a 4-byte tag saying how it is
  stored (0x01306B47 = fp16, padded to 4 bytes; 0 = fp32; 0x000D4B38 = int8, unsupported), then
  `num_output` fp32 biases when `5=1`. A PReLU stores `0=num_slope` raw fp32 slopes.

The graph glue (Split, Concat, Eltwise, BinaryOp, Interp, PixelShuffle) carries no weights; the
Real-ESRGAN exports list convolutions in the same order as the PyTorch modules are registered,
so weights are assigned in order and every shape is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from editor.ml.errors import ModelLoadError

PARAM_MAGIC = 7767517
TAG_FP16 = 0x01306B47
TAG_FP32 = 0x00000000
TAG_INT8 = 0x000D4B38

# Layers known to carry no weights in the .bin (so reading can skip them safely).
_WEIGHTLESS = {
    "Input", "Split", "Concat", "Eltwise", "BinaryOp", "Interp", "PixelShuffle", "ReLU",
    "Sigmoid", "Crop", "Reshape", "Permute", "Flatten", "Noop", "Clip", "TanH", "Slice",
}  # fmt: skip


@dataclass(frozen=True)
class NcnnLayer:
    """One `.param` line: type, name, blob names and integer-keyed parameters (as text)."""

    type: str
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    params: dict[int, str] = field(default_factory=dict)

    def int_param(self, key: int, default: int = 0) -> int:
        return int(self.params[key]) if key in self.params else default

    def float_param(self, key: int, default: float = 0.0) -> float:
        return float(self.params[key]) if key in self.params else default


@dataclass
class NcnnWeights:
    """Weights of one layer as read from the .bin (float32 numpy arrays)."""

    layer: NcnnLayer
    arrays: list[np.ndarray]
    stored_fp16: bool = False


def parse_param(text: str) -> list[NcnnLayer]:
    """Parse the text of an ncnn `.param` file into its layers, in file order."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != str(PARAM_MAGIC):
        raise ModelLoadError("not an ncnn .param file (magic 7767517 missing)")
    layer_count = int(lines[1].split()[0])
    layers = []
    for line in lines[2 : 2 + layer_count]:
        parts = line.split()
        kind, name, n_in, n_out = parts[0], parts[1], int(parts[2]), int(parts[3])
        inputs = tuple(parts[4 : 4 + n_in])
        outputs = tuple(parts[4 + n_in : 4 + n_in + n_out])
        params: dict[int, str] = {}
        for item in parts[4 + n_in + n_out :]:
            key, _, value = item.partition("=")
            params[int(key)] = value
        layers.append(NcnnLayer(kind, name, inputs, outputs, params))
    if len(layers) != layer_count:
        raise ModelLoadError(f".param declares {layer_count} layers but lists {len(layers)}")
    return layers


class _BinReader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def take(self, size: int) -> memoryview:
        if self.pos + size > len(self.data):
            raise ModelLoadError("ncnn .bin is shorter than its .param requires (truncated?)")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def raw_fp32(self, count: int) -> np.ndarray:
        return np.frombuffer(self.take(4 * count), dtype="<f4").astype(np.float32)

    def tagged(self, count: int) -> tuple[np.ndarray, bool]:
        """A weight blob with its storage tag; returns (float32 values, stored as fp16)."""
        tag = int.from_bytes(self.take(4), "little")
        if tag == TAG_FP16:
            values = np.frombuffer(self.take(2 * count), dtype="<f2").astype(np.float32)
            self.take((-2 * count) % 4)  # fp16 blobs are padded to a multiple of 4 bytes
            return values, True
        if tag == TAG_FP32:
            return self.raw_fp32(count), False
        if tag == TAG_INT8:
            raise ModelLoadError("int8-quantised ncnn weights are not supported")
        raise ModelLoadError(f"unsupported ncnn weight storage tag 0x{tag:08X}")


def read_weights(layers: list[NcnnLayer], data: bytes) -> list[NcnnWeights]:
    """Read the `.bin` bytes for `layers`; returns the weighted layers in order."""
    reader = _BinReader(data)
    out: list[NcnnWeights] = []
    for layer in layers:
        if layer.type == "Convolution":
            num_output = layer.int_param(0)
            kernel_w = layer.int_param(1)
            kernel_h = layer.int_param(11, kernel_w)
            size = layer.int_param(6)
            if layer.int_param(8) != 0:
                raise ModelLoadError(f"{layer.name}: int8 convolution is not supported")
            if layer.int_param(7, 1) != 1:
                raise ModelLoadError(f"{layer.name}: grouped convolution is not supported")
            in_ch = size // (num_output * kernel_w * kernel_h)
            weight, fp16 = reader.tagged(size)
            arrays = [weight.reshape(num_output, in_ch, kernel_h, kernel_w)]
            if layer.int_param(5):
                arrays.append(reader.raw_fp32(num_output))
            out.append(NcnnWeights(layer, arrays, fp16))
        elif layer.type == "PReLU":
            out.append(NcnnWeights(layer, [reader.raw_fp32(layer.int_param(0))]))
        elif layer.type not in _WEIGHTLESS:
            raise ModelLoadError(f"ncnn layer type {layer.type} ({layer.name}) is not supported")
    if reader.pos != len(reader.data):
        raise ModelLoadError(
            f"ncnn .bin has {len(reader.data) - reader.pos} bytes left over after the last layer"
        )
    return out


def _weighted_modules(model: nn.Module) -> list[tuple[str, nn.Conv2d | nn.PReLU]]:
    return [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Conv2d | nn.PReLU)]


def map_onto(model: nn.Module, weights: list[NcnnWeights]) -> dict[str, torch.Tensor]:
    """Assign ncnn weights, in order, to `model`'s Conv2d / PReLU modules; return a state dict.

    Tensors are float32, except conv weights stored as fp16 in the .bin which stay float16
    (lossless, half the size on disk). Raises ModelLoadError on any count/type/shape mismatch.
    """
    modules = _weighted_modules(model)
    if len(modules) != len(weights):
        raise ModelLoadError(
            f"the ncnn model has {len(weights)} weighted layers, "
            f"{type(model).__name__} has {len(modules)}"
        )
    state: dict[str, torch.Tensor] = {}
    for (name, module), item in zip(modules, weights, strict=True):
        expected_type = "Convolution" if isinstance(module, nn.Conv2d) else "PReLU"
        if item.layer.type != expected_type:
            raise ModelLoadError(f"{item.layer.name} is {item.layer.type}, {name} wants one")
        targets = [("weight", module.weight)]
        if isinstance(module, nn.Conv2d) and module.bias is not None:
            targets.append(("bias", module.bias))
        if len(targets) != len(item.arrays):
            raise ModelLoadError(f"{item.layer.name}: bias presence differs from {name}")
        for (suffix, param), array in zip(targets, item.arrays, strict=True):
            if tuple(param.shape) != array.shape:
                raise ModelLoadError(
                    f"{item.layer.name} -> {name}.{suffix}: shape {array.shape} "
                    f"!= {tuple(param.shape)}"
                )
            tensor = torch.from_numpy(array.copy())
            if item.stored_fp16 and suffix == "weight":
                tensor = tensor.half()
            state[f"{name}.{suffix}"] = tensor
    missing = set(model.state_dict()) - set(state)
    if missing:
        raise ModelLoadError(f"ncnn conversion left parameters unset: {sorted(missing)[:5]}")
    return state


def convert_files(param_path: Path, bin_path: Path, model: nn.Module) -> dict[str, torch.Tensor]:
    """Read `param_path` + `bin_path` and return a state dict for `model` (see map_onto)."""
    layers = parse_param(Path(param_path).read_text(encoding="utf-8"))
    weights = read_weights(layers, Path(bin_path).read_bytes())
    return map_onto(model, weights)
