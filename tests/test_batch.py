"""`retouch batch` on this machine: inputs, the manifest, resume after a kill, failures that
never stop the batch, metadata and layout kept, the same pixels as the single-image command.
(Ray: tests/test_batch_ray.py.)"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import pixels, single_image, write_corrupt, write_photos
from PIL import Image

from editor.batch.inputs import discover, output_name, side_file
from editor.batch.manifest import MANIFEST_NAME, Manifest, Row, is_current

ROOT = Path(__file__).resolve().parents[1]


def batch(*argv: str) -> int:
    from editor.cli import main

    return main(["batch", *argv])


def manifest_rows(outdir: Path) -> dict[str, tuple[str, str | None]]:
    with Manifest.in_folder(outdir) as manifest:
        return {row.output: (row.status, row.error) for row in manifest.rows()}


def test_inputs_folders_globs_files_and_layout(tmp_path):
    photos = write_photos(tmp_path / "in", 4)
    (tmp_path / "in" / ".hidden.png").write_bytes(b"x")
    (tmp_path / "in" / "readme.txt").write_text("x")
    outdir = tmp_path / "in" / "out"  # inside the input folder: never read back
    write_photos(outdir, 1)
    found = [item.relative for item in discover([tmp_path / "in"], outdir)]
    assert found == ["photo000.png", "photo001.png", "photo003.png", "sub/photo002.png"]
    pattern = str(tmp_path / "in" / "**" / "photo00[23].png")
    assert [i.relative for i in discover([pattern])] == ["photo003.png", "sub/photo002.png"]
    single = list(discover([photos[2], photos[2], tmp_path / "in" / "sub"]))
    assert [i.relative for i in single] == ["photo002.png"]  # the same file is taken once
    with pytest.raises(FileNotFoundError):
        list(discover([tmp_path / "missing"]))
    assert output_name("a/b.bmp") == "a/b.png" and output_name("a/b.JPG") == "a/b.JPG"
    assert output_name("a/b.jpg", ".webp") == "a/b.webp"
    masks = tmp_path / "masks"
    (masks / "sub").mkdir(parents=True)
    (masks / "sub" / "photo002.png").write_bytes(b"")
    assert side_file(masks, "sub/photo002.jpg") == masks / "sub" / "photo002.png"
    assert side_file(masks, "photo000.png") is None


def test_manifest_says_what_is_current(tmp_path):
    src, dst = tmp_path / "a.png", tmp_path / "out" / "a.png"
    src.write_bytes(b"abc")
    dst.parent.mkdir()
    dst.write_bytes(b"result")
    from editor.batch.worker import file_sha256

    info = src.stat()
    row = Row("a.png", str(src), info.st_size, info.st_mtime_ns, file_sha256(src), "denoise",
              '{"strength":25}', "denoise=1", "done", 0.1, None, None)  # fmt: skip
    with Manifest(tmp_path / "out" / MANIFEST_NAME) as manifest:
        manifest.record(row)
        stored = manifest.get("a.png")
        assert stored is not None and stored.finished_at
        assert manifest.counts() == {"done": 1}
    assert is_current(stored, "denoise", '{"strength":25}', "denoise=1", src, dst)
    assert not is_current(stored, "denoise", '{"strength":15}', "denoise=1", src, dst)
    assert not is_current(stored, "denoise", '{"strength":25}', "denoise=2", src, dst)
    os.utime(src, ns=(info.st_atime_ns, info.st_mtime_ns + 10**9))  # touched, same bytes
    assert is_current(stored, "denoise", '{"strength":25}', "denoise=1", src, dst)
    src.write_bytes(b"abd")
    assert not is_current(stored, "denoise", '{"strength":25}', "denoise=1", src, dst)
    failed = Row(*[*row.__dict__.values()][:8], "failed", 0.1, "bad", None)
    assert not is_current(failed, "denoise", '{"strength":25}', "denoise=1", src, dst)


def test_pool_matches_single_image_keeps_metadata_and_records_failures(tmp_path):
    """Denoise in a worker process: the single-image command's pixels, EXIF, ICC, alpha and
    the folder layout kept; corrupt files recorded with their error, the rest done; a rerun
    redoes nothing that is done and retries the failures."""
    inputs = tmp_path / "in"
    photos = write_photos(inputs, 4)
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[..., :3] = 200
    rgba[..., 3] = np.linspace(0, 255, 16, dtype=np.uint8)[None, :]
    Image.fromarray(rgba, "RGBA").save(inputs / "sub" / "alpha.png")
    exif = Image.Exif()
    exif[0x010F] = "Retouch test camera"
    icc = b"\0" * 128  # Pillow stores the bytes as given
    Image.fromarray(np.full((16, 16, 3), 90, np.uint8)).save(
        inputs / "scan.jpg", exif=exif, icc_profile=icc, quality=95)
    bad = write_corrupt(inputs / "bad")
    out = tmp_path / "out"

    assert batch("denoise", str(inputs), "-o", str(out), "--strength", "15",
                 "--workers", "1", "--threads", "1") == 1  # fmt: skip  (some failed)
    rows = manifest_rows(out)
    done = sorted(name for name, (status, _) in rows.items() if status == "done")
    assert done == ["photo000.png", "photo001.png", "photo003.png", "scan.jpg", "sub/alpha.png",
                    "sub/photo002.png"]
    failed = {name: error for name, (status, error) in rows.items() if status == "failed"}
    assert set(failed) == {"bad/broken.png", "bad/notes.jpg"}
    assert "broken.png" in failed["bad/broken.png"] and "notes.jpg" in failed["bad/notes.jpg"]
    for src in [*photos, inputs / "sub" / "alpha.png", inputs / "scan.jpg"]:
        relative = src.relative_to(inputs)
        reference = single_image("denoise", src, tmp_path / "ref" / src.name, "--strength", "15")
        assert np.array_equal(pixels(out / relative), reference), relative
    assert (pixels(out / "sub" / "alpha.png")[..., 3] == rgba[..., 3]).all()
    with Image.open(out / "scan.jpg") as saved:
        assert saved.getexif()[0x010F] == "Retouch test camera"
        assert saved.info.get("icc_profile") == icc
    assert all(path.exists() for path in bad)  # inputs are never touched

    stamps = {path: path.stat().st_mtime_ns for path in out.rglob("*.*g")}
    assert batch("denoise", str(inputs), "-o", str(out), "--strength", "15",
                 "--workers", "0") == 1  # fmt: skip  (the two failures fail again)
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*.*g")} == stamps
    assert manifest_rows(out) == rows
    # Other options: everything is done again.
    assert batch("denoise", str(inputs / "sub"), "-o", str(out / "s10"), "--strength", "10",
                 "--workers", "0") == 0  # fmt: skip
    assert sorted(manifest_rows(out / "s10")) == ["alpha.png", "photo002.png"]


def test_killed_half_way_the_rerun_finishes_without_redoing(tmp_path):
    """SIGKILL the whole batch (driver and worker) after a few results; the rerun does only
    the rest: done files are not written again, the manifest ends with all 50 done."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    write_photos(inputs, 50, size=192)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "editor", "batch", "denoise", str(inputs),
               "-o", str(out), "--workers", "1", "--threads", "1"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    database = out / MANIFEST_NAME
    done_at_kill = 0
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if database.exists():
                with sqlite3.connect(database, timeout=5) as db:
                    try:
                        done_at_kill = db.execute(
                            "SELECT COUNT(*) FROM items WHERE status = 'done'").fetchone()[0]
                    except sqlite3.OperationalError:  # the table is being made
                        done_at_kill = 0
                if done_at_kill >= 3:
                    break
            time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert 3 <= done_at_kill < 50, process.stderr.read().decode() if process.stderr else ""
    with Manifest.in_folder(out) as manifest:
        first = {row.output: (row.finished_at, row.seconds) for row in manifest.rows("done")}
    stamps = {name: (out / name).stat().st_mtime_ns for name in first}
    assert len(first) >= done_at_kill

    assert batch("denoise", str(inputs), "-o", str(out), "--workers", "0") == 0
    with Manifest.in_folder(out) as manifest:
        assert manifest.counts() == {"done": 50}
        after = {row.output: (row.finished_at, row.seconds) for row in manifest.rows("done")}
    assert {name: after[name] for name in first} == first
    assert {name: (out / name).stat().st_mtime_ns for name in first} == stamps
    assert not list(out.rglob(".*.tmp"))  # no temporary left behind by the kill is visible


def test_stop_is_clean_and_the_rerun_continues(tmp_path):
    """The stop event (Ctrl+C, the dialog's Cancel): no new image starts, finished ones are
    recorded, the summary says stopped; the rerun does the rest."""
    import threading

    from editor.batch.runner import BatchJob, InProcess, run_batch

    inputs, out = tmp_path / "in", tmp_path / "out"
    write_photos(inputs, 6)
    stop = threading.Event()
    job = BatchJob("denoise", (str(inputs),), out, {"strength": 25.0, "tile": None,
                                                     "model": None, "mask": None})  # fmt: skip

    def after(outcome, summary):
        if summary.done == 2:
            stop.set()

    summary = run_batch(job, InProcess(), after, stop)
    assert (summary.done, summary.stopped, summary.remaining) == (2, True, 4)
    summary = run_batch(job, InProcess())
    assert (summary.done, summary.skipped, summary.stopped) == (4, 2, False)


def test_erase_takes_a_mask_folder_of_the_same_names(tmp_path):
    inputs, masks, out = tmp_path / "in", tmp_path / "masks", tmp_path / "out"
    photos = write_photos(inputs, 3)
    for photo in photos[:2]:
        mask = np.zeros((16, 16), np.uint8)
        mask[4:9, 4:9] = 255
        target = masks / photo.relative_to(inputs)
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(mask).save(target)
    assert batch("inpaint", str(inputs), "--mask", str(masks), "-o", str(out),
                 "--method", "telea", "--workers", "0") == 1  # fmt: skip
    rows = manifest_rows(out)
    assert rows["photo000.png"][0] == rows["photo001.png"][0] == "done"
    assert rows["sub/photo002.png"][0] == "failed" and "mask" in rows["sub/photo002.png"][1]
    reference = single_image("inpaint", photos[0], tmp_path / "ref.png", "--mask",
                             str(masks / "photo000.png"), "--method", "telea")  # fmt: skip
    assert np.array_equal(pixels(out / "photo000.png"), reference)


def test_batch_lists_the_batchable_operations_with_their_options(capsys):
    from editor.batch.operations import operations

    assert set(operations()) == {"colorize", "denoise", "upscale", "stylize", "inpaint",
                                 "sketch2photo"}
    with pytest.raises(SystemExit):
        batch("denoise", "--help")
    text = capsys.readouterr().out
    assert "--strength" in text and "--workers" in text and "--ray" in text
    with pytest.raises(SystemExit):
        batch("smart_select", "x", "-o", "y")


def test_ray_without_ray_says_how_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    monkeypatch.delitem(sys.modules, "editor.batch.ray_backend", raising=False)
    write_photos(tmp_path / "in", 1)
    assert batch("denoise", str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                 "--ray", "auto") == 1  # fmt: skip
    assert 'pip install -e ".[scale]"' in capsys.readouterr().err


def test_two_inputs_for_one_output_the_second_is_refused(tmp_path):
    from editor.batch.runner import BatchJob, InProcess, run_batch

    inputs = tmp_path / "in"
    write_photos(inputs, 1)
    with Image.open(inputs / "photo000.png") as image:
        image.save(inputs / "photo000.jpg")
    job = BatchJob("denoise", (str(inputs),), tmp_path / "out", {"strength": 25.0, "tile": None,
                   "model": None, "mask": None}, suffix=".png")  # fmt: skip
    summary = run_batch(job, InProcess())
    assert summary.done == 1 and summary.planned == 2
    assert summary.failed == [(str(inputs / "photo000.png"),
                               "another input already writes photo000.png")]  # fmt: skip
