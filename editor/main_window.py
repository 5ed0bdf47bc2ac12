"""The main window: menus, shortcuts, docks and dialogs around the canvas. It wires user
actions to the document, the operations and the file functions; it computes nothing."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
)

from editor.canvas.view import CanvasView
from editor.core.brush import BrushSettings
from editor.document.document import Document
from editor.document.io import fits_flat_file, is_layered, is_lossy, read_file, save_document
from editor.fileio.atomic import remove_stale_temporaries
from editor.fileio.errors import ImageFileError
from editor.fileio.load import READABLE_SUFFIXES
from editor.fileio.save import WRITABLE
from editor.jobs import Operations
from editor.menus.actions import guarded, make_action
from editor.menus.filter_menu import FilterMenu
from editor.menus.image_menu import ImageMenu
from editor.menus.operation_menu import OperationMenu
from editor.menus.select_menu import SelectMenu
from editor.panels.background_task import TaskCancelled, run_in_background
from editor.panels.filter_dialogs import StyleOptions
from editor.panels.jobs import JobsPanel
from editor.panels.layers import LayersPanel
from editor.panels.new_document_dialog import NewDocumentDialog, NewDocumentOptions
from editor.panels.settings_dialog import SettingsDialog
from editor.panels.shortcuts_dialog import ShortcutsDialog, shortcut_rows
from editor.panels.tool_options import ToolOptionsPanel
from editor.resources import resource
from editor.settings import Settings, recent_files, remember_file
from editor.tools.brush import BrushState, MaskBrushTool
from editor.tools.color_hints import ColorHintTool
from editor.tools.select import (
    LassoSelectTool,
    MagicWandTool,
    RectangleSelectTool,
    SelectionSettings,
    SmartSelectTool,
)

OPEN_FILTER = (
    "Images (" + " ".join(f"*{s}" for s in (*READABLE_SUFFIXES, ".ora")) + ");;All files (*)"
)
SAVE_FILTER = (
    "OpenRaster, keeps layers (*.ora);;PNG (*.png);;JPEG (*.jpg *.jpeg);;WebP (*.webp);;"
    "TIFF (*.tif *.tiff)"
)


def writable(path: Path) -> bool:
    return is_layered(path) or path.suffix.lower() in WRITABLE


class MainWindow(QMainWindow):
    settings_changed = Signal(object)  # Settings

    def __init__(
        self, document: Document, operations: Operations, settings: Settings, autosaver=None
    ) -> None:
        super().__init__()
        self.autosaver = autosaver
        self.document = document
        self.operations = operations
        self.settings = settings
        self.brush = BrushState(parent=self)
        self.canvas = CanvasView(document)
        self.selection = SelectionSettings(self)
        self.pen = BrushState(BrushSettings(diameter=4, hardness=1.0, spacing=0.1), self,
                              inks=True)  # fmt: skip
        self.tools = {
            "brush": MaskBrushTool(document, self.brush),
            "rectangle": RectangleSelectTool(document),
            "lasso": LassoSelectTool(document),
            "wand": MagicWandTool(document, self.selection),
            "smart": SmartSelectTool(document, operations),
            "pen": MaskBrushTool(document, self.pen, document.sketch_layer),
        }
        self.canvas.set_tool(self.tools["brush"])
        for state in (self.brush, self.pen):
            state.changed.connect(self.canvas.refresh_outline)
        self.last_error: str | None = None
        self._lossy_overwrite_confirmed: Path | None = None  # asked once per opened original
        self.style_options = StyleOptions()  # the last message shown in an error dialog
        self.setCentralWidget(self.canvas)
        self.setAcceptDrops(True)
        self.resize(1200, 800)
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self.jobs_panel.add_result_actions(
            self.accept_action, self.accept_other_action, self.discard_action
        )
        self.layers_panel.add_actions(self.layer_actions)
        self._zoom_label = QLabel()
        self.statusBar().addPermanentWidget(self._zoom_label)
        self.canvas.zoom_changed.connect(lambda s: self._zoom_label.setText(f"{s * 100:.0f} %"))
        document.history_changed.connect(self.refresh_state)
        document.preview_changed.connect(self.refresh_state)
        document.reset.connect(self.refresh_state)
        document.layers_changed.connect(self.refresh_state)
        operations.busy_changed.connect(self.refresh_state)
        operations.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        operations.error.connect(self.show_error)
        if autosaver is not None:
            autosaver.failed.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.refresh_state()
        self.setWindowIcon(QIcon(str(resource("icons", "retouch.svg"))))
        # Which models have weights: asked once the window is up, off the UI thread.
        QTimer.singleShot(1500, lambda: self.operations.refresh_models("upscale"))
        QTimer.singleShot(1500, self.operations.refresh_readiness)
        operations.readiness_changed.connect(self.refresh_state)
        store = QSettings()
        if store.contains("window/geometry"):
            self.restoreGeometry(store.value("window/geometry"))
            self.restoreState(store.value("window/state"))

    # -- construction
    def _build_docks(self) -> None:
        self.tool_options = ToolOptionsPanel(self.brush, self.selection)
        self.jobs_panel = JobsPanel(self.operations.engine, self.operations)
        self.layers_panel = LayersPanel(self.document)
        for title, widget, area in (
            ("Tool options", self.tool_options, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("Layers", self.layers_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            ("Jobs", self.jobs_panel, Qt.DockWidgetArea.RightDockWidgetArea),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(title)
            dock.setWidget(widget)
            self.addDockWidget(area, dock)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        return make_action(self, text, slot, shortcut, tip)

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self._new_options = NewDocumentOptions()
        self.new_action = self._action("&New…", self.new_dialog, keys.New, "A blank canvas")
        self.open_action = self._action("&Open…", self.open_dialog, keys.Open)
        self.save_action = self._action("&Save", self.save, keys.Save)
        self.save_as_action = self._action("Save / &Export As…", self.save_as, "Ctrl+Shift+S")
        self.batch_action = self._action(
            "&Batch…", self.open_batch, tip="Run an operation over folders of images, as "
            "`retouch batch` does, while you keep editing"
        )  # fmt: skip
        self.quit_action = self._action("&Quit", self.close, keys.Quit)
        # Ctrl+, as in most editors (Cmd+, on macOS); Qt has no Preferences key on Linux.
        self.settings_action = self._action(
            "Se&ttings…", self.open_settings, "Ctrl+,", "Device, memory, autosave, limits"
        )
        self.shortcuts_action = self._action(
            "&Keyboard Shortcuts", self.show_shortcuts, "F1", "List every keyboard shortcut"
        )
        self.undo_action = self._action("&Undo", self.document.history.undo, keys.Undo)
        self.redo_action = self._action(
            "&Redo", self.document.history.redo, ["Ctrl+Shift+Z", "Ctrl+Y"]
        )
        self.accept_action = self._action(
            "&Accept result", lambda: self.accept_result(other_way=False), ["Return", "Enter"]
        )
        self.accept_other_action = self._action(
            "", lambda: self.accept_result(other_way=True), ["Shift+Return", "Shift+Enter"]
        )
        self._name_accept_actions()
        self.discard_action = self._action(
            "&Discard result", self.document.discard_preview, "Escape"
        )
        self.cancel_action = self._action("&Cancel job", self.operations.cancel, "Escape")
        doc, guarded = self.document, self._guarded
        self.new_layer_action = self._action("&New layer", guarded(doc.new_layer), "Ctrl+Shift+N")
        self.duplicate_layer_action = self._action(
            "&Duplicate layer", guarded(lambda: doc.duplicate_layer(doc.active_layer)), "Ctrl+J"
        )
        self.delete_layer_action = self._action(
            "De&lete layer", guarded(lambda: doc.remove_layer(doc.active_layer))
        )
        self.raise_layer_action = self._action(
            "&Raise layer", guarded(lambda: doc.move_active(1)), "Ctrl+]"
        )
        self.lower_layer_action = self._action(
            "L&ower layer", guarded(lambda: doc.move_active(-1)), "Ctrl+["
        )
        self.merge_down_action = self._action(
            "&Merge down", guarded(lambda: doc.merge_down(doc.active_layer)), "Ctrl+E"
        )
        self.flatten_action = self._action("&Flatten image", guarded(doc.flatten))
        self.layer_actions = [
            self.new_layer_action,
            self.duplicate_layer_action,
            self.raise_layer_action,
            self.lower_layer_action,
            self.merge_down_action,
            self.flatten_action,
            self.delete_layer_action,
        ]
        for action, symbol in zip(self.layer_actions, "+⧉▲▼⤓▭✕", strict=True):
            action.setIconText(symbol)  # compact buttons in the layers panel
        self.select_menu = SelectMenu(self)
        self.filter_menu = FilterMenu(self)
        self.tools["hint"] = ColorHintTool(self.document, self.filter_menu.hints)
        self.image_menu = ImageMenu(self)
        self.operation_menu = OperationMenu(self)  # operations with a generated form
        self.tool_group = QActionGroup(self)
        tool_actions = {}
        for key, text, shortcut, tip in (
            ("brush", "&Brush", "B", "Mask brush: paint over what to erase"),
            ("rectangle", "&Rectangle select", "M", "Drag a rectangle (Shift adds, Alt subtracts)"),
            ("lasso", "&Lasso select", "L", "Draw around an area (Shift adds, Alt subtracts)"),
            ("wand", "Magic &wand", "W", "Select similar colours around a click"),
            ("pen", "Sketch &pen", "P",
             "Draw lines on the sketch layer; in a colour, a colour scribble (E erases)"),
            ("hint", "Colour &hint", "H", "Place a colour for Colorize (Alt+click removes)"),
            ("smart", "&Smart select", "Shift+W",
             "Drag a box around an object; then Shift+drag marks more of it, Alt+drag background"),
        ):  # fmt: skip
            action = self._action(text, lambda _=False, k=key: self.use_tool(k), shortcut, tip)
            action.setCheckable(True)
            action.setChecked(key == "brush")
            self.tool_group.addAction(action)
            tool_actions[key] = action
        self.tool_actions = tool_actions
        self.brush_action = tool_actions["brush"]
        self.eraser_action = self._action(
            "&Eraser", self._toggle_eraser, "E", "Toggle the eraser of the mask brush or sketch pen"
        )
        self.black_ink_action = self._action(
            "Black ink", lambda: self.pen.update(colour=(0, 0, 0)), "D",
            "The sketch pen draws black lines again (Krita's default-colours key)",
        )  # fmt: skip
        self.grow_action = self._action("Bigger brush", lambda: self._brush_state().grow(), "]")
        self.shrink_action = self._action(
            "Smaller brush", lambda: self._brush_state().shrink(), "["
        )
        self.zoom_in_action = self._action(
            "Zoom &in", lambda: self.canvas.zoom_by(1), ["Ctrl++", "Ctrl+="]
        )
        self.zoom_out_action = self._action("Zoom &out", lambda: self.canvas.zoom_by(-1), "Ctrl+-")
        self.split_action = self._action(
            "&Split before/after",
            lambda on: self.canvas.set_split(on),
            "Ctrl+\\",
            "Compare the pending result with the original side by side (hold \\ to see before)",
        )
        self.split_action.setCheckable(True)
        self.fit_action = self._action("&Fit to window", self.canvas.fit, "Ctrl+0")
        self.actual_action = self._action("&100 %", self.canvas.actual_pixels, "Ctrl+1")

    def _build_menus(self) -> None:
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menus = {
            "&File": [
                self.new_action,
                self.open_action,
                self.recent_menu,
                self.save_action,
                self.save_as_action,
                None,
                self.batch_action,
                None,
                self.quit_action,
            ],
            "&Edit": [
                self.undo_action,
                self.redo_action,
                None,
                self.accept_action,
                self.accept_other_action,
                self.discard_action,
                self.cancel_action,
            ],
            "&Select": self.select_menu.actions,
            "&Layer": self.layer_actions,
            "Fi&lter": self.filter_menu.actions + [None] * bool(self.operation_menu.actions)
            + self.operation_menu.actions,
            "&Image": self.image_menu.actions,
            "&View": [
                self.split_action,
                None,
                self.zoom_in_action,
                self.zoom_out_action,
                self.fit_action,
                self.actual_action,
            ],
            "&Tools": [
                *self.tool_actions.values(),
                None,
                self.eraser_action,
                self.black_ink_action,
                self.grow_action,
                self.shrink_action,
            ],
        }
        menus["&Edit"] += [None, self.settings_action]
        menus["&Help"] = [self.shortcuts_action]
        self.menus = menus
        for title, actions in menus.items():
            menu = self.menuBar().addMenu(title)
            for action in actions:
                if action is None:
                    menu.addSeparator()
                elif isinstance(action, QMenu):
                    menu.addMenu(action)
                else:
                    menu.addAction(action)

    def _guarded(self, edit):
        return guarded(self.show_error, edit)

    # -- state shown in actions and the title
    def refresh_state(self) -> None:
        doc, history = self.document, self.document.history
        has_image, busy, pending = (
            not doc.is_empty(),
            self.operations.is_busy(),
            doc.preview is not None,
        )
        self.undo_action.setEnabled(history.can_undo() and not busy)
        self.redo_action.setEnabled(history.can_redo() and not busy)
        self.undo_action.setText(f"&Undo {history.undo_text()}".strip())
        self.redo_action.setText(f"&Redo {history.redo_text()}".strip())
        for action in (self.save_action, self.save_as_action):
            action.setEnabled(has_image)
        for menu in (self.select_menu, self.filter_menu, self.image_menu, self.operation_menu):
            menu.refresh(has_image, busy)
        for action in self.layer_actions:
            action.setEnabled(has_image and not busy)
        self.accept_action.setEnabled(pending and not busy)
        self.accept_other_action.setEnabled(pending and not busy)
        self.discard_action.setEnabled(pending and not busy)
        self.cancel_action.setEnabled(busy)
        name = doc.path.name if doc.path else ("Untitled" if has_image else "")
        self.setWindowModified(doc.is_modified())
        self.setWindowTitle(f"{name}[*] — Retouch" if name else "Retouch")

    # -- results
    def accept_result(self, other_way: bool = False) -> None:
        """Enter accepts the pending result the way Settings say (merged into its layer, or
        on a new layer above it); Shift+Enter the other way."""
        if self.filter_menu.finish_colorize(lambda: self.accept_result(other_way)):
            return  # the hints colour the whole image first, then this runs again
        as_layer = self.settings.accept_as_new_layer != other_way
        doc = self.document
        if as_layer and doc.preview is not None and doc.preview.scale != 1:
            self.statusBar().showMessage(
                "An upscale resizes the whole image, so it is accepted into its layer.", 8000
            )
        self._guarded(doc.accept_preview_as_layer if as_layer else doc.accept_preview)()

    def _name_accept_actions(self) -> None:
        """Enter's and Shift+Enter's texts follow the accept setting."""
        texts = (
            ("&Accept as new layer", "Accept &into the layer")
            if self.settings.accept_as_new_layer
            else ("&Accept result", "Accept as new &layer")
        )
        for action, text in zip((self.accept_action, self.accept_other_action), texts, strict=True):
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setText(text)
            action.setToolTip(f"{text.replace('&', '')} ({keys})")
            action.setStatusTip(action.toolTip())

    # -- files
    def new_dialog(self) -> None:
        """A blank canvas (never offered Colorize: there is no photo in it)."""
        if not self.maybe_keep_changes():
            return
        dialog = NewDocumentDialog(self._new_options, self)
        if dialog.exec() != NewDocumentDialog.DialogCode.Accepted:
            return
        self._new_options = options = dialog.values()
        self.new_document(options)

    def new_document(self, options: NewDocumentOptions) -> None:
        self.document.load(options.pixels())
        size = f"{options.width}×{options.height}"
        hint = "Draw with the sketch pen (P), then Filter → Sketch to Photo."
        self.statusBar().showMessage(f"New {size} canvas. {hint}", 10000)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", "", OPEN_FILTER)
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        if not self.maybe_keep_changes():
            return False
        path = Path(path)
        limit = self.settings.max_pixels
        try:  # read on a thread: a large file never freezes the window, and can be cancelled
            opened = run_in_background(
                self, f"Opening {path.name}…", lambda report: read_file(path, limit, report)
            )
        except ImageFileError as error:
            self.show_error(str(error))
            return False
        except TaskCancelled:
            self.statusBar().showMessage(f"Opening {path.name} cancelled.", 8000)
            return False
        notices = opened.apply_to(self.document)
        self._lossy_overwrite_confirmed = None
        remember_file(str(Path(path).resolve()))
        self.filter_menu.offer_colorize()
        size = f"{self.document.width}×{self.document.height}"
        self.statusBar().showMessage(" ".join([f"Opened {path.name} ({size}).", *notices]), 10000)
        return True

    def save(self) -> bool:
        """Save in place; a document with several layers is saved as OpenRaster unless the
        user chooses to flatten it in Save As. Re-encoding a lossy original (JPEG, WebP) in
        place is asked once; the alternative is the layered document beside it."""
        path = self.document.path
        layered = not fits_flat_file(self.document)
        if path is None or not writable(path) or (layered and not is_layered(path)):
            return self.save_as()
        if is_lossy(path) and self._lossy_overwrite_confirmed != path:
            choice = self.ask_lossy_overwrite(path)
            if choice == "beside":
                beside = path.with_suffix(".ora")
                return self.save_as(beside) if beside.exists() else self.save_to(beside)
            if choice != "overwrite":
                return False
            self._lossy_overwrite_confirmed = path
        return self.save_to(path)

    def ask_lossy_overwrite(self, path: Path) -> str:
        """'overwrite', 'beside' (save NAME.ora next to it) or 'cancel'."""
        box = QMessageBox(QMessageBox.Icon.Question, "Overwrite the original?",
                          f"Saving re-encodes {path.name} and loses a little quality each time. "
                          f"Overwrite it, or save the editable document as "
                          f"{path.with_suffix('.ora').name} beside it?", parent=self)  # fmt: skip
        overwrite = box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole)
        beside = box.addButton("Save as .ora", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(beside)
        box.exec()
        return {overwrite: "overwrite", beside: "beside"}.get(box.clickedButton(), "cancel")

    def save_as(self, start_at: Path | None = None) -> bool:
        path, layered = self.document.path, not fits_flat_file(self.document)
        start = str(start_at or "")
        if path is not None and start_at is None:
            keep = writable(path) and (is_layered(path) or not layered)
            start = str(path if keep else path.with_suffix(".ora" if layered else ".png"))
        chosen, _ = QFileDialog.getSaveFileName(self, "Save / Export", start, SAVE_FILTER)
        return self.save_to(Path(chosen)) if chosen else False

    def save_to(self, path: Path) -> bool:
        try:
            outcome = save_document(self.document, path)
        except ImageFileError as error:
            self.show_error(str(error))
            return False
        parts = [f"Saved {path.name}."]
        if not outcome.complete:
            parts = [
                f"Exported {path.name} flattened. The layers are not saved yet: "
                "save as OpenRaster (.ora) to keep them."
            ]
        if self.document.preview:
            parts.append("The pending result is not included: accept it first.")
        self.statusBar().showMessage(" ".join([*parts, *outcome.notices]), 10000)
        if self.autosaver is not None and outcome.complete:
            self.autosaver.saved()
        self.refresh_state()
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in recent_files():
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(Path(p)))
        self.recent_menu.setEnabled(True)
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("No recent files").setEnabled(False)

    def use_tool(self, key: str) -> None:
        self.canvas.set_tool(self.tools[key])
        self.tool_actions[key].setChecked(True)
        self.tool_options.set_state(self._brush_state())

    def _brush_state(self) -> BrushState:
        """The pen's settings while the sketch pen is in use, else the mask brush's."""
        return self.pen if self.canvas.tool is self.tools["pen"] else self.brush

    def _toggle_eraser(self) -> None:
        if self.canvas.tool not in (self.tools["brush"], self.tools["pen"]):
            self.use_tool("brush")
        state = self._brush_state()
        state.set_erase(not state.erase)

    # -- dialogs
    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self.apply_settings(dialog.values())

    def open_batch(self) -> None:
        """File → Batch…: one dialog, not modal (a batch runs on while the editor is used)."""
        from editor.panels.batch_dialog import BatchDialog

        dialog = getattr(self, "batch_dialog", None)
        if dialog is None:
            dialog = self.batch_dialog = BatchDialog(self)
        dialog.show()
        dialog.activateWindow()

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        settings.save()
        self.document.history.budget_bytes = settings.history_bytes
        if self.autosaver is not None:
            self.autosaver.set_interval(settings.autosave_seconds)
        self.operations.settings = settings
        self._name_accept_actions()
        self.settings_changed.emit(settings)

    def show_shortcuts(self) -> None:
        extra = [
            ("Canvas", "Pan", "Space+drag, middle button"),
            ("Canvas", "Zoom at the pointer", "Ctrl+wheel"),
            ("Canvas", "Erase mask for one stroke", "Alt+drag"),
            ("Canvas", "Show before (hold)", "\\"),
        ]
        ShortcutsDialog(shortcut_rows(self.menus), extra, self).exec()

    def offer_recovery(self) -> bool:
        """After a crash: offer the newest unsaved work back. True when it was restored.

        Also removes the temporaries that a save killed half-way left beside recent files."""
        for recent in recent_files():
            remove_stale_temporaries(Path(recent))
        pending = self.autosaver.pending() if self.autosaver is not None else []
        if not pending:
            return False
        newest = pending[0]
        name = newest.original_path.name if newest.original_path else "an untitled image"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(newest.saved_at))
        answer = QMessageBox.question(
            self, "Recover unsaved work",
            f"Retouch did not close cleanly. Restore the unsaved changes to {name} "
            f"(autosaved {when}, {newest.width}×{newest.height}, {newest.layer_count} layers)?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard,
        )  # fmt: skip
        if answer != QMessageBox.StandardButton.Yes:
            self.autosaver.discard(newest)
            return False
        try:
            notices = self.autosaver.restore(newest, self.settings.max_pixels)
        except ImageFileError as error:
            self.show_error(f"The recovery could not be read: {error}")
            return False
        self.statusBar().showMessage(" ".join(["Restored unsaved work.", *notices]), 10000)
        return True

    def maybe_keep_changes(self) -> bool:
        """Ask before unsaved changes would be lost. True when it is fine to go on."""
        if not self.document.is_modified():
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            "Save the changes to this image first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            # A flattened export leaves the layers unsaved: that is not leave to go on.
            return self.save() and not self.document.is_modified()
        return answer == QMessageBox.StandardButton.Discard

    def show_error(self, message: str) -> None:
        """A non-blocking dialog; the editor keeps running."""
        self.last_error = message
        self.statusBar().showMessage(message, 10000)
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Retouch", message, QMessageBox.StandardButton.Ok, self
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- window events
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        local = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if local:
            event.acceptProposedAction()
            self.open_path(Path(local[0]))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.maybe_keep_changes():
            store = QSettings()
            store.setValue("window/geometry", self.saveGeometry())
            store.setValue("window/state", self.saveState())
            self.operations.cancel()
            self.operations.engine.shutdown()
            if self.autosaver is not None:
                self.autosaver.finish()
            event.accept()
        else:
            event.ignore()
