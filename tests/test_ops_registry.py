"""The operation registry: one spec per operation, read by the engine, the CLI and the docs."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from editor.cli import build_parser, command_lines
from editor.ops import registry
from editor.ops.spec import NoParams, Operation, ResultKind, add_arguments, params_from_args

ROOT = Path(__file__).resolve().parents[1]


def test_ids_and_requests_are_unique_and_lookups_find_them():
    ids = [op.id for op in registry.OPERATIONS]
    assert len(ids) == len(set(ids))
    for op in registry.OPERATIONS:
        assert registry.operation(op.id) is op
        assert callable(registry.run_function(op))
    with pytest.raises(KeyError, match="known"):
        registry.operation("nope")
    twice = Operation("x", "X", "x", "m:f", "XRequest", command=False)
    with pytest.raises(ValueError, match="id"):
        registry.check_unique((twice, twice))


def test_the_engine_finds_the_run_of_a_request_through_the_registry(photo):
    import numpy as np

    from editor.engine.requests import InpaintRequest
    from editor.engine.run import runner_for

    mask = np.zeros(photo.shape[:2], np.uint8)
    request = InpaintRequest(photo, mask)
    assert runner_for(request) is registry.run_function(registry.operation("inpaint"))
    with pytest.raises(TypeError, match="no operation runs"):
        runner_for(object())


def test_params_build_cli_options_and_read_them_back():
    import argparse

    for op in registry.commands():
        parser = argparse.ArgumentParser()
        add_arguments(parser, op.params)
        params = params_from_args(op.params, parser.parse_args([]))
        assert params == op.params()  # the CLI's defaults are the dialog's defaults
    for op in registry.OPERATIONS:
        assert dataclasses.is_dataclass(op.params) and op.params.__dataclass_params__.frozen
        fields = dataclasses.fields(op.params)
        assert op.params is NoParams or all(item.metadata["help"] for item in fields)


def test_an_option_out_of_range_is_refused_by_name():
    args = build_parser().parse_args(["denoise", "a.png", "-o", "b.png", "--strength", "90"])
    with pytest.raises(ValueError, match="--strength must be between 0 and 75"):
        params_from_args(registry.operation("denoise").params, args)


def test_help_readme_and_parser_list_every_command_of_the_registry():
    names = [name for name, _ in command_lines()]
    assert [op.id for op in registry.commands()] == names[: len(registry.commands())]
    parser = build_parser()
    assert list(parser._subparsers._group_actions[0].choices) == names  # noqa: SLF001
    done = subprocess.run([sys.executable, "-m", "editor", "--help"], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = dict(re.findall(r"^  (\S+)\s+(.+)$", done.stdout, re.MULTILINE))
    assert {name: listed.get(name) for name in names} == dict(command_lines())
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in names if not re.search(rf"^retouch {name}\b", readme, re.M)]
    assert not missing, f"README.md does not show: {missing}"


def test_every_result_kind_of_a_command_is_an_image():
    for op in registry.commands():
        assert op.result in (ResultKind.PATCH, ResultKind.IMAGE, ResultKind.RESAMPLE)
        assert op.build is not None
