"""Cold start: time from launching the process to the main window shown (offscreen Qt).

python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CHILD = """
from PySide6.QtWidgets import QApplication
app = QApplication([])
from editor.app import build_window
window = build_window()
window.show()
app.processEvents()
print("shown", flush=True)
window.close()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    times = []
    for _ in range(args.runs + 1):  # the first run warms the OS file cache and is dropped
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, env=env, text=True
        )
        for line in child.stdout:
            if line.startswith("shown"):
                times.append(time.perf_counter() - start)
                break
        child.wait()
    times = times[1:]
    print(
        f"cold start to window shown: median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s over {len(times)} runs (target <= 1.5 s)"
    )


if __name__ == "__main__":
    main()
