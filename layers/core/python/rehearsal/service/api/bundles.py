"""Bundle routes: push, list, get, diff, promote, roll back, split traffic."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.bundles.diff import BundleDiff
from rehearsal.bundles.loader import LoadedBundle, bundle_from_data, parse_bundle
from rehearsal.bundles.store import LIVE, BundleRef, LivePointer
from rehearsal.service.api.context import bundle_store, json_body, parse_body, parse_query, raw_body
from rehearsal.service.api.errors import ApiError
from rehearsal.service.api.routing import ApiBlueprint, created

bundles = ApiBlueprint(__name__)

YAML_TYPES = ("application/x-yaml", "application/yaml", "text/yaml")
Selector = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][\w.-]{0,63}$", description="live, a label or a version prefix")
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PushQuery(_Model):
    label: Annotated[str, Field(pattern=r"^[A-Za-z][\w.-]{0,63}$")] | None = None


class BundleSummary(_Model):
    name: str
    live: str | None


class BundleVersions(_Model):
    name: str
    live: LivePointer
    versions: list[BundleRef]


class BundleDocument(_Model):
    name: str
    version: str
    bundle: dict[str, Any]


class DiffQuery(_Model):
    before: Selector = Field(alias="from")
    after: Selector = Field(LIVE, alias="to")


class PromoteBody(_Model):
    version: Selector
    reason: str | None = Field(None, max_length=500)
    by: str | None = Field(None, max_length=200)


class RollbackBody(_Model):
    reason: str | None = Field(None, max_length=500)
    by: str | None = Field(None, max_length=200)


class SplitBody(_Model):
    weights: dict[Selector, Annotated[float, Field(gt=0)]] = Field(
        description="Version (label or prefix) → weight; an empty mapping removes the split."
    )
    by: str | None = Field(None, max_length=200)


class SplitView(_Model):
    name: str
    weights: dict[str, float]


def _pushed_bundle() -> LoadedBundle:
    request = bundles.current_request
    content_type = (request.headers.get("content-type") or "application/json").split(";")[0].strip()
    if content_type in YAML_TYPES:
        try:
            text = raw_body(request).decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "invalid_body", "the YAML body is not UTF-8") from None
        return parse_bundle(text, filename="body.yaml")
    return bundle_from_data(json_body(request), filename="body")


@bundles.route(
    "/bundles",
    methods=["POST"],
    content_types=["application/json", *YAML_TYPES],
    query=PushQuery,
    returns=BundleRef,
)
def push_bundle() -> Any:
    """Push a bundle (JSON or YAML). The same content twice is one version: 201 first, then 200."""
    query = parse_query(bundles.current_request, PushQuery)
    ref = bundle_store().push(_pushed_bundle(), label=query.label)
    return created(ref, f"/bundles/{ref.name}/versions/{ref.version}") if ref.created else ref


@bundles.route("/bundles", methods=["GET"])
def list_bundles() -> list[BundleSummary]:
    store = bundle_store()
    return [BundleSummary(name=name, live=store.live(name)) for name in store.names()]


@bundles.route("/bundles/{name}", methods=["GET"])
def get_bundle(name: str) -> BundleVersions:
    store = bundle_store()
    return BundleVersions(name=name, versions=store.list(name), live=store.live_pointer(name))


@bundles.route("/bundles/{name}/versions/{selector}", methods=["GET"])
def get_version(name: str, selector: str) -> BundleDocument:
    loaded = bundle_store().get(name, selector)
    return BundleDocument(name=name, version=loaded.version, bundle=loaded.bundle.model_dump(mode="json"))


@bundles.route("/bundles/{name}/diff", methods=["GET"], query=DiffQuery)
def diff_versions(name: str) -> BundleDiff:
    """``?from=<selector>&to=<selector>`` (``to`` defaults to the live version)."""
    query = parse_query(bundles.current_request, DiffQuery)
    store = bundle_store()
    return store.diff(store.get(name, query.before), store.get(name, query.after))


@bundles.route("/bundles/{name}/promote", methods=["POST"], body=PromoteBody)
def promote(name: str) -> BundleRef:
    body = parse_body(bundles.current_request, PromoteBody)
    return bundle_store().promote(name, body.version, by=body.by, reason=body.reason)


@bundles.route("/bundles/{name}/rollback", methods=["POST"], body=RollbackBody)
def rollback(name: str) -> BundleRef:
    body = parse_body(bundles.current_request, RollbackBody)
    return bundle_store().rollback(name, by=body.by, reason=body.reason)


@bundles.route("/bundles/{name}/split", methods=["PUT"], body=SplitBody)
def set_split(name: str) -> SplitView:
    """A/B split of live traffic by weight; conversations stick to the version they started on."""
    body = parse_body(bundles.current_request, SplitBody)
    split = bundle_store().set_split(name, body.weights, by=body.by)
    return SplitView(name=name, weights=split.shares() if split else {})
