"""The turn book: every turn the analyst may cite, by id. Citations are made here and only here, from the
stored turns themselves, so each one names a real turn and quotes it verbatim."""

from __future__ import annotations

from collections.abc import Iterable

from rehearsal.analyst.models import CITATION, Citation, TurnRecord


class TurnBook:
    def __init__(self, turns: Iterable[TurnRecord]) -> None:
        self._turns = {turn.id: turn for turn in turns}

    def __contains__(self, turn_id: object) -> bool:
        return turn_id in self._turns

    def __len__(self) -> int:
        return len(self._turns)

    def get(self, turn_id: str) -> TurnRecord | None:
        return self._turns.get(turn_id)

    def cite(self, turn_id: str) -> Citation:
        """Raises ``KeyError`` for an id that names no turn: callers validate before citing."""
        turn = self._turns[turn_id]
        return Citation(
            id=turn.id,
            conversation_id=turn.conversation_id,
            turn=turn.turn,
            speaker=turn.speaker,
            quote=turn.text,
            outcome=turn.outcome,
            source=turn.source,
        )

    def citations(self, turn_ids: Iterable[str]) -> list[Citation]:
        """Citations of the known ids, once each, in first-mention order."""
        return [self.cite(turn_id) for turn_id in dict.fromkeys(turn_ids) if turn_id in self._turns]


def cited_ids(text: str) -> list[str]:
    return CITATION.findall(text)
