"""Guided patch synthesis: fill a hole with the photo's own pixels, laid out after a coarse fill.

The network's fill of a big hole has the right layout (sky above the horizon, water below, the
deck carried across) but little texture. Patch-based completion (Wexler et al. 2007, with
Barnes et al. 2009's PatchMatch) copies real texture but may put it anywhere: shift-map leaves
a black triangle in a sailboat's sky. Here every patch over the hole is matched to a patch of
known pixels on three terms: the current estimate (agreement with its neighbours and the hole's
rim), the coarse fill (the guide, which keeps the network's layout), and a small cost on far
sources (nearby texture is the likeliest to belong). Matching runs coarse to fine, the
finest level at the size where the hole has TARGET_BUDGET pixels and the crop at most
MATCH_AREA (a thin beam stays at full resolution, so 7x7 patches see which way its texture
runs); the finest offsets are then applied to the full-resolution crop, so the hole takes the
photo's own sharp pixels.

The same matching without voting is `lift`: the estimate is a finished low-resolution fill
(PatchMatch's on a shrunk crop, editor/engine/big_hole.py) that never changes, so matching only
finds where its patches came from (the network's guide still weighs in on colour) and the
photo's full-resolution pixels are copied from there, in the fill's layout.

Everything is vectorised over the hole's pixels (PatchMatch's propagation becomes a Jacobi
sweep over the four neighbours; its random search draws one candidate per radius for every
pixel at once). Seeded: the same input gives the same fill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

RADIUS = 3  # patches are 7x7
TARGET_BUDGET = 20_000  # hole pixels at the finest matching level
# ... and at most this many pixels in all: every pixel's patch is kept twice as 48 float32s
# (230 MB here). A wire across a 6 MP photo took 11-13 s and 3.4 GB at full resolution.
MATCH_AREA = 600_000
COARSEST_SIDE = 40  # the pyramid stops halving here
NARROWEST_SIDE = 24  # ... or here, on the short side
GUIDE_WEIGHT = 1.0  # the guide's patch distance beside the estimate's
GUIDE_SOFTNESS = 1.5  # Gaussian sigma (px at each level) on both sides of the guide's term
DISTANCE_WEIGHT = 1.0  # 1: an offset across the whole image costs a 0.1 error on every value
COARSE_ROUNDS = 8  # search + vote rounds at the coarsest level
FINE_ROUNDS = 3  # at every finer level (it starts from the coarser level's offsets)
SEED = 20070617
COPY_SIGMA = 0.6  # working-size px: how far a centre's offset reaches at full resolution
APPLY_CHUNK = 1 << 20  # full-resolution hole pixels copied per step
_FOUR = ((0, 1), (0, -1), (1, 0), (-1, 0))


@dataclass
class _Level:
    """One pyramid level: the image (hole holding the current estimate), the hole, the guide,
    and where a source patch may sit (entirely on known pixels and inside the image)."""

    image: np.ndarray  # HxWx3 float32 in [0, 1]
    hole: np.ndarray  # HxW bool
    guide: np.ndarray  # HxWx3 float32
    source_ok: np.ndarray  # HxW bool

    @classmethod
    def build(cls, image: np.ndarray, hole: np.ndarray, guide: np.ndarray,
              start: np.ndarray | None = None) -> _Level:  # fmt: skip
        """`start`: the hole's first estimate (default: the guide)."""
        import cv2

        height, width = hole.shape
        side = 2 * RADIUS + 1
        near_hole = cv2.dilate(hole.astype(np.uint8), np.ones((side, side), np.uint8)) > 0
        source_ok = ~near_hole
        source_ok[:RADIUS] = source_ok[height - RADIUS :] = False
        source_ok[:, :RADIUS] = source_ok[:, width - RADIUS :] = False
        first = guide if start is None else start
        image = np.where(hole[..., None], first, image).astype(np.float32)
        return cls(image, hole, guide, source_ok)


def _patches(image: np.ndarray) -> np.ndarray:
    """H x W x 3 x 4 x 4 view: the patch centred on every pixel (edges mirrored), every other
    pixel of it (a third of the arithmetic; a 7x7 patch's layout survives)."""
    padded = np.pad(image, ((RADIUS, RADIUS), (RADIUS, RADIUS), (0, 0)), mode="reflect")
    side = 2 * RADIUS + 1
    windows = np.lib.stride_tricks.sliding_window_view(padded, (side, side), axis=(0, 1))
    return windows[..., ::2, ::2]


def _rows(image: np.ndarray) -> np.ndarray:
    """(H*W) x 48 float32, C-contiguous: row y*W + x is the patch centred on (y, x)."""
    height, width = image.shape[:2]
    return np.ascontiguousarray(_patches(image)).reshape(height * width, -1)


def _flat(windows: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    flat: np.ndarray = windows[ys, xs].reshape(len(ys), -1)
    return flat


class _Matcher:
    """Nearest known patch for every target centre (a pixel whose patch touches the hole)."""

    def __init__(self, level: _Level, rng: np.random.Generator):
        import cv2

        self.level = level
        self.rng = rng
        side = 2 * RADIUS + 1
        targets = cv2.dilate(level.hole.astype(np.uint8), np.ones((side, side), np.uint8)) > 0
        self.ty, self.tx = np.nonzero(targets)
        self.index = np.full(level.hole.shape, -1, np.int64)
        self.index[self.ty, self.tx] = np.arange(len(self.ty))
        self.valid_y, self.valid_x = np.nonzero(level.source_ok)
        # Every pixel's patch as one contiguous row (sources are known: they never change;
        # gathering rows is several times faster than gathering from a strided view).
        self.width = level.hole.shape[1]
        self.source_rows = _rows(level.image)
        # The guide is soft, so it is compared with softened sources: against sharp ones it
        # would favour smooth patches, and among a texture's shifts those whose samples
        # happen to average out (wrong-phase stripes).
        self.soft_rows = _rows(_soften(level.image))
        self.guide_features = _flat(_patches(_soften(level.guide)), self.ty, self.tx)
        self.sy = np.zeros(len(self.ty), np.int64)
        self.sx = np.zeros(len(self.ty), np.int64)
        self.cost = np.full(len(self.ty), np.inf, np.float32)
        level_side = max(level.hole.shape)
        patch_values = 3 * (RADIUS + 1) ** 2
        # An offset across the whole level costs what a 0.1 colour error over a patch does.
        self.far_scale = DISTANCE_WEIGHT * 0.01 * patch_values / level_side**2
        self.neighbours = np.stack([self._neighbour(dy, dx) for dy, dx in _FOUR])

    def _neighbour(self, dy: int, dx: int) -> np.ndarray:
        """Index of each target's neighbour (dy, dx) among the targets, -1 where none."""
        height, width = self.level.hole.shape
        ny, nx = self.ty + dy, self.tx + dx
        inside = (ny >= 0) & (ny < height) & (nx >= 0) & (nx < width)
        neighbour = np.full(len(self.ty), -1, np.int64)
        neighbour[inside] = self.index[ny[inside], nx[inside]]
        return neighbour

    def random_sources(self, which: np.ndarray) -> None:
        pick = self.rng.integers(0, len(self.valid_y), int(which.sum()))
        self.sy[which], self.sx[which] = self.valid_y[pick], self.valid_x[pick]

    def set_offsets(self, oy: np.ndarray, ox: np.ndarray) -> None:
        """Start from given offsets (source - target) where they land on a valid source."""
        height, width = self.level.hole.shape
        sy, sx = self.ty + oy, self.tx + ox
        inside = (sy >= 0) & (sy < height) & (sx >= 0) & (sx < width)
        ok = inside.copy()
        ok[inside] = self.level.source_ok[sy[inside], sx[inside]]
        self.sy[ok], self.sx[ok] = sy[ok], sx[ok]
        self.random_sources(~ok)

    def _distance(self, which: np.ndarray, estimate: np.ndarray, sy: np.ndarray,
                  sx: np.ndarray) -> np.ndarray:  # fmt: skip
        """Cost of copying sources (sy, sx) to the targets `which` (an index array): patch
        distance to the estimate, to the guide, and a penalty on far sources (a photo's
        nearby texture is the likeliest to belong there; shift-map's dominant offsets)."""
        at = sy * self.width + sx
        source = self.source_rows.take(at, axis=0)
        own = np.square(estimate[which] - source).sum(axis=1)
        soft = self.soft_rows.take(at, axis=0)
        guided = np.square(self.guide_features[which] - soft).sum(axis=1)
        far = (np.square(sy - self.ty[which]) + np.square(sx - self.tx[which])) * self.far_scale
        cost: np.ndarray = own + GUIDE_WEIGHT * guided + far
        return cost

    def _try(self, estimate: np.ndarray, sy: np.ndarray, sx: np.ndarray) -> None:
        height, width = self.level.hole.shape
        ok = (sy >= 0) & (sy < height) & (sx >= 0) & (sx < width)
        ok[ok] = self.level.source_ok[sy[ok], sx[ok]]
        which = np.flatnonzero(ok)
        if not len(which):
            return
        cost = np.full(len(sy), np.inf, np.float32)
        cost[which] = self._distance(which, estimate, sy[which], sx[which])
        better = cost < self.cost
        self.sy[better], self.sx[better], self.cost[better] = sy[better], sx[better], cost[better]

    def search(self, estimate_windows: np.ndarray) -> None:
        """One PatchMatch round: re-score, propagate from the four neighbours, random search."""
        estimate = _flat(estimate_windows, self.ty, self.tx)
        everyone = np.arange(len(self.ty))
        self.cost = self._distance(everyone, estimate, self.sy, self.sx)
        height, width = self.level.hole.shape
        for (dy, dx), neighbour in zip(_FOUR, self.neighbours, strict=True):
            has = neighbour >= 0
            sy = np.where(has, self.sy[np.maximum(neighbour, 0)] - dy, -1)
            sx = np.where(has, self.sx[np.maximum(neighbour, 0)] - dx, -1)
            self._try(estimate, sy, sx)
        radius = max(height, width) // 2
        while radius >= 1:
            jump = self.rng.integers(-radius, radius + 1, (2, len(self.ty)))
            self._try(estimate, self.sy + jump[0], self.sx + jump[1])
            radius //= 2

    def vote(self) -> None:
        """Every hole pixel becomes the weighted mean of what the patches centred on it and
        its eight neighbours copy (Wexler et al.'s voting, over the nearest centres only: as
        coherent, sharper and five times cheaper than all 49); a close match weighs more."""
        level = self.level
        scale = float(np.median(self.cost)) + 1e-6
        weight = np.exp(-self.cost / scale).astype(np.float32)
        total = np.zeros(level.hole.shape, np.float32)
        sums = np.zeros(level.image.shape, np.float32)
        height, width = level.hole.shape
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                py, px = self.ty + dy, self.tx + dx
                ok = (py >= 0) & (py < height) & (px >= 0) & (px < width)
                ok[ok] = level.hole[py[ok], px[ok]]
                py, px, w = py[ok], px[ok], weight[ok]
                # Sources are whole known patches, so (source + d) is a known pixel.
                sums[py, px] += level.image[self.sy[ok] + dy, self.sx[ok] + dx] * w[:, None]
                total[py, px] += w
        filled = sums / np.maximum(total, 1e-12)[..., None]
        level.image[level.hole] = filled[level.hole]

    def offsets(self) -> tuple[np.ndarray, np.ndarray]:
        """HxW source - target offsets, 0 off the targets (`index` says which pixels are)."""
        shape = self.level.hole.shape
        oy, ox = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
        oy[self.ty, self.tx] = self.sy - self.ty
        ox[self.ty, self.tx] = self.sx - self.tx
        return oy, ox


def _soften(image: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(image, (0, 0), GUIDE_SOFTNESS)


def _unit(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32) / 255.0


def _resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    import cv2

    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def _pyramid_sizes(height: int, width: int) -> list[tuple[int, int]]:
    """(height, width) from the coarsest level up to the given size, halving each time; a
    narrow crop (a wire across a wide photo) stops halving before it is too thin to hold a
    patch beside the hole."""
    sizes = [(height, width)]
    while max(sizes[-1]) // 2 >= COARSEST_SIDE and min(sizes[-1]) // 2 >= NARROWEST_SIDE:
        h, w = sizes[-1]
        sizes.append((max(1, h // 2), max(1, w // 2)))
    return sizes[::-1]


def synthesize(crop_rgb: np.ndarray, hole: np.ndarray, guide: np.ndarray,
               check: Callable[[], None] = lambda: None) -> np.ndarray:  # fmt: skip
    """HxWx3 uint8: `crop_rgb` with its `hole` (HxW bool) filled by patches of its known pixels
    arranged after `guide` (HxWx3 uint8, the coarse fill, same size). Pixels outside the hole
    are `crop_rgb`'s; pixels under it are never read. Returns the guide's fill where no known
    patch exists (a crop that is nearly all hole). `check` runs before every round (a job's
    check_cancelled: Cancel is answered within a round, ~0.1 s)."""
    return _fill(crop_rgb, hole, guide, check)


def lift(crop_rgb: np.ndarray, hole: np.ndarray, layout: np.ndarray, guide: np.ndarray,
         check: Callable[[], None] = lambda: None) -> np.ndarray:  # fmt: skip
    """HxWx3 uint8: `crop_rgb` with its `hole` filled by the photo's own full-resolution pixels,
    copied from the known patches that best match `layout` there and, softened, `guide`.
    `layout` (HxWx3 uint8, same size) is a finished fill made at low resolution and upscaled,
    e.g. PatchMatch's on a shrunk crop: it stands in for the estimate and is never re-voted,
    so its structure is kept and nothing drifts into blobs. `guide` is the network's soft fill,
    as for `synthesize`: it keeps the colours where the layout is unsure. Same contract as
    `synthesize` otherwise (the layout's pixels where no known patch exists)."""
    return _fill(crop_rgb, hole, guide, check, layout=layout)


def _fill(crop_rgb: np.ndarray, hole: np.ndarray, guide: np.ndarray, check: Callable[[], None],
          layout: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Coarse-to-fine matching against the estimate and the guide. Without `layout` the
    estimate starts as the guide and is re-synthesised from the matches every round (voting:
    synthesize); with it the estimate is the layout at every level and never changes (lift)."""
    height, width = hole.shape
    # As many hole pixels as the budget allows: a thin beam keeps its full resolution (7x7
    # patches must see which way its texture runs), a wide tower is matched smaller.
    hole_pixels = max(1, int(np.count_nonzero(hole)))
    scale = min(1.0, float(np.sqrt(TARGET_BUDGET / hole_pixels)),
                float(np.sqrt(MATCH_AREA / (height * width))))  # fmt: skip
    work_h, work_w = max(1, round(height * scale)), max(1, round(width * scale))
    known = np.where(hole[..., None], 0, crop_rgb).astype(np.uint8)  # never read under the hole
    hole_u8 = hole.astype(np.uint8) * 255
    rng = np.random.default_rng(SEED)
    fallback = guide if layout is None else layout  # where no known patch can be copied
    matcher = None
    for index, (h, w) in enumerate(_pyramid_sizes(work_h, work_w)):
        # A level's pixel touched by the hole at all is a hole pixel: no hole colour leaks in.
        level_hole = _resize(hole_u8, w, h) > 0
        if layout is not None:
            start = _unit(_resize(layout, w, h))
        elif matcher is not None:  # the coarser level's estimate
            start = _upsample(matcher.level.image, w, h)
        else:
            start = None
        level = _Level.build(_unit(_resize(known, w, h)), level_hole, _unit(_resize(guide, w, h)),
                             start)  # fmt: skip
        if not level.source_ok.any():
            return np.where(hole[..., None], fallback, crop_rgb)
        matcher = _next_matcher(level, matcher, rng)
        windows = _patches(level.image)
        for _ in range(COARSE_ROUNDS if index == 0 else FINE_ROUNDS):
            check()
            matcher.search(windows)
            if layout is None:
                matcher.vote()
                windows = _patches(level.image)
    assert matcher is not None
    return _apply_offsets(crop_rgb, hole, fallback, matcher)


def _next_matcher(level: _Level, coarser: _Matcher | None,
                  rng: np.random.Generator) -> _Matcher:  # fmt: skip
    """A matcher for `level`: random sources at the coarsest level, else the coarser level's
    offsets doubled (random where they no longer land on a valid source)."""
    matcher = _Matcher(level, rng)
    if coarser is None:
        matcher.random_sources(np.ones(len(matcher.ty), bool))
        return matcher
    oy, ox = coarser.offsets()
    (coarse_h, coarse_w), (h, w) = coarser.level.hole.shape, level.hole.shape
    ry = (matcher.ty * coarse_h) // h
    rx = (matcher.tx * coarse_w) // w
    matcher.set_offsets(oy[ry, rx] * h // coarse_h, ox[ry, rx] * w // coarse_w)
    return matcher


def _upsample(image: np.ndarray, width: int, height: int) -> np.ndarray:
    import cv2

    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)


def _apply_offsets(crop_rgb: np.ndarray, hole: np.ndarray, guide: np.ndarray,
                   matcher: _Matcher) -> np.ndarray:  # fmt: skip
    """Full-resolution fill: each hole pixel copies the photo's pixel at its own position plus
    the offsets of the nearest working-size patch centres (scaled up), mixed with Gaussian
    weights on the distance to each centre; where offsets agree the copy is exact and sharp.
    A million hole pixels at a time, so a huge hole needs tens of MB, not GB."""
    height, width = hole.shape
    work_h, work_w = matcher.level.hole.shape
    oy, ox = matcher.offsets()
    # Full-resolution offsets; off the patch centres a row offset that leaves the image.
    full_oy = np.where(matcher.index >= 0, np.round(oy * (height / work_h)), -1 - height)
    full_ox = np.round(ox * (width / work_w))
    flat_rgb = crop_rgb.reshape(-1, 3)
    flat_guide = guide.reshape(-1, 3)
    flat_hole = hole.reshape(-1)
    out = crop_rgb.copy()
    flat_out = out.reshape(-1, 3)
    hole_at = np.flatnonzero(flat_hole)
    for start in range(0, len(hole_at), APPLY_CHUNK):
        at = hole_at[start : start + APPLY_CHUNK]
        ys, xs = at // width, at % width
        # Continuous working-size coordinates of these full-resolution hole pixels.
        cy = ((ys + 0.5) * (work_h / height) - 0.5).astype(np.float32)
        cx = ((xs + 0.5) * (work_w / width) - 0.5).astype(np.float32)
        near_y, near_x = np.round(cy).astype(np.int32), np.round(cx).astype(np.int32)
        sums = np.zeros((len(at), 3), np.float32)
        total = np.zeros(len(at), np.float32)
        for dy in (-1, 0, 1):
            qy = np.clip(near_y + dy, 0, work_h - 1)
            for dx in (-1, 0, 1):
                qx = np.clip(near_x + dx, 0, work_w - 1)
                sy = ys + full_oy[qy, qx].astype(np.int64)
                sx = xs + full_ox[qy, qx].astype(np.int64)
                inside = (sy >= 0) & (sy < height) & (sx >= 0) & (sx < width)
                source = np.where(inside, sy * width + sx, 0)
                use = inside & ~flat_hole[source]
                weight = np.exp(((cy - qy) ** 2 + (cx - qx) ** 2) * (-0.5 / COPY_SIGMA**2))
                weight *= use
                sums += flat_rgb[source] * weight[:, None]
                total += weight
        fallback = flat_guide[at].astype(np.float32)
        mixed = np.where(total[:, None] > 1e-6, sums / np.maximum(total, 1e-6)[:, None], fallback)
        flat_out[at] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    return out
