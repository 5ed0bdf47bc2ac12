"""Train the models still short of their targets on one GPU, side by side, in one command.

The GPU machine lent to a session is offline and receives the checkout plus at most 64 MiB of
extra files, so the photos go in re-encoded and the Lite0 weights are passed explicitly.

1. Here (CPU), once:      python tools/gpu_train.py pack
   writes `.gpu_data/` (git-ignored): `photos.tar` (up to --per-subject photos of each sketch
   subject, 144 px on the short side, JPEG q80; Erase and Photo (fast) train on all of them)
   and the Lite0 file from the user cache. Prints the size.
2. On the GPU machine (the device tool's `run`, with carry [".gpu_data"]):
       python tools/gpu_train.py run --out "$OUT" --minutes 7
   starts one process per job (Erase fill-full; Sketch to Photo per subject, warm-started from
   models/; Photo (fast) full), bf16 autocast and channels_last inside the trainers, each
   writing weights, metrics.json and log.txt under $OUT/<job>; waits; prints each job's
   held-out figures. `--jobs erase,upscale` runs a subset; `--dry-run` prints the commands.
3. Back here: measure each returned file with its bench (models/MODELS.md says which) and
   commit only what beats the shipped weights.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / ".gpu_data"
PHOTOS = "photos.tar"
LITE0 = "efficientnet-lite0-57934424.pth"
SUBJECTS = ("landscapes", "people", "animals")
SIDE, QUALITY = 144, 80


def pack(sources: list[str], out: Path, per_subject: int) -> int:
    """Re-encode up to `per_subject` photos of each sketch subject into out/photos.tar (evenly
    spread over the sources, names kept: the trainers read the subject from them) and copy the
    Lite0 weights. Returns the bytes written."""
    from PIL import Image

    from editor.training.data import iter_encoded
    from editor.training.features import weights_path
    from editor.training.train_sketcher import subject_of

    def file_name(name: str) -> str:  # "shard.tar:member" or a path
        return Path(name.split(":")[-1]).name

    names = [file_name(name) for name, _ in iter_encoded(sources)]
    counts = {s: sum(subject_of(n) == s for n in names) for s in SUBJECTS}
    strides = {s: max(1, counts[s] // per_subject) for s in SUBJECTS}
    seen = dict.fromkeys(SUBJECTS, 0)
    kept = dict.fromkeys(SUBJECTS, 0)
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out / PHOTOS, "w") as archive:
        for name, payload in iter_encoded(sources):
            subject = subject_of(file_name(name))
            if subject is None:
                continue
            seen[subject] += 1
            if (seen[subject] - 1) % strides[subject] or kept[subject] >= per_subject:
                continue
            image = Image.open(io.BytesIO(payload)).convert("RGB")
            scale = SIDE / min(image.size)
            if scale < 1:
                size = (round(image.width * scale), round(image.height * scale))
                image = image.resize(size, Image.LANCZOS)
            encoded = io.BytesIO()
            image.save(encoded, "JPEG", quality=QUALITY)
            member = tarfile.TarInfo(file_name(name))
            member.size = encoded.tell()
            encoded.seek(0)
            archive.addfile(member, encoded)
            kept[subject] += 1
    (out / LITE0).write_bytes(Path(weights_path()).read_bytes())
    total = sum(f.stat().st_size for f in out.iterdir())
    print(f"packed {kept} photos and {LITE0} into {out}: {total / 2**20:.1f} MiB")
    return total


def commands(data: Path, out: Path, minutes: float, jobs: list[str]) -> dict[str, list[str]]:
    """The trainer command of each job, by job name."""
    python = [sys.executable, "-m", "editor.training"]
    photos, lite0 = str(data / PHOTOS), str(data / LITE0)
    common = ["--device", "cuda", "--minutes", str(minutes)]
    plan = {
        "erase": [*python, "inpaint", "--config", "fill-full", "--data", photos,
                  "--feature-weights", lite0, *common, "--out", str(out / "erase")],
        "upscale": [*python, "upscale", "--config", "full", "--data", photos, *common,
                    "--out", str(out / "upscale")],
    }  # fmt: skip
    for subject in SUBJECTS:
        plan[f"sketch-{subject}"] = [
            *python, "sketch", "--subject", subject, "--config", "full", "--data", photos,
            "--feature-weights", lite0,
            "--init", str(ROOT / "models" / f"sketch-{subject}.safetensors"),
            *common, "--out", str(out / f"sketch-{subject}"),
        ]  # fmt: skip
    unknown = set(jobs) - set(plan)
    if unknown:
        raise SystemExit(f"unknown jobs {sorted(unknown)}; known: {', '.join(plan)}")
    return {job: plan[job] for job in jobs}


def run(data: Path, out: Path, minutes: float, jobs: list[str], dry_run: bool) -> int:
    plan = commands(data, out, minutes, jobs)
    if dry_run:
        for job, command in plan.items():
            print(f"{job}: {' '.join(command)}")
        return 0
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device here: this command is for the GPU machine", file=sys.stderr)
        return 2
    missing = [p for p in (data / PHOTOS, data / LITE0) if not p.is_file()]
    if missing:
        print(f"missing {missing}: run `python tools/gpu_train.py pack` and carry .gpu_data",
              file=sys.stderr)  # fmt: skip
        return 2
    started = time.time()
    running = {}
    for job, command in plan.items():
        (out / job).mkdir(parents=True, exist_ok=True)
        log = open(out / job / "log.txt", "w")  # noqa: SIM115 (closed when the job ends)
        running[job] = (subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT),
                        log)  # fmt: skip
    failed = 0
    for job, (process, log) in running.items():
        code = process.wait()
        log.close()
        failed += code != 0
        metrics = out / job / "metrics.json"
        summary = json.loads(metrics.read_text()).get("holdout") if metrics.is_file() else None
        print(f"{job}: exit {code} after {time.time() - started:.0f}s; held-out {summary}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/gpu_train.py", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    tasks = parser.add_subparsers(dest="task", required=True)
    packer = tasks.add_parser("pack", help="re-encode the training photos into .gpu_data")
    packer.add_argument("--data", nargs="*", default=[
        str(ROOT.parent / "shared" / "data" / "train" / f"diverse-00{i}.tar") for i in range(5)
    ] + [str(ROOT.parent / "shared" / "data" / "train" / "photos-000.tar")])  # fmt: skip
    packer.add_argument("--out", type=Path, default=DATA)
    packer.add_argument("--per-subject", type=int, default=1500)
    runner = tasks.add_parser("run", help="train the jobs side by side on the GPU")
    runner.add_argument("--data", type=Path, default=DATA)
    runner.add_argument("--out", type=Path, required=True)
    runner.add_argument("--minutes", type=float, default=7.0, help="each job's training time")
    every_job = ["erase", "upscale", *(f"sketch-{s}" for s in SUBJECTS)]
    runner.add_argument("--jobs", default=",".join(every_job), help="comma-separated")
    runner.add_argument("--dry-run", action="store_true", help="print the commands only")
    args = parser.parse_args(argv)
    if args.task == "pack":
        pack(args.data, args.out, args.per_subject)
        return 0
    return run(args.data, args.out, args.minutes, args.jobs.split(","), args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
