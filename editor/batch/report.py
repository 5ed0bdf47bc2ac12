"""The end-of-batch summary, as the CLI prints it and the Batch dialog shows it."""

from __future__ import annotations

from pathlib import Path

from editor.batch.manifest import MANIFEST_NAME
from editor.batch.runner import Summary


def summary_table(summary: Summary, outdir: Path, limit: int = 20) -> str:
    """The end-of-batch table: counts, time, rate, and the failures with their reasons."""
    rate = summary.done / summary.seconds if summary.seconds else 0.0
    rows = [("done", summary.done), ("skipped (already done)", summary.skipped),
            ("failed", len(summary.failed))]  # fmt: skip
    if summary.stopped:
        rows.append(("not started (stopped)", summary.remaining))
    width = max(len(name) for name, _ in rows)
    lines = ["", f"{'':2}{'status':{width}}  {'images':>7}"]
    lines += [f"{'':2}{name:{width}}  {count:>7}" for name, count in rows]
    lines.append(f"  {summary.seconds:.1f} s on {summary.backend}, {rate:.2f} images/s")
    if summary.failed:
        lines.append("failed:")
        for source, error in summary.failed[:limit]:
            lines.append(f"  {source}: {error}")
        if len(summary.failed) > limit:
            lines.append(f"  ... and {len(summary.failed) - limit} more")
    lines.append(f"manifest: {Path(outdir) / MANIFEST_NAME}")
    return "\n".join(lines)
