"""The OpenAPI 3.1 document, built from the registered routes and their pydantic contracts."""

from __future__ import annotations

import inspect
import re
import typing
from typing import Any

from chalice import Response
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from rehearsal.service.api.errors import ErrorEnvelope
from rehearsal.service.api.routing import Operation

_PARAM = re.compile(r"\{(\w+)\}")
_ERRORS = {
    "400": "Invalid body, query or path (details name each field)",
    "401": "Missing or wrong bearer token (local API)",
    "404": "Not found",
    "409": "Conflict with the current state",
    "413": "Body too large",
}


def _response_type(operation: Operation) -> Any:
    """The documented result: ``returns`` if given, else the view's annotation unless it is a raw response."""
    if operation.returns is not None:
        return operation.returns
    returned = typing.get_type_hints(operation.view).get("return")
    return None if returned in (None, Any, Response, type(None)) else returned


def _schema_ref(annotation: Any, components: dict[str, Any]) -> dict[str, Any]:
    schema = TypeAdapter(annotation).json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    components.update(schema.pop("$defs", {}))
    return schema


def _model_ref(model: type[BaseModel], components: dict[str, Any], mode: str) -> dict[str, Any]:
    schemas, definitions = models_json_schema(
        [(model, mode)],  # type: ignore[list-item]
        ref_template="#/components/schemas/{model}",
    )
    components.update(definitions.get("$defs", {}))
    return schemas[(model, mode)]  # type: ignore[index]


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def build_openapi(operations: list[Operation], *, title: str, version: str) -> dict[str, Any]:
    components: dict[str, Any] = {}
    error_schema = _model_ref(ErrorEnvelope, components, "serialization")
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        for method in operation.methods:
            spec: dict[str, Any] = {
                "operationId": operation.view.__name__,
                "summary": (inspect.getdoc(operation.view) or operation.view.__name__).splitlines()[0],
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    for name in _PARAM.findall(operation.path)
                ],
                "security": [{"sigv4": []}, {"bearer": []}],
            }
            if operation.query is not None:
                spec["parameters"].extend(_query_parameters(operation.query))
            if operation.body is not None:
                body = _model_ref(operation.body, components, "validation")
                spec["requestBody"] = {
                    "required": True,
                    "content": {content_type: {"schema": body} for content_type in operation.content_types},
                }
            returned = _response_type(operation)
            success: dict[str, Any] = {"description": "OK"}
            if returned is not None:
                success["content"] = {"application/json": {"schema": _schema_ref(returned, components)}}
            spec["responses"] = {
                "200": success,
                **{
                    status: {"description": text, "content": {"application/json": {"schema": error_schema}}}
                    for status, text in _ERRORS.items()
                },
            }
            paths.setdefault(operation.path, {})[method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "sigv4": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "awsSigv4",
                },
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }
