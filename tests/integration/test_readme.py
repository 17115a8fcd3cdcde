"""The README's "The loop, by hand" commands, run as written on the example, with the exit codes it documents.

Each ``rehearsal …`` line of the section's fenced block runs through the CLI app in a scratch folder that sees
``examples/`` (so relative paths and ``out.xml`` behave as in a checkout). ``chat`` and ``serve`` are
interactive and skipped. A line's ``# exits N`` comment is the exit code it must give (0 otherwise), and a
``<vN run id>`` placeholder becomes the id of the run the earlier ``rehearsal run`` of that version started.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearsal.cli.main import app
from rehearsal.pipeline.archive import RunArchive
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## The loop, by hand"
INTERACTIVE = {"chat", "serve"}
PLACEHOLDER = re.compile(r"<(v\d+) run id>")


@dataclass(frozen=True)
class Command:
    line: str
    exit_code: int

    def argv(self, run_ids: dict[str, str] | None = None) -> list[str]:
        """The arguments after ``rehearsal``, placeholders replaced by the run ids known so far."""
        line = PLACEHOLDER.sub(lambda match: (run_ids or {}).get(match.group(1), match.group(0)), self.line)
        program, *arguments = shlex.split(line, comments=True)
        assert program == "rehearsal", self.line
        return arguments


def loop_commands(readme: str) -> list[Command]:
    """The section's first fenced block, one command a line; comments hold the documented exit code."""
    assert SECTION in readme, f"README.md has no section {SECTION!r}"
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1].split("\n", 1)[1]
    commands = []
    for line in block.splitlines():
        if not line.strip():
            continue
        exits = re.search(r"#.*\bexits (\d+)", line)
        commands.append(Command(line, int(exits.group(1)) if exits else 0))
    return commands


def _version(argv: list[str]) -> str | None:
    """Which example version a ``run`` rehearses: ``bundle.v1.yaml`` or ``name@v2``."""
    match = re.search(r"(?:bundle\.|@)(v\d+)\b", argv[1])
    return match.group(1) if match else None


def test_the_loop_by_hand_runs_as_the_readme_says(
    tmp_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the README's commands and a scratch folder where examples/ is where the README expects it
    commands = loop_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    (workdir / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(workdir)
    archive = RunArchive(build_stores(tmp_settings))
    runner = CliRunner()
    run_ids: dict[str, str] = {}
    ran = []

    for command in commands:
        argv = command.argv(run_ids)
        if argv[0] in INTERACTIVE:
            continue
        before = {run.run_id for run in archive.list_runs("acme-retail")}

        # When it runs
        result = runner.invoke(app, argv, input="")

        # Then it exits as documented, and a run's id is kept for the commands that name it
        assert result.exit_code == command.exit_code, f"{command.line}\n{result.output}"
        if argv[0] == "run":
            (started,) = {run.run_id for run in archive.list_runs("acme-retail")} - before
            run_ids[_version(argv) or started] = started
        ran.append(argv[0])

    assert {"bundle", "run", "compare", "questions"} <= set(ran)
    assert (workdir / "out.xml").is_file()  # --junit out.xml lands where the README is run from


def test_the_readme_block_documents_that_the_flawed_version_fails_its_gates() -> None:
    commands = loop_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    runs = {_version(c.argv()): c.exit_code for c in commands if c.argv()[0] == "run"}
    assert runs == {"v1": 1, "v2": 0}
