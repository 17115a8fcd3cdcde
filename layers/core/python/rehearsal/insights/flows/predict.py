"""Next agent step from context: the previous two steps, the customer's last words and the last tool result.

Used to measure how predictable a group's procedure is, and as the first-order baseline it is compared with.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from rehearsal.insights.flows.models import START, LabelledConversation, StepEvent, StepKind

T = TypeVar("T")


def split_train_test(items: Sequence[T], *, train_share: float, seed: int) -> tuple[list[T], list[T]]:
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)
    cut = round(len(shuffled) * train_share)
    return shuffled[:cut], shuffled[cut:]


def _targets(conversation: LabelledConversation) -> list[int]:
    """Every step is predicted: what the agent says and which tool it calls."""
    return list(range(len(conversation.events)))


def _context(events: Sequence[StepEvent], position: int) -> dict[str, float]:
    before = events[:position]
    says = [e.step for e in before if e.kind is StepKind.SAY]
    last = before[-1] if before else None
    features = {
        f"prev={last.step if last else START}": 1.0,
        f"prev2={before[-2].step if len(before) > 1 else START}": 1.0,
        f"say={says[-1] if says else START}": 1.0,
        f"say2={says[-1] if says else START}>{says[-2] if len(says) > 1 else START}": 1.0,
        f"position={min(len(says), 12)}": 1.0,
        "customer_spoke": float(bool(events[position].customer_before)),
    }
    if last is not None and last.kind is StepKind.CALL:
        features[f"result={last.result}"] = 1.0
    features.update({f"seen={step}": 1.0 for step in set(says)})
    return features


@dataclass
class NextStepModel:
    """Multinomial logistic regression over context features and the customer's words."""

    c: float = 5.0
    """Inverse regularisation, chosen on validation splits of STAR training dialogues (never test ones)."""
    seed: int = 0
    _context: DictVectorizer = field(default_factory=DictVectorizer, init=False)
    _words: TfidfVectorizer = field(
        default_factory=lambda: TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), init=False
    )
    _model: LogisticRegression | None = field(default=None, init=False)
    _constant: str | None = field(default=None, init=False)

    def fit(self, conversations: Sequence[LabelledConversation]) -> NextStepModel:
        contexts, texts, targets = self._examples(conversations)
        if not targets:
            raise ValueError("no agent steps to learn from")
        if len(set(targets)) == 1:
            self._constant = targets[0]
            return self
        features = hstack([self._context.fit_transform(contexts), self._fit_words(texts)]).tocsr()
        self._model = LogisticRegression(C=self.c, max_iter=2000, random_state=self.seed)
        self._model.fit(features, targets)
        return self

    def _fit_words(self, texts: list[str]) -> csr_matrix:
        try:
            return csr_matrix(self._words.fit_transform(texts))
        except ValueError:  # no word occurs twice: the customer's words carry no signal here
            self._words = TfidfVectorizer(min_df=1)
            return csr_matrix(self._words.fit_transform([*texts, "placeholder"])[:-1])

    @staticmethod
    def _examples(
        conversations: Sequence[LabelledConversation],
    ) -> tuple[list[dict[str, float]], list[str], list[str]]:
        contexts, texts, targets = [], [], []
        for conversation in conversations:
            for position in _targets(conversation):
                contexts.append(_context(conversation.events, position))
                texts.append(conversation.events[position].customer_before)
                targets.append(conversation.events[position].step)
        return contexts, texts, targets

    def predict(self, conversations: Sequence[LabelledConversation]) -> list[str]:
        """The predicted step at each step of each conversation, in order, from what came before it."""
        contexts, texts, _ = self._examples(conversations)
        if not contexts:
            return []
        if self._model is None:
            if self._constant is None:
                raise ValueError("the model is not fitted")
            return [self._constant] * len(contexts)
        features = hstack([self._context.transform(contexts), self._words.transform(texts)]).tocsr()
        return [str(label) for label in self._model.predict(features)]

    def accuracy(self, conversations: Sequence[LabelledConversation]) -> float:
        _, _, truth = self._examples(conversations)
        predicted = self.predict(conversations)
        return float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)])) if truth else 0.0


def first_order_accuracy(
    train: Sequence[LabelledConversation], test: Sequence[LabelledConversation]
) -> float:
    """Baseline: after each step, predict the step that most often followed it in training."""
    following: dict[str, Counter[str]] = {}
    overall: Counter[str] = Counter()
    for conversation in train:
        for previous, step in itertools.pairwise([START, *conversation.steps]):
            following.setdefault(previous, Counter())[step] += 1
            overall[step] += 1
    hits = total = 0
    for conversation in test:
        for previous, step in itertools.pairwise([START, *conversation.steps]):
            guess = (following.get(previous) or overall).most_common(1)[0][0]
            hits += guess == step
            total += 1
    return hits / total if total else 0.0


def predictability(
    conversations: Sequence[LabelledConversation], *, seed: int = 0, min_conversations: int = 20
) -> float | None:
    """How scripted a group's procedure is: held-out accuracy of predicting each step from the one before.

    The first-order measure costs one pass over the steps, so it runs on every group of any size (the
    context model above predicts better, and is what the STAR benchmark measures). None for groups too small
    to hold some out.
    """
    if len(conversations) < min_conversations:
        return None
    train, test = split_train_test(conversations, train_share=0.7, seed=seed)
    return round(first_order_accuracy(train, test), 4)
