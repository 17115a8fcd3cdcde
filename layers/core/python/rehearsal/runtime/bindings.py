"""How a declared tool is reached: a Python ``module:function``, or an HTTP endpoint.

Every binding becomes one ``Handler``: ``(arguments, ctx) -> result``, raising ``ToolError`` for declared
errors. Lambda bindings live in ``rehearsal.runtime.adapters.aws_lambda`` (the only place with an SDK client).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rehearsal.bundles.schema import HttpBinding
from rehearsal.runtime.tool_schema import CONTEXT_PARAMETER
from rehearsal.runtime.tool_types import Handler, ToolContext, ToolError

_ENV_REFERENCE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


class BindingError(Exception):
    """A binding cannot be resolved (module or function missing)."""


def _import_module(module: str, search_paths: Sequence[Path]) -> Any:
    if module in sys.modules:
        return sys.modules[module]
    relative = Path(*module.split("."))
    for folder in search_paths:
        for candidate in (folder / relative.with_suffix(".py"), folder / relative / "__init__.py"):
            if candidate.is_file():
                # Loaded by file location so that a bundle's own tools need no change to sys.path.
                spec = importlib.util.spec_from_file_location(module, candidate)
                if spec is None or spec.loader is None:
                    continue
                loaded = importlib.util.module_from_spec(spec)
                sys.modules[module] = loaded
                try:
                    spec.loader.exec_module(loaded)
                except BaseException:
                    del sys.modules[module]
                    raise
                return loaded
    return importlib.import_module(module)


def resolve_callable(target: str, search_paths: Sequence[Path] = ()) -> Callable[..., Any]:
    module_name, _, function_name = target.partition(":")
    try:
        module = _import_module(module_name, search_paths)
    except ImportError as error:
        raise BindingError(f"cannot import module {module_name!r} for {target!r}: {error}") from error
    function = getattr(module, function_name, None)
    if not callable(function):
        raise BindingError(f"module {module_name!r} has no function {function_name!r}")
    return function


def function_handler(function: Callable[..., Any]) -> Handler:
    if CONTEXT_PARAMETER in inspect.signature(function).parameters:
        return lambda arguments, ctx: function(**arguments, ctx=ctx)
    return lambda arguments, _: function(**arguments)


def _error_from_body(status: int, body: bytes) -> ToolError:
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return ToolError(error["code"], str(error.get("message", "")))
    return ToolError(f"http_{status}", body[:200].decode("utf-8", "replace"))


def http_handler(binding: HttpBinding, *, timeout_s: float, env: Mapping[str, str]) -> Handler:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    for name, value in binding.headers.items():
        headers[name] = _ENV_REFERENCE.sub(lambda match: env.get(match.group(1), ""), value)

    def call(arguments: dict[str, Any], ctx: ToolContext) -> Any:
        url, data = binding.url, None
        if binding.method in ("GET", "DELETE"):
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(arguments)
        else:
            data = json.dumps(arguments).encode()
        request = urllib.request.Request(
            url,
            data=data,
            method=binding.method,
            headers={**headers, "X-Conversation-Id": ctx.conversation_id},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise _error_from_body(error.code, error.read()) from None
        except TimeoutError:
            raise
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise TimeoutError(str(error.reason)) from None
            raise ToolError("unreachable", str(error.reason)) from None
        return json.loads(body) if body else None

    return call
