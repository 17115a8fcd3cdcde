"""Tools: declared once, called through one registry that validates in and out and enforces timeouts.

* ``@tool`` turns a Python function's type hints and docstring into its JSON schema and description.
* ``ToolRegistry.from_bundle`` binds every ``ToolDecl`` (Python, HTTP, Lambda) to a handler.
* ``registry.call`` / ``await registry.acall`` return a ``ToolOutcome``: arguments failing the input schema
  never reach the tool; a result failing the output schema is a ``schema_mismatch``, never passed on; a tool
  that raises or overruns its timeout is an error outcome, never an exception.
* ``registry.wrap(middleware)`` returns a registry whose calls pass through the middleware (fault injection).

Isolation: ``"thread"`` (default) runs each call on a worker thread so its timeout is enforced while it runs;
``"inline"`` runs it on the caller's thread and discards a result that came back after the deadline — cheaper,
for trusted in-process tools such as a simulated world.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

import fastjsonschema

from rehearsal.bundles.schema import AgentBundle, HttpBinding, PythonBinding, ToolDecl
from rehearsal.runtime.bindings import BindingError, function_handler, http_handler, resolve_callable
from rehearsal.runtime.events import ToolCallStatus
from rehearsal.runtime.sync import run_now
from rehearsal.runtime.tool_schema import describe, input_schema
from rehearsal.runtime.tool_types import Handler, Middleware, ToolContext, ToolError, ToolInvocation

__all__ = [
    "BindingError",
    "Middleware",
    "ToolContext",
    "ToolError",
    "ToolInvocation",
    "ToolOutcome",
    "ToolRegistry",
    "ToolSpec",
    "tool",
]

Isolation = Literal["thread", "inline"]
F = TypeVar("F", bound=Callable[..., Any])
TOOL_RAISED = "tool_raised"
_SPEC_ATTRIBUTE = "__rehearsal_tool__"


@dataclass(frozen=True)
class ToolSpec:
    """A tool as its Python declaration describes it."""

    name: str
    description: str
    input_schema: dict[str, Any]
    function: Callable[..., Any]

    def declaration(self, **overrides: Any) -> ToolDecl:
        module = self.function.__module__
        binding = PythonBinding(target=f"{module}:{self.function.__name__}")
        fields: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
            "binding": binding,
        }
        return ToolDecl.model_validate({**fields, **overrides})


@overload
def tool(function: F, *, name: str | None = None) -> F: ...


@overload
def tool(function: None = None, *, name: str | None = None) -> Callable[[F], F]: ...


def tool(function: F | None = None, *, name: str | None = None) -> F | Callable[[F], F]:
    """Declare a Python function as a tool; usable bare (``@tool``) or with a name (``@tool(name="x")``)."""

    def decorate(target: F) -> F:
        description, _ = describe(target)
        schema, _ = input_schema(target)
        spec = ToolSpec(name or target.__name__, description or target.__name__, schema, target)
        setattr(target, _SPEC_ATTRIBUTE, spec)
        return target

    return decorate(function) if function is not None else decorate


def spec_of(function: Callable[..., Any]) -> ToolSpec | None:
    spec = getattr(function, _SPEC_ATTRIBUTE, None)
    return spec if isinstance(spec, ToolSpec) else None


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    status: ToolCallStatus
    result: Any = None
    error: str | None = None
    error_code: str | None = None
    latency_ms: float = 0.0
    schema_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status is ToolCallStatus.OK


def _validator(schema: Mapping[str, Any] | None, what: str, tool_name: str) -> Callable[[Any], Any] | None:
    if not schema:
        return None
    try:
        return fastjsonschema.compile(dict(schema))
    except fastjsonschema.JsonSchemaDefinitionException as error:
        raise BindingError(f"tool {tool_name!r}: invalid {what} schema: {error}") from error


def _schema_problem(validate: Callable[[Any], Any] | None, value: Any) -> str | None:
    if validate is None:
        return None
    try:
        validate(value)
    except fastjsonschema.JsonSchemaValueException as error:
        return error.message.replace("data", "$", 1)
    return None


@dataclass(frozen=True)
class BoundTool:
    declaration: ToolDecl
    handler: Handler
    check_input: Callable[[Any], Any] | None
    check_output: Callable[[Any], Any] | None

    @classmethod
    def create(cls, declaration: ToolDecl, handler: Handler) -> BoundTool:
        name = declaration.name
        return cls(
            declaration,
            handler,
            _validator(declaration.input_schema, "input", name),
            _validator(declaration.output_schema, "output", name),
        )


_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL  # noqa: PLW0603 - one lazily created pool per process, shared by every registry
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=64, thread_name_prefix="rehearsal-tool")
    return _POOL


class ToolRegistry:
    def __init__(
        self,
        tools: Iterable[BoundTool] = (),
        *,
        isolation: Isolation = "thread",
        middleware: Sequence[Middleware] = (),
    ) -> None:
        self._tools = {bound.declaration.name: bound for bound in tools}
        self.isolation = isolation
        self._middleware = tuple(middleware)
        self._chains = {name: self._chain(bound) for name, bound in self._tools.items()}

    # --- construction -------------------------------------------------------------------------------------

    @classmethod
    def from_bundle(
        cls,
        bundle: AgentBundle,
        *,
        search_paths: Sequence[Path | str] = (),
        lambda_handler: Callable[[ToolDecl], Handler] | None = None,
        env: Mapping[str, str] | None = None,
        isolation: Isolation = "thread",
    ) -> ToolRegistry:
        """Bind every tool the bundle declares; raises ``BindingError`` listing every tool it cannot bind.

        ``lambda_handler`` builds the handler of a Lambda-bound tool (see ``adapters.aws_lambda``); ``env``
        gives the values of ``${NAME}`` references in HTTP headers.
        """
        paths = [Path(path) for path in search_paths]
        bound: list[BoundTool] = []
        problems: list[str] = []
        for declaration in bundle.tools:
            try:
                bound.append(cls._bind(declaration, paths, lambda_handler, env or {}))
            except BindingError as error:
                problems.append(f"tools.{declaration.name}: {error}")
        if problems:
            raise BindingError("; ".join(problems))
        return cls(bound, isolation=isolation)

    @staticmethod
    def _bind(
        declaration: ToolDecl,
        paths: Sequence[Path],
        lambda_handler: Callable[[ToolDecl], Handler] | None,
        env: Mapping[str, str],
    ) -> BoundTool:
        binding = declaration.binding
        if isinstance(binding, PythonBinding):
            function = resolve_callable(binding.target, paths)
            handler = function_handler(function)
            # The bundle's schema wins; a bare declaration borrows the one written on the function.
            spec = spec_of(function)
            if spec is not None and not declaration.input_schema.get("properties"):
                declaration = declaration.model_copy(update={"input_schema": spec.input_schema})
        elif isinstance(binding, HttpBinding):
            handler = http_handler(binding, timeout_s=declaration.timeout_s, env=env)
        elif lambda_handler is not None:
            handler = lambda_handler(declaration)
        else:
            raise BindingError("Lambda binding needs a Lambda client (none configured)")
        return BoundTool.create(declaration, handler)

    @classmethod
    def from_functions(
        cls, functions: Iterable[Callable[..., Any]], *, isolation: Isolation = "thread"
    ) -> ToolRegistry:
        """A registry of ``@tool`` functions (declarations taken from the functions themselves)."""
        bound = []
        for function in functions:
            spec = spec_of(function)
            if spec is None:
                raise BindingError(f"{function.__qualname__} is not decorated with @tool")
            bound.append(BoundTool.create(spec.declaration(), function_handler(function)))
        return cls(bound, isolation=isolation)

    def wrap(self, middleware: Middleware) -> ToolRegistry:
        """A registry with the same tools whose calls pass through ``middleware`` (outermost last added)."""
        return ToolRegistry(
            self._tools.values(), isolation=self.isolation, middleware=(*self._middleware, middleware)
        )

    def with_isolation(self, isolation: Isolation) -> ToolRegistry:
        return ToolRegistry(self._tools.values(), isolation=isolation, middleware=self._middleware)

    def _chain(self, bound: BoundTool) -> Callable[[ToolInvocation], Any]:
        def innermost(invocation: ToolInvocation) -> Any:
            return bound.handler(invocation.arguments, invocation.ctx)

        chain: Callable[[ToolInvocation], Any] = innermost
        for middleware in self._middleware:
            chain = _link(middleware, chain)
        return chain

    # --- lookup -------------------------------------------------------------------------------------------

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    def declaration(self, name: str) -> ToolDecl:
        return self._tools[name].declaration

    # --- calls --------------------------------------------------------------------------------------------

    def call(self, name: str, arguments: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        """Call a tool, blocking until it answers or its timeout passes."""
        return run_now(self._call(name, arguments, ctx, blocking=True))

    async def acall(self, name: str, arguments: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        return await self._call(name, arguments, ctx, blocking=False)

    async def _call(self, name: str, arguments: Any, ctx: ToolContext, *, blocking: bool) -> ToolOutcome:
        checked = self._check_arguments(name, arguments)
        if isinstance(checked, ToolOutcome):
            return checked
        chain, invocation = self._chains[name], ToolInvocation(name, arguments, ctx)
        timeout = checked.declaration.timeout_s
        started = time.perf_counter()
        try:
            if self.isolation == "inline":
                raw = chain(invocation)
            elif blocking:
                raw = _pool().submit(chain, invocation).result(timeout=timeout)
            else:
                future = asyncio.get_running_loop().run_in_executor(_pool(), chain, invocation)
                raw = await asyncio.wait_for(future, timeout)
        except (TimeoutError, FutureTimeout):
            return _timed_out(timeout, started)
        except Exception as error:
            return _failed(error, started)
        return self._checked_result(checked, raw, started)

    def _check_arguments(self, name: str, arguments: Any) -> BoundTool | ToolOutcome:
        bound = self._tools.get(name)
        if bound is None:
            return ToolOutcome(
                ToolCallStatus.UNKNOWN_TOOL, error=f"no tool named {name!r}", error_code="unknown_tool"
            )
        if not isinstance(arguments, dict):
            return ToolOutcome(ToolCallStatus.INVALID_ARGUMENTS, error="arguments must be a JSON object")
        problem = _schema_problem(bound.check_input, arguments)
        if problem is not None:
            return ToolOutcome(
                ToolCallStatus.INVALID_ARGUMENTS, error=problem, error_code="invalid_arguments"
            )
        return bound

    def _checked_result(self, bound: BoundTool, raw: Any, started: float) -> ToolOutcome:
        latency_ms = (time.perf_counter() - started) * 1000.0
        if self.isolation == "inline" and latency_ms > bound.declaration.timeout_s * 1000.0:
            return _timed_out(bound.declaration.timeout_s, started)
        try:
            # A detached copy: the tool may hand back live parts of the world that later calls change.
            result = json.loads(json.dumps(raw))
        except (TypeError, ValueError) as error:
            not_json = f"result is not JSON: {error}"
            return ToolOutcome(
                ToolCallStatus.SCHEMA_MISMATCH,
                error=not_json,
                latency_ms=latency_ms,
                schema_errors=[not_json],
            )
        mismatch = _schema_problem(bound.check_output, result)
        if mismatch is not None:
            return ToolOutcome(
                ToolCallStatus.SCHEMA_MISMATCH,
                error=f"result does not match the output schema: {mismatch}",
                error_code="schema_mismatch",
                latency_ms=latency_ms,
                schema_errors=[mismatch],
            )
        return ToolOutcome(ToolCallStatus.OK, result=result, latency_ms=latency_ms)


def _link(middleware: Middleware, inner: Callable[[ToolInvocation], Any]) -> Callable[[ToolInvocation], Any]:
    return lambda invocation: middleware(invocation, inner)


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _timed_out(timeout: float, started: float) -> ToolOutcome:
    return ToolOutcome(
        ToolCallStatus.TIMEOUT,
        error=f"no result within {timeout:g} s",
        error_code="timeout",
        latency_ms=_elapsed_ms(started),
    )


def _failed(error: Exception, started: float) -> ToolOutcome:
    if isinstance(error, ToolError):
        return ToolOutcome(
            ToolCallStatus.ERROR, error=error.message, error_code=error.code, latency_ms=_elapsed_ms(started)
        )
    return ToolOutcome(
        ToolCallStatus.ERROR,
        error=f"{type(error).__name__}: {error}",
        error_code=TOOL_RAISED,
        latency_ms=_elapsed_ms(started),
    )
