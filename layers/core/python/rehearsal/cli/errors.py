"""User mistakes in files and requests become ``UserError``s with every problem's place, never tracebacks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rehearsal.bundles.problems import BundleValidationError
from rehearsal.bundles.store import BundleStoreError
from rehearsal.cli import UserError
from rehearsal.simulate.specs.errors import SpecValidationError


def _problems(count: int) -> str:
    return f"{count} problem{'s' if count != 1 else ''}"


@contextmanager
def user_errors(*also: type[Exception]) -> Iterator[None]:
    """Invalid bundles and suites, impossible store requests, and the ``also`` exception types (their message
    is the whole story) are reported to the user."""
    plain: Sequence[type[Exception]] = (BundleStoreError, *also)
    try:
        yield
    except BundleValidationError as error:
        raise UserError(
            f"invalid bundle: {_problems(len(error.problems))}", map(str, error.problems)
        ) from None
    except SpecValidationError as error:
        raise UserError(f"{_problems(len(error.problems))} found", map(str, error.problems)) from None
    except tuple(plain) as error:
        raise UserError(str(error).strip("'\"")) from None
