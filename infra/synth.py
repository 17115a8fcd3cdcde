"""Synthesize the app in-process (tests, CI): no AWS call, no Docker, optionally no dependency download.

Chalice packaging writes under the working directory and loads the API with the stage's environment
variables set in ``os.environ``; both are restored afterwards so nothing leaks into the caller.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

STACK = "Rehearsal"


def synthesize(outdir: Path, *, bundle_dependencies: bool = False) -> Path:
    """The cloud assembly in ``outdir``; without ``bundle_dependencies`` the dependencies layer is left
    unbundled (it would download wheels). Returns the path of the stack's template."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    import aws_cdk as cdk

    from infra.app import build_app

    previous_cwd, previous_environ = Path.cwd(), dict(os.environ)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # chalice.cdk needs one; nothing calls AWS
    packaging = tempfile.mkdtemp(prefix="chalice-")
    os.chdir(packaging)
    try:
        context: dict[str, object] = {} if bundle_dependencies else {"aws:cdk:bundling-stacks": []}
        build_app(cdk.App(outdir=str(outdir), context=context)).synth()
    finally:
        os.chdir(previous_cwd)
        os.environ.clear()
        os.environ.update(previous_environ)
        shutil.rmtree(packaging, ignore_errors=True)
    return outdir / f"{STACK}.template.json"


@cache
def synthesized_once() -> Path:
    """One synthesis per process, shared by every test that reads the template (it takes seconds); the
    assembly is removed when the process exits."""
    outdir = Path(tempfile.mkdtemp(prefix="cdk.out-"))
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    return synthesize(outdir)
