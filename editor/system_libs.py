"""The system libraries Qt's X11 platform plugin (xcb) needs, checked before Qt starts.

PySide6's wheels bundle Qt but not these; when one is missing Qt prints a plugin error and
aborts the process (exit code 134). On a fresh Debian or Ubuntu desktop `libxcb-cursor0`,
`libxcb-icccm4` and `libxcb-keysyms1` are the usual ones. Checking first lets the editor
print the exact install command instead. No Qt is imported here.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
from collections.abc import Callable, Iterable

# soname -> Debian/Ubuntu package, for everything libqxcb.so and libQt6XcbQpa link to
# outside Qt itself (read with ldd on PySide6 6.x).
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libdbus-1.so.3": "libdbus-1-3",
}


SKIP_ENV = "RETOUCH_SKIP_LIBRARY_CHECK"  # for systems that provide them some other way


def _loadable(soname: str) -> bool:
    """Whether the dynamic loader finds `soname` the way Qt's plugin loader would."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: dict[str, str] | None = None, platform: str | None = None) -> bool:
    """True when Qt will start its X11 (xcb) plugin: Linux, and QT_QPA_PLATFORM is xcb, or
    unset outside a Wayland session (Qt picks Wayland there by itself)."""
    environ = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if chosen:
        return chosen == "xcb"
    return environ.get("XDG_SESSION_TYPE") != "wayland" and not environ.get("WAYLAND_DISPLAY")


def missing_xcb_libraries(loadable: Callable[[str], bool] | None = None) -> list[str]:
    """The sonames from XCB_LIBRARIES that cannot be loaded."""
    loadable = loadable or _loadable
    return [soname for soname in XCB_LIBRARIES if not loadable(soname)]


def install_message(missing: Iterable[str], has_apt: bool | None = None) -> str:
    """What to tell the user: the apt line on Debian/Ubuntu, the library names elsewhere."""
    missing = list(missing)
    if has_apt is None:
        has_apt = shutil.which("apt-get") is not None
    lines = [
        "Retouch cannot start its window: Qt's X11 support needs system libraries that are "
        f"not installed ({', '.join(missing)})."
    ]
    if has_apt:
        packages = " ".join(dict.fromkeys(XCB_LIBRARIES[soname] for soname in missing))
        lines.append(f"Install them with:\n\n    sudo apt install {packages}\n")
    else:
        lines.append("Install them with your system's package manager.")
    lines.append("Headless commands (retouch inpaint, upscale, ...) work without them; "
                 f"{SKIP_ENV}=1 starts the window anyway.")  # fmt: skip
    return "\n".join(lines)


NO_DISPLAY_MESSAGE = (
    "Retouch needs a graphical desktop: no X11 display is set (DISPLAY is empty). "
    "Headless commands (retouch inpaint, upscale, ...) work without one."
)


def check_gui_libraries(
    environ: dict[str, str] | None = None,
    loadable: Callable[[str], bool] | None = None,
    has_apt: bool | None = None,
) -> str | None:
    """None when the GUI can start, else the message to print instead of Qt's abort."""
    environ = os.environ if environ is None else environ
    if environ.get(SKIP_ENV) or not uses_xcb(environ):
        return None
    missing = missing_xcb_libraries(loadable)
    if missing:
        return install_message(missing, has_apt)
    return None if environ.get("DISPLAY") else NO_DISPLAY_MESSAGE
