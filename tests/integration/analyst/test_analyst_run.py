"""Questions over a rehearsal run's simulated transcripts, next to the historical corpus."""

from __future__ import annotations

import json

from rehearsal.analyst import open_context
from rehearsal.analyst.answer import answer
from rehearsal.analyst.models import Source
from rehearsal.analyst.turns import run_turns
from rehearsal.bundles.loader import load_bundle
from rehearsal.pipeline.archive import RunArchive
from rehearsal.pipeline.events import RunOptions
from rehearsal.pipeline.orchestrator import run_local
from rehearsal.pipeline.planning import plan_run
from rehearsal.settings import Settings
from rehearsal.simulate.specs.loading import load_suite
from rehearsal.storage.factory import build_stores

from ..conftest import BUNDLE_V2, SmallSuite
from .conftest import CORPUS


def _refund_run(settings: Settings, small_suite: SmallSuite) -> str:
    stores = build_stores(settings)
    suite = load_suite(small_suite(("refund_damaged",), trials=1))
    planned = plan_run(load_bundle(BUNDLE_V2), suite, stores, options=RunOptions(trials=1))
    run_local(planned.request, settings, workers=1)
    return planned.request.run_id


def test_a_runs_transcripts_are_indexed_and_cited_with_their_run(
    stored_corpus: Settings, small_suite: SmallSuite
) -> None:
    # Given a finished run of the refund scenario
    stores = build_stores(stored_corpus)
    run_id = _refund_run(stored_corpus, small_suite)

    # When the analyst opens the corpus with the run and is asked about refunds
    context, reports = open_context(CORPUS, stores, settings=stored_corpus, run_id=run_id)
    result = answer("What do customers say about orders that arrived broken?", context, k=20)

    # Then the run's turns are indexed in their own index, and cited as simulated turns of the run
    assert [report.turns > 0 for report in reports] == [True, True]
    simulated = [c for c in result.citations if c.source is Source.SIMULATED]
    assert simulated and all(c.conversation_id.startswith(f"{run_id}/") for c in simulated)
    assert all(c.quote == context.book.cite(c.id).quote for c in result.citations)


def test_simulated_turns_are_de_identified_before_indexing(
    stored_corpus: Settings, small_suite: SmallSuite
) -> None:
    # Given a run whose persona gives a realistic email address
    stores = build_stores(stored_corpus)
    run_id = _refund_run(stored_corpus, small_suite)

    # When its turns are read for the analyst
    texts = " ".join(turn.text for turn in run_turns(run_id, stores))

    # Then the address is replaced by a placeholder
    assert "@example.com" not in texts and "[EMAIL_1]" in texts


def test_an_unreadable_simulation_record_is_skipped(stored_corpus: Settings, small_suite: SmallSuite) -> None:
    # Given a run whose one item's simulation record was damaged in storage
    stores = build_stores(stored_corpus)
    run_id = _refund_run(stored_corpus, small_suite)
    archive = RunArchive(stores)
    [item_id] = [entry["item_id"] for entry in json.loads(archive.read(archive.manifest_key(run_id)))]
    stores.blobs.put(archive.simulation_key(run_id, item_id), b'{"item_id": 7}')

    # When its turns are read / Then the damaged item is skipped rather than failing the whole read
    assert run_turns(run_id, stores) == []
