"""Agent bundles: an agent as versioned configuration — schema, loading with every problem's place,
content-addressed versions, diff, a store with promote / rollback, and A/B splits."""

from rehearsal.bundles.loader import LoadedBundle, bundle_from_data, load_bundle, parse_bundle
from rehearsal.bundles.problems import BundleValidationError, Problem
from rehearsal.bundles.versioning import bundle_version, canonical_json

__all__ = [
    "BundleValidationError",
    "LoadedBundle",
    "Problem",
    "bundle_from_data",
    "bundle_version",
    "canonical_json",
    "load_bundle",
    "parse_bundle",
]
