"""The HTML report built from the archive: a fixed version compared with the flawed one it replaces."""

from __future__ import annotations

import re

from rehearsal.bundles.loader import load_bundle
from rehearsal.pipeline.events import RunOptions
from rehearsal.pipeline.orchestrator import run_local
from rehearsal.pipeline.planning import plan_run
from rehearsal.pipeline.reporting import build_report, render_report_html
from rehearsal.settings import Settings
from rehearsal.simulate.specs.loading import load_suite
from rehearsal.storage.factory import build_stores

from ..conftest import BUNDLE_V1, BUNDLE_V2, SmallSuite


def test_the_compare_view_shows_the_verification_only_the_fixed_version_made(
    tmp_settings: Settings, small_suite: SmallSuite
) -> None:
    # Given the flawed v1 and the fixed v2 rehearsed on the damaged-item refund
    suite = load_suite(small_suite(("refund_damaged",), trials=1))
    stores = build_stores(tmp_settings)
    runs = []
    for bundle in (BUNDLE_V1, BUNDLE_V2):
        planned = plan_run(load_bundle(bundle), suite, stores, options=RunOptions(trials=1))
        run_local(planned.request, tmp_settings, workers=1)
        runs.append(planned.request.run_id)

    # When v2's report is built against v1 and rendered
    html = render_report_html(build_report(runs[1], stores, compare_with=runs[0]), stores)

    # Then the side-by-side transcripts carry both runs' tool calls, v2's identity check marked as new
    diff = html.split('id="diff-refund_damaged/v000/t00"', 1)[1].split("</details>", 1)[0]
    calls = re.findall(r'<span class="call ([^"]*)">⚙ <code>(\w+)\(', diff)
    assert ("ok changed", "verify_identity") in calls
    assert ("ok", "refund_order") in calls  # both versions refunded: not marked
