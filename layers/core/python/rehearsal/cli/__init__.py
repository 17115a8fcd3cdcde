"""Command-line entry points. Commands are thin: they parse options, call the library and print.

``UserError`` is how a command reports a mistake in the user's input: the app prints it in red (with each
problem on its own ``file:line: path: message`` line) and exits with status 2, never with a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class UserError(Exception):
    """A mistake in the user's input or request, with the places it was found."""

    def __init__(self, message: str, details: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)


def print_user_error(error: UserError) -> None:
    err_console.print(f"[bold red]error:[/] {error.message}", markup=True, soft_wrap=True)
    for line in error.details:
        err_console.print(f"  {line}", markup=False, soft_wrap=True)


__all__ = ["UserError", "console", "err_console", "print_user_error"]
