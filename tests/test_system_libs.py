"""On a Linux desktop without the X11 libraries Qt needs, `retouch` prints the exact apt line
and exits, instead of Qt's plugin error and abort (exit code 134)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from editor.system_libs import check_gui_libraries, missing_xcb_libraries, uses_xcb

DESKTOP = {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}


def test_a_missing_xcb_library_gives_the_apt_line():
    message = check_gui_libraries(DESKTOP, lambda soname: soname != "libxcb-cursor.so.0", True)
    assert "libxcb-cursor.so.0" in message
    assert "sudo apt install libxcb-cursor0\n" in message


def test_several_missing_and_no_apt():
    present = {"libxcb.so.1", "libGL.so.1"}
    message = check_gui_libraries(DESKTOP, present.__contains__, has_apt=True)
    assert "sudo apt install libx11-xcb1 libxcb-cursor0 libxcb-icccm4" in message
    elsewhere = check_gui_libraries(DESKTOP, lambda soname: False, has_apt=False)
    assert "apt" not in elsewhere and "package manager" in elsewhere


def test_nothing_to_say_when_all_is_there_or_xcb_is_not_used():
    assert check_gui_libraries(DESKTOP, lambda soname: True) is None
    skip = {**DESKTOP, "RETOUCH_SKIP_LIBRARY_CHECK": "1"}
    assert check_gui_libraries(skip, lambda soname: False) is None
    assert "no X11 display" in check_gui_libraries({}, lambda soname: True)
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert not uses_xcb({"QT_QPA_PLATFORM": "wayland"})
    assert not uses_xcb({"XDG_SESSION_TYPE": "wayland"})
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb", "XDG_SESSION_TYPE": "wayland"}, "linux")
    assert not uses_xcb({}, "darwin")


def _start_gui(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99"}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is Linux only")
def test_retouch_prints_the_line_and_exits_instead_of_aborting():
    # Simulate a machine without libxcb-cursor0: the check runs before Qt is imported.
    done = _start_gui(
        "import editor.system_libs as libs\n"
        "real = libs._loadable\n"
        "libs._loadable = lambda soname: soname != 'libxcb-cursor.so.0' and real(soname)\n"
        "from editor.app import main\n"
        "raise SystemExit(main([]))\n"
    )
    assert done.returncode == 3, done.stderr
    assert "libxcb-cursor0" in done.stderr and "qt.qpa" not in done.stderr
    assert "PySide6" not in done.stderr


@pytest.mark.skipif(not missing_xcb_libraries(), reason="this machine has every xcb library")
def test_on_this_machine_the_real_check_names_what_is_missing():
    done = _start_gui("from editor.app import main\nraise SystemExit(main([]))\n")
    assert done.returncode == 3 and "Install them" in done.stderr
