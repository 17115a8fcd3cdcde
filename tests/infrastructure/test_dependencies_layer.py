"""The dependencies layer's local bundler: pip into ``python/``, pruned, cached, with pip's errors surfaced.

Offline: the requirement is a tiny local package and pip runs with ``--no-index``."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.constructs.dependencies import DependencyBuildError, PipLocalBundler

from . import synthesis  # noqa: F401  (puts the repository root, and so ``infra``, on the path)

OFFLINE = ("--no-index", "--no-deps", "--no-build-isolation")


def _local_package(root: Path) -> Path:
    package = root / "tinypkg"
    (package / "tinypkg" / "tests").mkdir(parents=True)
    (package / "tinypkg" / "__init__.py").write_text("VALUE = 1\n")
    (package / "tinypkg" / "tests" / "test_it.py").write_text("")
    (package / "setup.py").write_text(
        "from setuptools import setup\nsetup(name='tinypkg', version='1.0', packages=['tinypkg'])\n"
    )
    return package


def _requirements(root: Path, line: str) -> Path:
    path = root / "requirements.txt"
    path.write_text(line + "\n")
    return path


def test_bundles_requirements_into_the_layer_python_folder_without_tests(tmp_path: Path) -> None:
    # Given a requirements file naming a local package
    requirements = _requirements(tmp_path, str(_local_package(tmp_path)))
    bundler = PipLocalBundler(requirements, tmp_path / "cache", extra_args=OFFLINE)
    output = tmp_path / "out"

    # When bundling
    assert bundler.try_bundle(str(output), image=None)  # type: ignore[arg-type]

    # Then the package is importable from python/ and its tests are pruned
    assert (output / "python" / "tinypkg" / "__init__.py").read_text() == "VALUE = 1\n"
    assert not (output / "python" / "tinypkg" / "tests").exists()


def test_second_bundle_reuses_the_cache_without_running_pip(tmp_path: Path) -> None:
    # Given a bundle built once
    requirements = _requirements(tmp_path, str(_local_package(tmp_path)))
    PipLocalBundler(requirements, tmp_path / "cache", extra_args=OFFLINE).try_bundle(
        str(tmp_path / "first"),
        image=None,  # type: ignore[arg-type]
    )

    # When bundling again with a pip that would fail if it ran
    failing = PipLocalBundler(requirements, tmp_path / "cache", pip=["false"], extra_args=OFFLINE)
    failing.try_bundle(str(tmp_path / "second"), image=None)  # type: ignore[arg-type]

    # Then the cached install is copied
    assert (tmp_path / "second" / "python" / "tinypkg" / "__init__.py").exists()


def test_changed_requirements_get_a_new_cache_entry(tmp_path: Path) -> None:
    requirements = _requirements(tmp_path, "a==1")
    bundler = PipLocalBundler(requirements, tmp_path / "cache", extra_args=OFFLINE)
    before = bundler.cache_dir()

    requirements.write_text("a==2\n")

    assert bundler.cache_dir() != before


def test_pip_failure_raises_with_pips_message_and_leaves_no_cache(tmp_path: Path) -> None:
    # Given a requirement that cannot be found offline
    requirements = _requirements(tmp_path, "no-such-package-anywhere==0.0.1")
    bundler = PipLocalBundler(requirements, tmp_path / "cache", extra_args=OFFLINE)

    # When bundling / Then the error names the requirements file and carries pip's output
    with pytest.raises(DependencyBuildError, match=r"requirements\.txt") as raised:
        bundler.try_bundle(str(tmp_path / "out"), image=None)  # type: ignore[arg-type]
    assert "no-such-package-anywhere" in str(raised.value)
    assert not bundler.cache_dir().exists()
