"""Feed hostile and odd files to the editor's open and to the CLI; count crashes, refusals, opens.

python bench/hostile.py [--count 1000] [--seed 0] [--jobs 2] [--timeout 30] [--keep DIR]

Every file (bench/hostile_files.py makes them) goes through
- the editor's open (editor.document.io.open_into, what File → Open and drag-and-drop call) in
  a worker process, restarted after any crash, and
- `python -m editor export FILE -o out.png` in its own process,
each with a time limit and a memory cap (RLIMIT_AS). A crash is a traceback, a signal, a hang
past the time limit or a peak RSS above --rss-gb; a refusal is a plain one-line message.
Target: 0 crashes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile_files import make_all  # noqa: E402

ADDRESS_SPACE_GB = 8  # a safety net: the RSS check below is what counts as a crash


@dataclass
class Outcome:
    file: str
    route: str  # "open" or "cli"
    verdict: str  # "opened", "refused" or "crash"
    detail: str = ""


# ---------------------------------------------------------------- the worker (editor open)


def worker() -> None:
    """Read paths from stdin; for each, print one JSON line: verdict, detail, peak RSS."""
    import resource

    from editor.document.document import Document
    from editor.document.io import open_into
    from editor.fileio.errors import ImageFileError

    for line in sys.stdin:
        path = Path(line.rstrip("\n"))
        try:
            open_into(Document(), path)
            verdict, detail = "opened", ""
        except ImageFileError as error:
            verdict, detail = "refused", str(error)
        except BaseException:  # noqa: BLE001 - this is what the bench counts
            verdict, detail = "crash", traceback.format_exc(limit=-3)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"verdict": verdict, "detail": detail, "rss_kb": peak_kb}), flush=True)


def _limit_memory() -> None:
    import resource

    cap = ADDRESS_SPACE_GB << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


class OpenWorker:
    """A worker process, replaced after a crash, a hang or a large peak RSS."""

    def __init__(self, timeout: float, rss_gb: float) -> None:
        self.timeout, self.rss_kb = timeout, rss_gb * (1 << 20)
        self.process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        return subprocess.Popen(
            [sys.executable, __file__, "--worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
            preexec_fn=_limit_memory if os.name == "posix" else None,
        )  # fmt: skip

    def run(self, path: Path) -> Outcome:
        import selectors

        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        if not selector.select(self.timeout):
            self.stop()
            return Outcome(path.name, "open", "crash", f"hang > {self.timeout:.0f} s")
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.process = None
            return Outcome(path.name, "open", "crash", f"worker died (exit {code})")
        report = json.loads(line)
        if report["rss_kb"] > self.rss_kb:
            self.stop()
            gigabytes = report["rss_kb"] / (1 << 20)
            return Outcome(path.name, "open", "crash", f"peak RSS {gigabytes:.1f} GB")
        if report["rss_kb"] > (1 << 20):  # above 1 GB: restart so the next peak is its own
            self.stop()
        return Outcome(path.name, "open", report["verdict"], report["detail"])

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


# ---------------------------------------------------------------- the CLI


def run_cli(path: Path, out_dir: Path, timeout: float, rss_gb: float) -> Outcome:
    output = out_dir / f"{path.stem}.png"
    command = [
        sys.executable, "-c",
        "import resource, sys; from editor.cli import main; code = main(sys.argv[1:]); "
        "print('RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
        "sys.exit(code)",
        "export", str(path), "-o", str(output),
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout,
            preexec_fn=_limit_memory if os.name == "posix" else None,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return Outcome(path.name, "cli", "crash", f"hang > {timeout:.0f} s")
    finally:
        output.unlink(missing_ok=True)
    lines = [line for line in done.stderr.splitlines() if not line.startswith("RSS_KB")]
    rss = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("RSS_KB")]
    if rss and rss[0] > rss_gb * (1 << 20):
        return Outcome(path.name, "cli", "crash", f"peak RSS {rss[0] / (1 << 20):.1f} GB")
    if "Traceback" in done.stderr or done.returncode not in (0, 1):
        return Outcome(path.name, "cli", "crash", f"exit {done.returncode}: {lines[-3:]}")
    if done.returncode == 1:
        return Outcome(path.name, "cli", "refused", lines[-1] if lines else "")
    return Outcome(path.name, "cli", "opened")


# ---------------------------------------------------------------- the report


def _kind(name: str) -> str:
    """The class of a generated file, from its name: 00012-ora-deep.ora -> ora-deep."""
    stem = name.split("-", 1)[1].rsplit(".", 1)[0]
    return stem.rstrip("0123456789") if stem.startswith(("orientation", "bomb")) else stem


def report(outcomes: list[Outcome], seconds: float) -> int:
    for route in ("open", "cli"):
        counts = Counter(o.verdict for o in outcomes if o.route == route)
        print(f"{route:5}: {counts['opened']:5} opened  {counts['refused']:5} refused  "
              f"{counts['crash']:3} crashes")  # fmt: skip
    kinds = Counter(_kind(o.file) for o in outcomes if o.route == "open")
    print("classes: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    crashes = [o for o in outcomes if o.verdict == "crash"]
    for crash in crashes:
        print(f"CRASH {crash.route} {crash.file}: {crash.detail.strip()[-400:]}")
    files = len({o.file for o in outcomes})
    print(f"{files} files, {len(outcomes)} runs in {seconds:.0f} s: {len(crashes)} crashes")
    return 1 if crashes else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2, help="CLI processes at once")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--rss-gb", type=float, default=4.0)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    if args.worker:
        worker()
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="retouch-hostile-") as temp:
        folder = args.keep or Path(temp) / "files"
        folder.mkdir(parents=True, exist_ok=True)
        out_dir = Path(temp) / "out"
        out_dir.mkdir()
        paths = list(make_all(folder, args.count, args.seed))
        print(f"made {len(paths)} files in {time.perf_counter() - started:.0f} s", flush=True)
        opener = OpenWorker(args.timeout, args.rss_gb)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            cli_runs = [
                pool.submit(run_cli, path, out_dir, args.timeout, args.rss_gb) for path in paths
            ]
            outcomes = [opener.run(path) for path in paths]
            opener.stop()
            outcomes += [run.result() for run in cli_runs]
    return report(outcomes, time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
