"""Settings from the environment (and an optional .env file), one place for every knob."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

STATE_DIR = Path(".partnerwatch")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNERWATCH_", env_file=".env", extra="ignore")

    database_url: str = Field(f"sqlite:///{STATE_DIR}/partnerwatch.db", description="SQLAlchemy URL: SQLite file or PostgreSQL")
    pinterest_url: str = Field("http://127.0.0.1:8765", description="Base URL of the Pinterest Business site")
    temporal_address: str = Field("localhost:7233", validation_alias="TEMPORAL_ADDRESS")
    temporal_namespace: str = Field("default", validation_alias="TEMPORAL_NAMESPACE")
    temporal_ui_url: str = Field("http://localhost:8233", description="Where operators open the Temporal UI")
    codec_ui_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins the codec server answers (comma-separated); "
        "default: the Temporal UI's, under both loopback names")
    task_queue: str = Field("partnerwatch", description="Task queue of workflows and database activities")
    browser_concurrency: int = Field(4, ge=1, description="Browser activities one worker runs at once")
    parallel_pages: int = Field(4, ge=1, le=16, description="Members pages one check reads at once (fewer after a 429)")
    reuse_sessions: bool = Field(True, description="Keep each account's signed-in session (sealed) so checks skip the sign-in")
    page_timeout_s: float = Field(30, gt=0, description="How long one page may take to answer")
    contexts_per_browser: int = Field(200, ge=1, description="Contexts a browser serves before it is replaced")
    artifacts_dir: Path = Field(STATE_DIR / "artifacts", description="Screenshots and traces of failed pages")
    record_failures: bool = Field(True, description="Keep a screenshot and a masked trace of each lasting fault")
    check_interval_hours: float = Field(24, gt=0, description="How often the schedule checks each partner")
    log_format: str = Field("console", pattern="^(console|json)$")
    log_level: str = Field("INFO")

    @field_validator("codec_ui_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @property
    def browser_task_queue(self) -> str:
        return f"{self.task_queue}-browser"

    @property
    def ui_origins(self) -> list[str]:
        """The origins the Temporal UI is opened from: as configured, else the UI's URL under each
        loopback name (people open it as localhost or as 127.0.0.1, and both must decode)."""
        return self.codec_ui_origins or loopback_origins(self.temporal_ui_url)


def loopback_origins(url: str) -> list[str]:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    if parts.hostname in ("localhost", "127.0.0.1", "::1"):
        return [f"{parts.scheme}://{host}{port}" for host in ("localhost", "127.0.0.1", "[::1]")]
    return [f"{parts.scheme}://{parts.netloc}"]


@lru_cache
def get_settings() -> Settings:
    return Settings()
