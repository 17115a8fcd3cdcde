"""The analyst: cited answers to free questions about conversations, from the corpus and run transcripts."""

from rehearsal.analyst.answer import AnalystContext, answer
from rehearsal.analyst.indexing import IndexReport, index_turns
from rehearsal.analyst.models import AnalystError, Citation, CitedAnswer, Claim, Figure, TurnRecord
from rehearsal.analyst.service import AskRequest, ask, open_context

__all__ = [
    "AnalystContext",
    "AnalystError",
    "AskRequest",
    "Citation",
    "CitedAnswer",
    "Claim",
    "Figure",
    "IndexReport",
    "TurnRecord",
    "answer",
    "ask",
    "index_turns",
    "open_context",
]
