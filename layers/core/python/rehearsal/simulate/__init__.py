"""Simulated visitors, scenario specs, sandboxed worlds, fault injection and the simulation driver.

A suite (YAML) names its personas, scenarios and turn-level tests (files or globs), the base world, the
behaviour and gate files, trials, variations and faults. A scenario is a persona with a goal (what they want
and the agent words that mean "done" to them), their side of the world (records patched in, facts they know
and do not know), behaviour policies (withholding, piecemeal answers, pushing back, misunderstanding,
asking for a human, changing their mind, a second issue, going off topic, a prompt injection) and
expectations, each with an id and a criticality. ``specs.load_suite`` reads and checks it all, naming file,
line and path for every problem; ``specs.validate_suite_against_bundle`` checks names against a bundle;
``items.expand`` makes seeded run items; ``driver.Simulator`` plays them against the runtime with the
``agenda`` or ``llm`` visitor and returns ``records.SimulationRecord``.
"""
