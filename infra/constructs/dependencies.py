"""The dependencies layer, built without Docker: ``pip install --target`` of linux/arm64 wheels at synth.

The build is cached twice: CDK skips bundling when the staged asset for the same requirements already exists
(source hash), and the installed folder is kept under ``build/dependencies-layer/<hash>`` so a clean
``cdk.out`` does not download again.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

LAMBDA_PYTHON_VERSION = "3.12"
LAMBDA_PLATFORM = "manylinux2014_aarch64"


class DependencyBuildError(RuntimeError):
    """pip could not build the layer; the message carries pip's output."""


@jsii.implements(ILocalBundling)
class PipLocalBundler:
    """Installs ``requirements.txt`` for the Lambda platform into ``<output>/python``."""

    def __init__(
        self,
        requirements: Path,
        cache_root: Path,
        *,
        pip: Sequence[str] = (sys.executable, "-m", "pip"),
        extra_args: Sequence[str] = (
            "--platform",
            LAMBDA_PLATFORM,
            "--implementation",
            "cp",
            "--python-version",
            LAMBDA_PYTHON_VERSION,
            "--only-binary=:all:",
        ),
    ) -> None:
        self.requirements = requirements
        self.cache_root = cache_root
        self.pip = list(pip)
        self.extra_args = list(extra_args)

    def cache_dir(self) -> Path:
        digest = hashlib.sha256(self.requirements.read_bytes())
        digest.update("\0".join([*self.extra_args, *PRUNED]).encode())
        return self.cache_root / digest.hexdigest()[:16]

    def try_bundle(self, output_dir: str, *, image: DockerImage, **options: Any) -> bool:
        """Called by CDK instead of Docker; ``image`` and the other Docker options do not apply."""
        cached = self.cache_dir()
        if not cached.is_dir():
            self._install(cached)
        shutil.copytree(cached, output_dir, dirs_exist_ok=True)
        return True

    def _install(self, target: Path) -> None:
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        command = [
            *self.pip,
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(staging / "python"),
            *self.extra_args,
            "-r",
            str(self.requirements),
        ]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise DependencyBuildError(
                f"pip could not build the dependencies layer from {self.requirements}:\n{completed.stderr}"
            )
        _prune(staging / "python")
        staging.rename(target)  # atomic: a half-built folder is never taken for a cache hit


# Installed as dependencies but never imported in a Lambda: boto3/botocore/s3transfer come with the runtime,
# and opensearch-py's gRPC transport (grpcio, protobuf) is unused by its HTTP client. Function + layers must
# stay under Lambda's 250 MB unzipped.
PRUNED = (
    "**/__pycache__",
    "**/tests",
    "boto3",
    "botocore",
    "s3transfer",
    "grpc",
    "google/protobuf",
    "opensearch_protobufs",
)


def _prune(site_packages: Path) -> None:
    """Drop what a Lambda never reads."""
    for pattern in PRUNED:
        for path in site_packages.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def dependencies_layer(
    scope: Construct,
    construct_id: str,
    *,
    requirements_dir: Path,
    cache_root: Path,
    prebuilt_dir: Path | None = None,
) -> lambda_.LayerVersion:
    """A layer from ``prebuilt_dir`` (a folder holding ``python/``) if given, else built from requirements."""
    if prebuilt_dir is not None:
        code = lambda_.Code.from_asset(str(prebuilt_dir))
    else:
        bundler = PipLocalBundler(requirements_dir / "requirements.txt", cache_root)
        code = lambda_.Code.from_asset(
            str(requirements_dir),
            asset_hash_type=AssetHashType.SOURCE,
            bundling=BundlingOptions(
                # Never pulled: the local bundler always succeeds or raises.
                image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.12"),
                local=bundler,
            ),
        )
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=code,
        compatible_architectures=[lambda_.Architecture.ARM_64],
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
        description="Third-party Python packages of the Rehearsal stage functions",
    )
