"""Adapters from the runtime to external services (the only modules that hold SDK clients)."""
