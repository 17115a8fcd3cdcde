"""One settings model per process, read from ``REHEARSAL_*`` environment variables and validated at start.

Logic never reads ``os.environ``; entry points build a ``Settings`` and pass it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REHEARSAL_", extra="ignore")

    backend: Literal["local", "aws"] = Field("local", description="Where state lives.")
    home: Path = Field(Path(".rehearsal"), description="Local backend: folder for blobs, runs and indexes.")

    # AWS backend
    bucket: str | None = Field(None, description="S3 bucket for bundles, transcripts, manifests, reports.")
    table: str | None = Field(None, description="DynamoDB table of the run store.")
    opensearch_endpoint: str | None = Field(None, description="OpenSearch endpoint (https://…).")
    opensearch_service: Literal["es", "aoss"] = Field("aoss", description="SigV4 service name.")
    aws_region: str | None = None
    aws_endpoint_url: str | None = Field(None, description="Override for LocalStack or a moto server.")
    state_machine_arn: str | None = None
    idempotency_table: str | None = Field(None, description="DynamoDB table of idempotent run starts.")

    # LLM (OpenAI-compatible). Without a base URL and key the offline engines are used.
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    embedding_model: str = "text-embedding-3-small"
    embedding_backend: Literal["auto", "minilm", "lexical", "openai"] = "auto"

    # Local HTTP API
    api_token: SecretStr | None = Field(None, description="Bearer token the local API requires.")

    @property
    def llm_configured(self) -> bool:
        return self.llm_base_url is not None or self.llm_api_key is not None
