"""Sketch → photo: training sketches, user sketch layers, the run function, mask and base."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.engine.context import JobContext, JobError  # noqa: E402
from editor.engine.pix2pix_model import Generator  # noqa: E402
from editor.engine.sketch import SketchRequest, run_sketch  # noqa: E402
from editor.ml.archs.pix2pix import UNetConfig, UNetGenerator  # noqa: E402
from editor.training.edges import (  # noqa: E402
    canny_sketch,
    sketch_batch,
    sketch_from_photo,
    sketch_from_rgba,
)


@pytest.fixture
def tiny_model() -> Generator:
    torch.manual_seed(0)
    return Generator(UNetGenerator(UNetConfig(1, 3, stem=8, widths=(8, 8))).eval(), 32, "cpu")


@pytest.fixture
def drawing() -> np.ndarray:
    """120x160 RGBA: black strokes on transparency (what the sketch pen leaves)."""
    import cv2

    out = np.zeros((120, 160, 4), np.uint8)
    cv2.circle(out, (80, 60), 40, (0, 0, 0, 255), 3)
    cv2.line(out, (0, 110), (159, 90), (0, 0, 0, 255), 2)
    return out


def test_training_sketches_are_binary_deterministic_and_sparse(photo):
    rgb = np.ascontiguousarray(photo[..., :3])
    a = sketch_from_photo(rgb, np.random.default_rng(5))
    b = sketch_from_photo(rgb, np.random.default_rng(5))
    assert a.shape == rgb.shape[:2] and a.dtype == np.float32
    assert np.array_equal(a, b) and set(np.unique(a)) <= {0.0, 1.0}
    inks = [1 - sketch_from_photo(rgb, np.random.default_rng(s)).mean() for s in range(12)]
    assert 0.0 < np.median(inks) < 0.4  # lines, not filled areas
    assert len({round(float(i), 4) for i in inks}) > 3  # detectors / thickness vary


def test_sketch_batch_matches_the_tensor_layout(photo):
    rgb = torch.from_numpy(photo[..., :3].copy()).permute(2, 0, 1)[None].float() / 255
    batch = sketch_batch(rgb.repeat(2, 1, 1, 1), np.random.default_rng(0))
    assert batch.shape == (2, 1, 120, 160) and batch.dtype == torch.float32


def test_eval_sketch_is_deterministic(photo):
    rgb = np.ascontiguousarray(photo[..., :3])
    assert np.array_equal(canny_sketch(rgb), canny_sketch(rgb))


def test_user_sketch_layer_conversion(drawing):
    sketch = sketch_from_rgba(drawing)
    assert sketch[0, 0] == 1.0  # transparent = paper
    assert sketch[60, 120] == 0.0  # on the circle's stroke (x = 80 + 40)
    white = drawing.copy()
    white[..., :3][white[..., 3] == 0] = 255
    white[..., 3] = 255  # black on white paper: same drawing
    assert np.allclose(sketch_from_rgba(white), sketch)


def test_run_sketch_returns_an_opaque_photo_at_sketch_size(drawing, tiny_model):
    result = run_sketch(SketchRequest(drawing), JobContext(), tiny_model)
    assert result.pixels.shape == drawing.shape and result.pixels.dtype == np.uint8
    assert (result.pixels[..., 3] == 255).all()


def test_mask_with_base_keeps_the_base_outside(drawing, photo, tiny_model):
    mask = np.zeros(drawing.shape[:2], np.uint8)
    mask[30:90, 40:120] = 255
    out = run_sketch(SketchRequest(drawing, mask, photo), JobContext(), tiny_model).pixels
    far = np.ones_like(mask, bool)
    far[20:100, 30:130] = False  # beyond the feathered edge
    assert np.array_equal(out[far], photo[far])
    assert not np.array_equal(out[40:80, 50:110], photo[40:80, 50:110])


def test_mask_without_base_is_transparent_outside(drawing, tiny_model):
    mask = np.zeros(drawing.shape[:2], np.uint8)
    mask[30:90, 40:120] = 255
    out = run_sketch(SketchRequest(drawing, mask), JobContext(), tiny_model).pixels
    assert out[0, 0, 3] == 0 and out[60, 80, 3] == 255


def test_empty_sketch_is_refused(tiny_model):
    with pytest.raises(JobError, match="empty"):
        run_sketch(SketchRequest(np.zeros((20, 20, 4), np.uint8)), JobContext(), tiny_model)


def test_request_checks_sizes(drawing):
    with pytest.raises(ValueError, match="mask"):
        SketchRequest(drawing, mask=np.zeros((5, 5), np.uint8))
    with pytest.raises(ValueError, match="base"):
        SketchRequest(drawing, base=np.zeros((5, 5, 4), np.uint8))


def test_missing_weights_say_how_to_get_them(tmp_path):
    from editor.engine.pix2pix_model import load_generator
    from editor.ml.catalog_pix2pix import PIX2PIX_SPECS
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry

    manager = ModelManager(Registry(PIX2PIX_SPECS), tmp_path / "models", tmp_path / "cache")
    with pytest.raises(JobError, match="sketch2photo"):
        load_generator("sketch2photo", manager)


def test_cli_sketch2photo_registers_and_needs_output():
    from editor.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["sketch2photo", "s.png", "-o", "o.png"])
    assert args.sketch == "s.png" and callable(args.handler)
    with pytest.raises(SystemExit):
        parser.parse_args(["sketch2photo", "s.png"])


def test_shipped_model_renders_a_sketch(drawing):
    from editor.engine.pix2pix_model import _manager, load_generator

    if not _manager("sketch2photo").is_available("sketch2photo"):
        pytest.skip("models/sketch2photo.safetensors is not present or not pinned yet")
    out = run_sketch(SketchRequest(drawing), JobContext(), load_generator("sketch2photo")).pixels
    assert out[..., :3].std() > 5  # not a flat colour
