"""The mask brush: paint over what to erase; E (or holding Alt) erases the mask instead."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Qt, Signal

from editor.core.brush import BrushSettings, DabSpacer, StrokePoint

MIN_DIAMETER, MAX_DIAMETER = 1.0, 1000.0
MIN_PRESSURE_SCALE = 0.1  # a feather-light touch still paints a thin line


class BrushState(QObject):
    """Observable brush settings shared by the tool, the options panel and the shortcuts."""

    changed = Signal()

    def __init__(self, settings: BrushSettings | None = None, parent: QObject | None = None,
                 inks: bool = False):  # fmt: skip
        super().__init__(parent)
        self.settings = settings or BrushSettings()
        self.erase = False
        self.inks = inks  # paints in a colour (the sketch pen), not mask coverage

    def update(self, **changes) -> None:
        if "diameter" in changes:
            changes["diameter"] = min(max(float(changes["diameter"]), MIN_DIAMETER), MAX_DIAMETER)
        if "hardness" in changes:
            changes["hardness"] = min(max(float(changes["hardness"]), 0.0), 1.0)
        self.settings = replace(self.settings, **changes)
        self.changed.emit()

    def set_erase(self, erase: bool) -> None:
        if erase != self.erase:
            self.erase = erase
            self.changed.emit()

    def grow(self) -> None:
        """`]`: bigger by about a tenth (at least one pixel), as in Photoshop."""
        d = self.settings.diameter
        self.update(diameter=d + max(1.0, round(d * 0.1)))

    def shrink(self) -> None:
        d = self.settings.diameter
        self.update(diameter=d - max(1.0, round(d * 0.1)))


class MaskBrushTool:
    """Paints dabs on the document's mask (or on the layer `target` returns, e.g. the sketch
    layer for the sketch pen); one press-to-release stroke is one undo step."""

    def __init__(self, document, state: BrushState, target=None) -> None:
        self.document = document
        self.state = state
        self.target = target or (lambda: document.mask)
        self._stroke = None
        self._spacer: DabSpacer | None = None
        self._erasing = False

    def outline_radius(self) -> float:
        return self.state.settings.diameter / 2.0

    def press(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        settings = self.state.settings
        self._erasing = self.state.erase or bool(modifiers & Qt.KeyboardModifier.AltModifier)
        self._stroke = self.document.begin_stroke(self.target(), settings.colour)
        self._spacer = DabSpacer(settings.diameter * settings.spacing)
        self._paint(point)

    def move(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        if self._stroke is not None:
            self._paint(point)

    def release(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        if self._stroke is None:
            return
        self._paint(point)
        kind = "sketch" if self.target() is not self.document.mask else "mask"
        self._stroke.end(f"Erase {kind}" if self._erasing else f"Paint {kind}")
        self._stroke = self._spacer = None

    def _paint(self, point: StrokePoint) -> None:
        settings = self.state.settings
        for dab in self._spacer.add(point):
            pressure = max(dab.pressure, MIN_PRESSURE_SCALE) if settings.use_pressure else 1.0
            radius = settings.diameter / 2.0 * pressure
            self._stroke.dab(dab.x, dab.y, radius, settings.hardness, erase=self._erasing)
