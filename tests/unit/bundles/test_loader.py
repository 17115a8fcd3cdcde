from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from rehearsal.bundles import BundleValidationError, load_bundle, parse_bundle


def problem_lines(text: str, filename: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(BundleValidationError) as raised:
        parse_bundle(text, filename=filename)
    return [(problem.line, problem.path, problem.message) for problem in raised.value.problems]


def test_load_bundle_reads_a_file_and_records_its_folder(tmp_path: Path, valid_yaml: str) -> None:
    # Given
    file = tmp_path / "shop.yaml"
    file.write_text(valid_yaml)
    # When
    loaded = load_bundle(file)
    # Then
    assert (loaded.name, loaded.source_dir) == ("shop", tmp_path.resolve())
    assert len(loaded.version) == 64


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    # Given
    missing = tmp_path / "nope.yaml"
    # When
    with pytest.raises(BundleValidationError) as raised:
        load_bundle(missing)
    # Then
    assert str(missing) in str(raised.value)
    assert "cannot read the bundle" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "filename", "line", "fragment"),
    [
        ("metadata:\n  name: [shop\nagents: []\n", "b.yaml", 3, "not valid YAML"),
        ("metadata:\n\tname: shop\n", "b.yaml", 2, "not valid YAML"),
        ('{\n  "metadata": {"name": "shop"},\n  "agents": [,]\n}', "b.json", 3, "not valid JSON"),
        ('{\n  "metadata": {"name": "shop"}\n  "agents": []\n}', "b.json", 3, "not valid JSON"),
    ],
    ids=["yaml-unclosed-flow", "yaml-tab", "json-stray-comma", "json-missing-comma"],
)
def test_syntax_errors_name_their_line(text: str, filename: str, line: int, fragment: str) -> None:
    # Given / When
    [(found_line, _, message)] = problem_lines(text, filename)
    # Then
    assert (found_line, fragment in message) == (line, True)


def test_duplicate_yaml_keys_are_reported(valid_yaml: str) -> None:
    # Given
    text = valid_yaml.replace(
        "  description: A small shop.\n", "  description: A small shop.\n  name: other\n"
    )
    # When
    problems = problem_lines(text, "shop.yaml")
    # Then
    assert (4, "metadata.name", "duplicate key 'name'") in problems


def test_duplicate_json_keys_are_reported(valid_yaml: str) -> None:
    # Given
    text = json.dumps(yaml.safe_load(valid_yaml), indent=2).replace(
        '"name": "shop",', '"name": "shop",\n    "name": "shop",', 1
    )
    # When
    problems = problem_lines(text, "shop.json")
    # Then
    assert (4, "metadata.name", "duplicate key 'name'") in problems


def test_a_schema_problem_carries_its_yaml_line(valid_yaml: str) -> None:
    # Given
    text = valid_yaml.replace("    binding: {kind: lambda,", "    binding: {kind: ftp,")
    line = next(number for number, row in enumerate(text.splitlines(), 1) if "kind: ftp" in row)
    # When
    problems = problem_lines(text, "shop.yaml")
    # Then
    assert [(found, path) for found, path, _ in problems] == [(line, "tools[2].binding.kind")]


def test_format_is_sniffed_without_a_known_suffix(valid_yaml: str) -> None:
    # Given
    text = json.dumps(yaml.safe_load(valid_yaml))
    # When
    loaded = parse_bundle(text, filename="<stdin>")
    # Then
    assert loaded.name == "shop"
