"""Synthesize the CDK app once per session (jsii start-up and Chalice packaging take seconds)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .synthesis import Synthesized


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    import aws_cdk as cdk

    from infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    workdir = tmp_path_factory.mktemp("chalice")
    previous_cwd = Path.cwd()
    previous_region = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"  # chalice.cdk needs a region; nothing calls AWS
    os.chdir(workdir)  # chalice.cdk writes its packages under the working directory
    try:
        # Bundling skipped: the dependencies layer would download wheels (tested on its own).
        app = cdk.App(outdir=str(outdir), context={"aws:cdk:bundling-stacks": []})
        assembly = build_app(app).synth()
        template = assembly.get_stack_by_name("Rehearsal").template
        yield Synthesized(outdir=outdir, template=template)
    finally:
        os.chdir(previous_cwd)
        if previous_region is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous_region
