"""Files of a topics run: ``topics.json`` (the model) and ``assignments.jsonl`` (id and topic per line)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from rehearsal.insights.topics.cluster import TopicsError
from rehearsal.insights.topics.models import Assignment, TopicModel

TOPICS_FILE = "topics.json"
ASSIGNMENTS_FILE = "assignments.jsonl"


def write_topics(out: Path, model: TopicModel, assignments: Sequence[Assignment]) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    topics_path, assignments_path = out / TOPICS_FILE, out / ASSIGNMENTS_FILE
    topics_path.write_text(model.model_dump_json(indent=2), encoding="utf-8")
    with assignments_path.open("w", encoding="utf-8") as handle:
        for assignment in assignments:
            handle.write(assignment.model_dump_json() + "\n")
    return topics_path, assignments_path


def read_topic_model(path: Path) -> TopicModel:
    if path.is_dir():
        path = path / TOPICS_FILE
    if not path.is_file():
        raise TopicsError(f"{path}: no such file (run `rehearsal insights topics ... --out DIR` first)")
    try:
        return TopicModel.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as error:
        first = error.errors(include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise TopicsError(f"{path}: {where}: {first['msg']}") from None
