"""Layer blend modes: the separable and non-separable blend functions of the W3C Compositing
and Blending spec (the ones OpenRaster names `svg:*`), on float32 [0, 1] RGB arrays.

`blend(mode, backdrop, source)` returns B(Cb, Cs); editor.core.pixels.over mixes it with the
source by the backdrop's alpha and composites the result source-over.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BlendFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]

# Rec. 601 luma weights, as the spec defines Lum().
_LUMA = np.array([0.3, 0.59, 0.11], np.float32)


# -- separable: each channel on its own


def _hard_light(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    two_cs = 2.0 * cs
    multiply = cb * two_cs
    screen_source = two_cs - 1.0
    screen = cb + screen_source - cb * screen_source
    return np.where(cs <= 0.5, multiply, screen)


def _soft_light(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    # D(Cb): a cubic near black, the square root elsewhere (the spec's W3C soft-light).
    d = np.where(cb <= 0.25, ((16.0 * cb - 12.0) * cb + 4.0) * cb, np.sqrt(cb))
    darker = cb - (1.0 - 2.0 * cs) * cb * (1.0 - cb)
    lighter = cb + (2.0 * cs - 1.0) * (d - cb)
    out: np.ndarray = np.where(cs <= 0.5, darker, lighter)
    return out


def _color_dodge(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        dodged = np.minimum(1.0, cb / (1.0 - cs))
    return np.where(cb <= 0.0, 0.0, np.where(cs >= 1.0, 1.0, dodged))


def _color_burn(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        burnt = 1.0 - np.minimum(1.0, (1.0 - cb) / cs)
    return np.where(cb >= 1.0, 1.0, np.where(cs <= 0.0, 0.0, burnt))


# -- non-separable: hue, saturation and luminosity of whole colours


def _lum(c: np.ndarray) -> np.ndarray:
    return (c @ _LUMA)[..., None]


def _clip_color(c: np.ndarray) -> np.ndarray:
    """Pull a colour back into [0, 1] keeping its luminosity."""
    lum = _lum(c)
    low = c.min(axis=-1, keepdims=True)
    high = c.max(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(low < 0.0, lum + (c - lum) * lum / (lum - low), c)
        c = np.where(high > 1.0, lum + (c - lum) * (1.0 - lum) / (high - lum), c)
    return c


def _set_lum(c: np.ndarray, lum: np.ndarray) -> np.ndarray:
    return _clip_color(c + (lum - _lum(c)))


def _sat(c: np.ndarray) -> np.ndarray:
    spread: np.ndarray = c.max(axis=-1, keepdims=True) - c.min(axis=-1, keepdims=True)
    return spread


def _set_sat(c: np.ndarray, sat: np.ndarray) -> np.ndarray:
    """The spec's SetSat: max -> sat, min -> 0, mid scaled between; grey stays black."""
    low = c.min(axis=-1, keepdims=True)
    spread = _sat(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = (c - low) * sat / spread
    return np.where(spread > 0.0, scaled, 0.0)


def _hue(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return _set_lum(_set_sat(cs, _sat(cb)), _lum(cb))


def _saturation(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return _set_lum(_set_sat(cb, _sat(cs)), _lum(cb))


def _color(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return _set_lum(cs, _lum(cb))


def _luminosity(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return _set_lum(cb, _lum(cs))


_FUNCTIONS: dict[str, BlendFunction] = {
    "multiply": lambda cb, cs: cb * cs,
    "screen": lambda cb, cs: cb + cs - cb * cs,
    "overlay": lambda cb, cs: _hard_light(cs, cb),  # hard light with the layers swapped
    "darken": np.minimum,
    "lighten": np.maximum,
    "color-dodge": _color_dodge,
    "color-burn": _color_burn,
    "hard-light": _hard_light,
    "soft-light": _soft_light,
    "difference": lambda cb, cs: np.abs(cb - cs),
    "exclusion": lambda cb, cs: cb + cs - 2.0 * cb * cs,
    "hue": _hue,
    "saturation": _saturation,
    "color": _color,
    "luminosity": _luminosity,
}

# Grouped as Krita's and Photoshop's menus list them: normal, darken, lighten, contrast,
# comparative, component.
BLEND_GROUPS: tuple[tuple[str, ...], ...] = (
    ("normal",),
    ("multiply", "darken", "color-burn"),
    ("screen", "lighten", "color-dodge"),
    ("overlay", "soft-light", "hard-light"),
    ("difference", "exclusion"),
    ("hue", "saturation", "color", "luminosity"),
)
BLEND_MODES: tuple[str, ...] = tuple(mode for group in BLEND_GROUPS for mode in group)


def blend(mode: str, backdrop: np.ndarray, source: np.ndarray) -> np.ndarray:
    """B(Cb, Cs) for HxWx3 float32 colours in [0, 1]; result in [0, 1]."""
    if mode == "normal":
        return source
    function = _FUNCTIONS.get(mode)
    if function is None:
        raise ValueError(f"unknown blend mode {mode!r}; expected one of {BLEND_MODES}")
    return np.clip(function(backdrop, source), 0.0, 1.0).astype(np.float32, copy=False)


def blend_label(mode: str) -> str:
    """The name a menu shows: "color-dodge" -> "Color dodge"."""
    return mode.replace("-", " ").capitalize()
