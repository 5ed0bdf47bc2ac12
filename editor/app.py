"""Composition root: builds settings, Document, Engine, Operations and MainWindow."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from editor import __version__

EXIT_MISSING_LIBRARIES = 3  # the GUI cannot start: system libraries are missing


def configure_engine(engine, settings) -> None:
    """The Settings that every job reads: device, half precision, model memory budget."""
    engine.configure(settings.device, settings.half_precision,
                     settings.model_memory_megabytes * 1024 * 1024)  # fmt: skip


def build_window(settings=None):
    """Create a wired main window (not shown). The engine thread stops when the window
    closes or the application quits."""
    from PySide6.QtWidgets import QApplication

    from editor.autosaver import Autosaver
    from editor.document.autosave import RecoveryStore
    from editor.document.document import Document
    from editor.engine.engine import Engine
    from editor.jobs import Operations
    from editor.main_window import MainWindow
    from editor.settings import Settings

    app = QApplication.instance()
    if not app.organizationName():
        app.setOrganizationName("Retouch")  # where QSettings keeps settings and recent files
        app.setApplicationName("Retouch")
    settings = settings or Settings.load()
    document = Document(history_budget=settings.history_bytes)
    engine = Engine()
    configure_engine(engine, settings)
    operations = Operations(document, engine, settings)
    autosaver = Autosaver(document, RecoveryStore(), settings.autosave_seconds)
    window = MainWindow(document, operations, settings, autosaver)
    window.settings_changed.connect(lambda changed: configure_engine(engine, changed))
    # The window owns the rest so they live exactly as long as it does.
    for child in (document, engine, operations, autosaver):
        child.setParent(window)
    app.aboutToQuit.connect(lambda: engine.shutdown())
    return window


def run_gui(argv: list[str]) -> int:
    from editor.cli import command_lines

    width = max(len(name) for name, _ in command_lines())
    commands = "\n".join(f"  {name:{width}}  {summary}" for name, summary in command_lines())
    parser = argparse.ArgumentParser(
        prog="retouch",
        usage="retouch [FILE] | retouch COMMAND ...",
        description="Retouch image editor: `retouch [FILE]` opens the editor; the commands "
        "run the same operations headless.",
        epilog=f"commands:\n{commands}\n\n`retouch COMMAND --help` shows a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", type=Path, help="image to open")
    parser.add_argument("--version", action="version", version=f"retouch {__version__}")
    args = parser.parse_args(argv)

    from editor.system_libs import check_gui_libraries

    problem = check_gui_libraries()
    if problem is not None:  # Qt would abort the process (exit 134) with a plugin error
        print(problem, file=sys.stderr)
        return EXIT_MISSING_LIBRARIES

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Retouch")
    app.setOrganizationName("Retouch")
    app.setDesktopFileName("retouch")
    window = build_window()
    window.show()
    _warm_up_child_processes()
    if not window.offer_recovery() and args.file is not None:
        window.open_path(args.file)
    return app.exec()


def _warm_up_child_processes() -> None:
    """Start the helper-process server (Erase's OpenCV fills, Smart select) in the background
    now, so the first Erase does not wait ~1 s for it, a wait Cancel cannot cut short."""
    import threading

    def warm() -> None:
        from editor.engine.child import warm_up

        try:
            warm_up()
        except Exception:  # noqa: BLE001 - the first job starts it again and reports errors
            logging.getLogger(__name__).warning("helper processes not started", exc_info=True)

    threading.Thread(target=warm, name="child-warm-up", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    from editor import cli

    if cli.is_command(argv):
        return cli.main(argv)
    return run_gui(argv)
