"""Rehearsal: take a customer-service AI agent from historical transcripts to a tested, released and
monitored agent."""

__version__ = "0.1.0"
