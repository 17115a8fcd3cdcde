"""The ``rehearsal`` command. Each area registers its sub-app or command here with one line."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from rehearsal import __version__
from rehearsal.cli import UserError, console, print_user_error


class _Group(TyperGroup):
    """Turns a ``UserError`` raised by any command into a readable message and exit status 2."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors its own click Context type
        try:
            return super().invoke(ctx)
        except UserError as error:
            print_user_error(error)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_Group,
    name="rehearsal",
    help="From historical transcripts to a tested, released and monitored customer-service agent.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        console.print(f"rehearsal {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Rehearsal: agent bundles, rehearsal runs, insights and monitoring."""


# Sub-apps and commands, one line each.
from rehearsal.cli.bundle import app as bundle_app  # noqa: E402

app.add_typer(bundle_app)

from rehearsal.cli.insights import app as insights_app  # noqa: E402

app.add_typer(insights_app)

from rehearsal.cli.serve import serve  # noqa: E402

app.command()(serve)

from rehearsal.cli.chat import chat  # noqa: E402

app.command()(chat)

from rehearsal.cli.run import compare_command, gate_command, report_command, run_command  # noqa: E402

app.command("run")(run_command)
app.command("report")(report_command)
app.command("compare")(compare_command)
app.command("gate")(gate_command)

from rehearsal.cli.questions import questions_command  # noqa: E402

app.command("questions")(questions_command)

from rehearsal.cli.demo import demo_command  # noqa: E402

app.command("demo")(demo_command)

from rehearsal.cli.suite import app as suite_app  # noqa: E402

app.add_typer(suite_app)

from rehearsal.cli.ask import ask_command  # noqa: E402

app.command("ask")(ask_command)

from rehearsal.cli.monitor import monitor_command  # noqa: E402

app.command("monitor")(monitor_command)
