"""Sketch → photo: training sketches, user sketch layers (lines and colour scribbles), the run
function, subjects, mask and base."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.engine.context import JobContext, JobError  # noqa: E402
from editor.engine.sketch import SketchRequest, model_inputs, run_sketch  # noqa: E402
from editor.engine.sketch_model import SketchModel  # noqa: E402
from editor.ml.archs.efficientnet_lite import EfficientNetLite0  # noqa: E402
from editor.ml.archs.sketcher import SketchDecoder, Sketcher  # noqa: E402
from editor.ml.scribbles import split_sketch  # noqa: E402
from editor.training.edges import canny_sketch, sketch_from_photo  # noqa: E402


@pytest.fixture
def tiny_model() -> SketchModel:
    """Random weights (no download): the plumbing, not the pictures."""
    torch.manual_seed(0)
    module = Sketcher(EfficientNetLite0(), SketchDecoder()).eval().requires_grad_(False)
    return SketchModel(module, "cpu", 64)


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


def test_eval_sketch_is_deterministic(photo):
    rgb = np.ascontiguousarray(photo[..., :3])
    assert np.array_equal(canny_sketch(rgb), canny_sketch(rgb))


def test_user_sketch_layer_conversion(drawing):
    sketch, _, coverage = split_sketch(drawing)
    assert sketch[0, 0] == 1.0  # transparent = paper
    assert sketch[60, 120] == 0.0  # on the circle's stroke (x = 80 + 40)
    assert not coverage.any()  # black strokes are lines, not scribbles
    white = drawing.copy()
    white[..., :3][white[..., 3] == 0] = 255
    white[..., 3] = 255  # black on white paper: same drawing
    assert np.allclose(split_sketch(white)[0], sketch)


def test_model_inputs_padded_drawing_and_scribbles_where_drawn(drawing):
    layer = drawing.copy()
    layer[8:40, 8:40] = (40, 90, 230, 255)  # a blue scribble in the top-left corner
    lines, scribbles, (h, w) = model_inputs(layer, 64)
    assert (h, w) == (48, 64)  # long side at the working size
    assert lines.shape == (1, 1, 64, 64) and scribbles.shape == (1, 4, 16, 16)
    assert float(lines[0, 0, h:].min()) == 1.0  # padding is paper
    assert float(lines[0, 0, 4:14, 4:14].min()) == 1.0  # a scribble is not a line
    mask = scribbles[0, 3]
    assert mask[1:3, 1:3].min() == 1.0 and float(mask.sum()) <= 16
    assert torch.allclose(scribbles[0, :3, 2, 2], torch.tensor([40, 90, 230]) / 255.0)


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


def test_scribbles_reach_the_model(drawing, tiny_model):
    layer = drawing.copy()
    plain = run_sketch(SketchRequest(layer), JobContext(), tiny_model).pixels
    layer[10:50, 10:60] = (230, 120, 20, 255)
    scribbled = run_sketch(SketchRequest(layer), JobContext(), tiny_model).pixels
    assert not np.array_equal(plain, scribbled)


def test_request_checks_sizes_and_subject(drawing):
    with pytest.raises(ValueError, match="subject"):
        SketchRequest(drawing, subject="spaceships")
    with pytest.raises(ValueError, match="mask"):
        SketchRequest(drawing, mask=np.zeros((5, 5), np.uint8))
    with pytest.raises(ValueError, match="base"):
        SketchRequest(drawing, base=np.zeros((5, 5, 4), np.uint8))


@pytest.mark.parametrize("subject", ["animals", "people", "landscapes"])
def test_missing_weights_say_how_to_get_them(tmp_path, subject):
    from editor.engine.sketch_model import load_sketcher
    from editor.ml.catalog_sketch import SKETCH_SPECS
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry

    manager = ModelManager(Registry(SKETCH_SPECS), tmp_path / "models", tmp_path / "cache")
    with pytest.raises(JobError, match=f"sketch-{subject}.*--subject {subject}"):
        load_sketcher(subject, manager=manager)


@pytest.mark.parametrize("subject", ["animals", "people", "landscapes"])
def test_shipped_models_render_a_sketch(drawing, subject, lite0_weights, shipped_weights):
    from editor.engine.sketch_model import sketcher_from_files
    from editor.ml.catalog_sketch import SKETCH_SPECS

    spec = next(s for s in SKETCH_SPECS if s.name == f"sketch-{subject}")
    model = sketcher_from_files(shipped_weights(spec), lite0_weights)
    out = run_sketch(SketchRequest(drawing, subject=subject), JobContext(), model).pixels
    assert out[..., :3].std() > 5  # not a flat colour


def test_the_operation_lists_every_subjects_model():
    from editor.ml.catalog_sketch import SKETCH_SPECS
    from editor.ops.sketch2photo import OPERATION

    assert {spec.name for spec in SKETCH_SPECS} <= set(OPERATION.models)


def test_a_scribble_colours_the_shape_it_is_drawn_in_and_not_beyond_its_lines():
    from editor.engine.sketch import spread_scribbles
    from editor.ml.scribbles import hint_input

    drawing = torch.ones(1, 1, 64, 64)
    drawing[..., 16, 16:48] = drawing[..., 47, 16:48] = 0.0  # a closed square outline
    drawing[..., 16:48, 16] = drawing[..., 16:48, 47] = 0.0
    colour = torch.zeros(1, 3, 16, 16)
    mask = torch.zeros(1, 1, 16, 16)
    colour[..., 7:9, 6:9] = torch.tensor([0.9, 0.5, 0.1]).view(1, 3, 1, 1)  # orange, inside
    mask[..., 7:9, 6:9] = 1.0
    gray = torch.full((1, 3, 64, 64), 0.5)
    out = spread_scribbles(gray, drawing, hint_input(colour, mask))
    inside, outside = out[0, :, 24:40, 24:40], out[0, :, 0:10, 0:10]
    assert float(inside[0].mean() - inside[2].mean()) > 0.2  # orange: red well above blue
    assert torch.allclose(outside, gray[0, :, 0:10, 0:10], atol=0.02)  # beyond the line: gray
    assert torch.equal(spread_scribbles(gray, drawing, hint_input(colour, mask * 0)), gray)
