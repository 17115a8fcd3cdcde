"""JUnit XML so a CI job can gate on a run: one test suite per scenario (a test case per item) and one for
the release gates (a test case per gate). Failures carry the failed requirements with their evidence."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from rehearsal.evaluate.reports.model import RunReport
from rehearsal.evaluate.results import CheckResult, ItemResult, Verdict


def render_junit(report: RunReport) -> str:
    root = ET.Element("testsuites", name=f"rehearsal {report.suite_name} on {report.bundle_name}")
    by_scenario: dict[str, list[ItemResult]] = defaultdict(list)
    for item in report.items:
        by_scenario[item.scenario_id].append(item)
    for scenario_id in sorted(by_scenario):
        _suite(root, f"{report.suite_name}.{scenario_id}", report, by_scenario[scenario_id])
    if report.gate is not None:
        _gates(root, report)
    _totals(root, root.findall("testsuite"))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(root: ET.Element, name: str, report: RunReport, items: list[ItemResult]) -> None:
    suite = ET.SubElement(
        root, "testsuite", name=name, timestamp=report.created_at.isoformat(timespec="seconds")
    )
    properties = ET.SubElement(suite, "properties")
    for key, value in (("bundle_version", report.bundle_version), ("suite_hash", report.suite_hash)):
        ET.SubElement(properties, "property", name=key, value=value)
    for item in items:
        case = ET.SubElement(
            suite, "testcase", classname=name, name=item.item_id, time=f"{item.latency_ms / 1000:.3f}"
        )
        if item.verdict is Verdict.FAIL:
            failures = item.failures
            message = (
                "; ".join(f"{c.requirement_id} ({c.criticality.value})" for c in failures) or item.rationale
            )
            failure = ET.SubElement(case, "failure", message=message, type="requirement")
            failure.text = "\n".join(_describe(check) for check in failures) or item.rationale
        elif item.verdict is Verdict.ERRORED:
            error = ET.SubElement(case, "error", message=item.rationale, type="errored")
            error.text = item.error or item.rationale
        elif item.verdict is Verdict.INCONCLUSIVE_SIMULATOR:
            ET.SubElement(case, "skipped", message=f"inconclusive (simulator): {item.rationale}")
    _totals(suite, suite.findall("testcase"))


def _gates(root: ET.Element, report: RunReport) -> None:
    assert report.gate is not None
    suite = ET.SubElement(root, "testsuite", name=f"{report.suite_name}.gates")
    for outcome in report.gate.outcomes:
        case = ET.SubElement(
            suite, "testcase", classname=f"{report.suite_name}.gates", name=outcome.gate, time="0"
        )
        if not outcome.passed:
            ET.SubElement(case, "failure", message=outcome.message, type="gate").text = outcome.message
    _totals(suite, suite.findall("testcase"))


def _describe(check: CheckResult) -> str:
    lines = [f"[{check.criticality.value}] {check.requirement_id}: {check.rationale}"]
    for evidence in check.evidence:
        where = f"turn {evidence.turn}" if evidence.turn is not None else "end state"
        call = f" ({evidence.tool_call_id})" if evidence.tool_call_id else ""
        lines.append(f"    {where}{call}: {evidence.quote}")
    return "\n".join(lines)


def _totals(element: ET.Element, children: list[ET.Element]) -> None:
    """Counts on a testsuite (from its test cases) or on testsuites (from its suites), as the common JUnit
    schema names them (``skipped`` exists only on a testsuite)."""
    if element.tag == "testsuite":
        counts = {
            "tests": len(children),
            "failures": sum(1 for c in children if c.find("failure") is not None),
            "errors": sum(1 for c in children if c.find("error") is not None),
            "skipped": sum(1 for c in children if c.find("skipped") is not None),
        }
    else:
        counts = {key: sum(int(c.get(key, "0")) for c in children) for key in ("tests", "failures", "errors")}
    for key, value in counts.items():
        element.set(key, str(value))
    element.set("time", f"{sum(float(c.get('time', '0')) for c in children):.3f}")
