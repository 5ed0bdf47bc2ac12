"""The mirrored self-ensemble shared by Erase's fill and Sketch to Photo."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from editor.ml.self_ensemble import mirrored_mean  # noqa: E402


def test_it_averages_the_answer_and_the_mirrored_answer_mirrored_back():
    ramp = torch.arange(5.0).view(1, 1, 1, 5)  # the "network" weights columns unevenly

    def predict(image, hint):
        return image * ramp + hint

    image = torch.arange(10.0).view(1, 1, 2, 5)
    hint = torch.ones(1, 1, 2, 5)
    expected = (predict(image, hint) + predict(image.flip(-1), hint.flip(-1)).flip(-1)) / 2
    assert torch.equal(mirrored_mean(predict, image, hint), expected)
    assert not torch.equal(expected, predict(image, hint))  # two different guesses


def test_a_mirror_symmetric_network_is_unchanged():
    image = torch.rand(2, 3, 8, 12)
    assert torch.allclose(mirrored_mean(lambda x: x * 2.0, image), image * 2.0)
