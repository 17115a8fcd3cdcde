"""CDK app that deploys Rehearsal on AWS. Run from the repository root: ``python -m infra.app``."""
