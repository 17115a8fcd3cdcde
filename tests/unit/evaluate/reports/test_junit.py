from __future__ import annotations

import xml.etree.ElementTree as ET

from rehearsal.evaluate.reports import render_junit

from .fixtures import report

# Attributes the common JUnit schema (Jenkins junit-10.xsd, which CI systems read) allows on each element.
ALLOWED = {
    "testsuites": {"name", "time", "tests", "failures", "disabled", "errors"},
    "testsuite": {
        "name",
        "tests",
        "failures",
        "errors",
        "time",
        "disabled",
        "skipped",
        "timestamp",
        "hostname",
        "id",
        "package",
        "file",
        "log",
        "url",
        "version",
    },
    "properties": set(),
    "property": {"name", "value"},
    "testcase": {
        "name",
        "assertions",
        "time",
        "classname",
        "status",
        "class",
        "file",
        "line",
        "log",
        "group",
        "url",
    },
    "failure": {"message", "type"},
    "error": {"message", "type"},
    "skipped": {"message"},
}
CHILDREN = {
    "testsuites": {"testsuite"},
    "testsuite": {"properties", "testcase", "system-out", "system-err"},
    "properties": {"property"},
    "property": set(),
    "testcase": {"skipped", "error", "failure", "system-out", "system-err"},
    "failure": set(),
    "error": set(),
    "skipped": set(),
}


def _parse() -> ET.Element:
    return ET.fromstring(render_junit(report()))


def test_the_junit_file_has_a_suite_per_scenario_and_one_for_the_gates():
    # Given / When
    root = _parse()

    # Then
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root.findall("testsuite")] == ["acme.angry", "acme.refund", "acme.gates"]
    assert all(case.get("name") and case.get("classname") for case in root.iter("testcase"))


def test_verdicts_map_to_failure_error_and_skipped_with_counts_that_add_up():
    root = _parse()
    refund, angry = root.find("testsuite[@name='acme.refund']"), root.find("testsuite[@name='acme.angry']")
    assert (refund.get("tests"), refund.get("failures"), refund.get("errors")) == ("2", "1", "0")
    assert (angry.get("errors"), angry.get("skipped")) == ("1", "1")
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in root.findall("testsuite"))
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in root.findall("testsuite"))


def test_a_failure_names_the_failed_requirements_and_quotes_the_evidence():
    failure = _parse().find("testsuite[@name='acme.refund']/testcase[@name='refund/v0/t1']/failure")
    assert failure.get("message").startswith("behaviour:verified_identity_before_account_change (critical)")
    assert "turn 1 (call0): Done, refunded." in failure.text
    assert "end state: orders.A1002.status = 'refunded'" in failure.text


def test_a_failed_gate_is_a_failing_test_case_so_ci_goes_red():
    gates = _parse().find("testsuite[@name='acme.gates']")
    failing = [case.get("name") for case in gates.findall("testcase") if case.find("failure") is not None]
    assert failing == ["min_pass_rate", "max_critical_failures", "max_errored"]
    assert gates.get("failures") == "3"


def test_the_file_uses_only_elements_and_attributes_of_the_common_junit_schema():
    for element in _parse().iter():
        assert element.tag in ALLOWED, element.tag
        assert set(element.attrib) <= ALLOWED[element.tag], (element.tag, element.attrib)
        assert {child.tag for child in element} <= CHILDREN[element.tag], element.tag
    for suite in _parse().findall("testsuite"):
        children = [child.tag for child in suite]
        assert children.index("properties") == 0 if "properties" in children else True
