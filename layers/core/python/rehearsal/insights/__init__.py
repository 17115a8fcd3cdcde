"""Insights: from historical transcripts to contact reasons, flows, draft bundles and simulated visitors.

Sub-packages: ``ingest`` (importers, quarantine), ``embeddings`` (port and providers), ``topics`` (discovery,
labels, metrics, incremental assignment), ``flows`` (automation discovery). ``deid`` runs before anything is
stored and ``corpus`` is where the de-identified conversations live.
"""
