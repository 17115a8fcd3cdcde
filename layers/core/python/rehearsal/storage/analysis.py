"""Text analysis shared by the search adapters.

``analyze`` is the local twin of the OpenSearch analyzer in ``OPENSEARCH_ANALYSIS``: Unicode word
tokens (inner apostrophes kept), English possessives stripped, lower-cased, Lucene's English stop words
removed, and plurals folded by the minimal English ("S") stemmer. Both adapters therefore match the same
words, and BM25 ranks alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

ANALYZER_NAME = "rehearsal_text"

OPENSEARCH_ANALYSIS: dict[str, Any] = {
    "filter": {
        "rehearsal_possessive": {"type": "stemmer", "language": "possessive_english"},
        "rehearsal_stop": {"type": "stop", "stopwords": "_english_"},
        "rehearsal_plural": {"type": "stemmer", "language": "minimal_english"},
    },
    "analyzer": {
        ANALYZER_NAME: {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["rehearsal_possessive", "lowercase", "rehearsal_stop", "rehearsal_plural"],
        }
    },
}

# Lucene's English stop set, the one OpenSearch's "_english_" names.
ENGLISH_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)

_WORD = re.compile(r"\w+(?:['’]\w+)*")


def analyze(text: str) -> list[str]:
    """The index terms of ``text``, in order, repeats kept (BM25 counts them)."""
    terms = (_term(token) for token in _WORD.findall(unicodedata.normalize("NFKC", text)))
    return [term for term in terms if term]


@lru_cache(maxsize=1 << 17)
def _term(token: str) -> str:
    word = token.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word in ENGLISH_STOP_WORDS:
        return ""
    return minimal_english_stem(word)


def minimal_english_stem(word: str) -> str:
    """Fold English plurals the way Lucene's EnglishMinimalStemmer (Harman's S-stemmer) does."""
    if len(word) < 3 or word[-1] != "s" or word[-2] in "us":
        return word
    if word[-2] == "e":
        if len(word) > 3 and word[-3] == "i" and word[-4] not in "ae":
            return word[:-3] + "y"  # queries → query
        if word[-3] in "iaoe":
            return word  # shoes, does, sees
    return word[:-1]  # refunds → refund, charges → charge
