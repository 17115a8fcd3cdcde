"""The HTTP client under the OpenAI SDK: a buffered request goes straight to one aiohttp session.

The SDK builds each request (URL, auth headers, JSON body) and reads each answer (status, errors,
``Retry-After``) itself. Between the two, its stock clients pass every call through httpx's machinery — auth
flows, redirects, event hooks, streamed bodies — which a chat completion never uses and which, at hundreds of
calls a second, is a tenth of the harness's CPU. Streamed requests and responses, and auth flows, still take
httpx's own path.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.request import getproxies

import aiohttp
import httpx2

_URLS_KEPT = 256  # a client talks to one endpoint: a handful of paths
RawHeaders = tuple[tuple[bytes, bytes], ...]


def client_timeout(request: httpx2.Request) -> aiohttp.ClientTimeout:
    """httpx's timeouts of a request (connect, read, pool) as aiohttp's."""
    timeout = request.extensions.get("timeout", {})
    return aiohttp.ClientTimeout(
        sock_connect=timeout.get("connect"), sock_read=timeout.get("read"), connect=timeout.get("pool")
    )


@cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default verifying context, loaded once: loading the CA bundle takes tens of milliseconds, and
    each event loop gets its own client."""
    return httpx2.create_ssl_context()


class LeanAsyncClient(httpx2.AsyncClient):
    def __init__(self, *, max_connections: int, timeout_s: float) -> None:
        super().__init__(timeout=timeout_s, follow_redirects=False, verify=_tls_context())
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[str, httpx2.URL] = {}

    def _merge_url(self, url: httpx2.URL | str) -> httpx2.URL:
        """The SDK hands every request's URL over as a string: parsed once per distinct URL (URLs are
        immutable), not once per call."""
        if not isinstance(url, str):
            return super()._merge_url(url)
        merged = self._urls.get(url)
        if merged is None:
            if len(self._urls) >= _URLS_KEPT:
                self._urls.clear()
            merged = self._urls[url] = super()._merge_url(url)
        return merged

    def _session_here(self) -> aiohttp.ClientSession:
        """Made on first use, on the caller's event loop: an aiohttp session belongs to one loop."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, ssl=_tls_context()),
                cookie_jar=aiohttp.DummyCookieJar(),  # an API client keeps no cookies
                auto_decompress=False,  # httpx decodes the body by its content-encoding, as for its own
                # Proxies from HTTP(S)_PROXY / NO_PROXY as httpx honours them; looking them up costs a third
                # of a millisecond per request, so only when some are set.
                trust_env=bool(getproxies()),
            )
        return self._session

    async def send(self, request: httpx2.Request, *, stream: bool = False, **kwargs: Any) -> httpx2.Response:
        if stream or kwargs.get("auth") is not None:
            return await super().send(request, stream=stream, **kwargs)
        try:
            body = request.content
        except httpx2.RequestNotRead:  # a streamed upload
            return await super().send(request, stream=stream, **kwargs)
        try:
            status, headers, content = await self.exchange(
                request.method, str(request.url), request.headers, body, client_timeout(request)
            )
        except TimeoutError as error:  # aiohttp's timeouts; the SDK knows httpx's kind
            raise httpx2.ReadTimeout(str(error) or "the request timed out", request=request) from error
        except aiohttp.ClientError as error:
            raise httpx2.ConnectError(str(error) or type(error).__name__, request=request) from error
        return httpx2.Response(status_code=status, headers=headers, content=content, request=request)

    async def exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: aiohttp.ClientTimeout,
        *,
        decompress: bool = False,
    ) -> tuple[int, RawHeaders, bytes]:
        """One buffered request on the pool → (status, raw headers, body), the body as sent (httpx decodes
        it by its content-encoding) unless ``decompress``; aiohttp's ``TimeoutError`` and ``ClientError`` are
        the caller's to translate."""
        async with self._session_here().request(
            method,
            url,
            headers=headers,
            data=body or None,
            allow_redirects=False,
            timeout=timeout,
            auto_decompress=decompress,
        ) as response:
            return response.status, response.raw_headers, await response.read()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
        await super().aclose()
