"""Bundle routes: push, list, get, diff, promote, roll back, split — and their errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from rehearsal.service.api.context import MAX_BODY_BYTES

from .support import EXAMPLE, body, post, push


def _bundle_json(version: str = "v2") -> dict[str, Any]:
    import yaml

    return dict(yaml.safe_load((EXAMPLE / f"bundle.{version}.yaml").read_text()))


def test_push_json_creates_a_version_with_its_location(client: Client) -> None:
    # Given a bundle as JSON / When pushing it
    response = post(client, "/bundles", _bundle_json())

    # Then it is created and found at its location
    assert response.status_code == 201
    created = body(response)
    assert created["name"] == "acme-retail" and created["created"] is True
    assert response.headers["Location"] == f"/bundles/acme-retail/versions/{created['version']}"


def test_pushing_the_same_content_twice_is_one_version(client: Client) -> None:
    # Given a pushed bundle
    first = push(client)

    # When pushing it again (as JSON this time)
    response = post(client, "/bundles", _bundle_json())

    # Then it is the same version, not created again
    assert response.status_code == 200
    assert body(response)["version"] == first["version"] and body(response)["created"] is False


def test_push_with_a_label_labels_the_version(client: Client) -> None:
    response = client.http.post(
        "/bundles?label=candidate",
        body=(EXAMPLE / "bundle.v1.yaml").read_bytes(),
        headers={"content-type": "application/x-yaml"},
    )

    assert response.status_code == 201
    assert body(response)["labels"] == ["candidate"]


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"schema_version": 1}, "metadata"),
        ({**_bundle_json(), "surprise": True}, "surprise"),
    ],
)
def test_push_of_an_invalid_bundle_is_a_400_naming_the_field(
    client: Client, document: dict[str, Any], path: str
) -> None:
    response = post(client, "/bundles", document)

    assert response.status_code == 400
    error = body(response)["error"]
    assert error["code"] == "invalid_bundle"
    assert path in [detail["path"] for detail in error["details"]]


def test_push_of_malformed_json_is_a_400(client: Client) -> None:
    response = client.http.post("/bundles", body=b"{not json", headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert body(response)["error"]["details"][0]["path"] == "body"


def test_push_of_an_oversize_body_is_a_413(client: Client) -> None:
    huge = json.dumps({"padding": "x" * (MAX_BODY_BYTES + 1)}).encode()

    response = client.http.post("/bundles", body=huge, headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert body(response)["error"]["code"] == "body_too_large"


def test_push_with_a_bad_label_is_a_400_naming_the_query_field(client: Client) -> None:
    response = client.http.post(
        "/bundles?label=-bad",
        body=(EXAMPLE / "bundle.v1.yaml").read_bytes(),
        headers={"content-type": "application/x-yaml"},
    )

    assert response.status_code == 400
    assert body(response)["error"]["details"][0]["path"] == "query.label"


def test_list_and_get_show_versions_and_the_live_pointer(client: Client) -> None:
    # Given two pushed versions, one live
    v1, v2 = push(client, "v1"), push(client, "v2")
    post(client, "/bundles/acme-retail/promote", {"version": v1["version"][:12]})

    # When listing and getting
    listed = body(client.http.get("/bundles"))
    detail = body(client.http.get("/bundles/acme-retail"))

    # Then
    assert listed == [{"name": "acme-retail", "live": v1["version"]}]
    assert [ref["version"] for ref in detail["versions"]] == [v1["version"], v2["version"]]
    assert detail["live"]["stack"] == [v1["version"]]


def test_get_version_returns_the_stored_document(client: Client) -> None:
    pushed = push(client)

    response = client.http.get(f"/bundles/acme-retail/versions/{pushed['version'][:10]}")

    assert response.status_code == 200
    assert body(response)["version"] == pushed["version"]
    assert body(response)["bundle"]["metadata"]["name"] == "acme-retail"


@pytest.mark.parametrize(
    "path", ["/bundles/nobody", "/bundles/nobody/versions/live", "/bundles/acme-retail/versions/ffff"]
)
def test_unknown_bundle_or_version_is_a_404(client: Client, path: str) -> None:
    push(client)

    response = client.http.get(path)

    assert response.status_code == 404
    assert body(response)["error"]["code"] == "not_found"


def test_diff_lists_the_changes_between_two_versions(client: Client) -> None:
    v1, v2 = push(client, "v1"), push(client, "v2")

    response = client.http.get(f"/bundles/acme-retail/diff?from={v1['version'][:12]}&to={v2['version'][:12]}")

    assert response.status_code == 200
    assert body(response)["changes"]


def test_diff_without_from_is_a_400_naming_it(client: Client) -> None:
    push(client)

    response = client.http.get("/bundles/acme-retail/diff")

    assert response.status_code == 400
    assert body(response)["error"]["details"][0]["path"] == "query.from"


def test_rollback_returns_to_the_previous_live_version(client: Client) -> None:
    # Given v1 then v2 promoted
    v1, v2 = push(client, "v1"), push(client, "v2")
    post(client, "/bundles/acme-retail/promote", {"version": v1["version"][:12]})
    post(client, "/bundles/acme-retail/promote", {"version": v2["version"][:12], "reason": "gates passed"})

    # When rolling back
    response = post(client, "/bundles/acme-retail/rollback", {"reason": "regression"})

    # Then v1 is live again
    assert response.status_code == 200
    assert body(response)["version"] == v1["version"] and body(response)["live"] is True


def test_rollback_without_an_earlier_live_version_is_a_409(client: Client) -> None:
    pushed = push(client)
    post(client, "/bundles/acme-retail/promote", {"version": pushed["version"][:12]})

    response = post(client, "/bundles/acme-retail/rollback", {})

    assert response.status_code == 409


@pytest.mark.parametrize(
    ("payload", "path"),
    [({}, "body.version"), ({"version": "../etc"}, "body.version"), ({"version": "live", "x": 1}, "body.x")],
)
def test_promote_with_a_bad_body_is_a_400_naming_the_field(
    client: Client, payload: dict[str, Any], path: str
) -> None:
    push(client)

    response = post(client, "/bundles/acme-retail/promote", payload)

    assert response.status_code == 400
    assert path in [detail["path"] for detail in body(response)["error"]["details"]]


def test_split_sets_shares_by_weight(client: Client) -> None:
    v1, v2 = push(client, "v1"), push(client, "v2")

    response = client.http.put(
        "/bundles/acme-retail/split",
        body=json.dumps({"weights": {v1["version"][:12]: 3, v2["version"][:12]: 1}}).encode(),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 200
    assert body(response)["weights"] == {v1["version"]: 0.75, v2["version"]: 0.25}


def test_split_with_a_zero_weight_is_a_400(client: Client) -> None:
    pushed = push(client)

    response = client.http.put(
        "/bundles/acme-retail/split",
        body=json.dumps({"weights": {pushed["version"][:12]: 0}}).encode(),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400
