"""Visitor engines behind one interface: ``agenda`` (seeded, offline) and ``llm`` (persona prompt)."""
