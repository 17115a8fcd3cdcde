"""Simulated visitors, scenario specs, sandboxed worlds, fault injection and the simulation driver."""
