"""Settings: the only reader of the environment and of `.env`, and of the key files they point to.

Everything else receives what it needs from a `Settings` (or from the key sets built here), so that
a setting has one name, one default and one place to document it."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Where a local installation keeps its state (database, key files, artifacts, the demo's services).
STATE_DIR = Path(".partnerwatch")
ENV_PREFIX = "PARTNERWATCH_"


class KeysMissing(Exception):
    """A key file that should be there is not: only `partnerwatch keys init` creates one."""


@dataclass
class KeySet:
    """Named AES keys: the first encrypts, every one decrypts (rotation adds a line on top)."""

    keys: dict[str, bytes] = dataclass_field(repr=False)  # never in a traceback's locals or a log line
    active: str
    source: Path | None = None  # None: an inline key from the environment, rotated where it is set

    def write(self) -> None:
        if self.source is None:
            raise KeysMissing("this key comes from the environment: rotate it where it is set")
        _write_key_file(self.source, self.keys)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _write_key_file(path: Path, keys: dict[str, bytes]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        for kid, key in keys.items():
            out.write(f"{kid} {_b64(key)}\n")
    tmp.replace(path)


def read_key_file(path: Path) -> KeySet:
    """The key-file format: one `kid base64key` per line, mode 600, the first line active."""
    if not path.exists():
        raise KeysMissing(f"no key file {path}: run `partnerwatch keys init` on one host and copy it to the others")
    keys: dict[str, bytes] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip():
            try:
                kid, value = line.split()
                keys[kid] = base64.urlsafe_b64decode(value)
            except ValueError:
                raise KeysMissing(f"{path}, line {number}: not `kid base64key`") from None
    if not keys:
        raise KeysMissing(f"the key file {path} holds no key")
    return KeySet(keys=keys, active=next(iter(keys)), source=path)


def create_key_file(path: Path, kid_prefix: str) -> bool:
    """Creates a key file with one fresh 256-bit key, unless one is there; True if it was created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as out:
        out.write(f"{kid_prefix}{secrets.token_hex(4)} {_b64(secrets.token_bytes(32))}\n")
    return True


def _inline_or_file(inline: SecretStr | None, path: Path) -> KeySet:
    if inline is not None and inline.get_secret_value():
        return KeySet(keys={"env": base64.urlsafe_b64decode(inline.get_secret_value())}, active="env")
    return read_key_file(path)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    database_url: str = Field(f"sqlite:///{STATE_DIR}/partnerwatch.db", description="SQLAlchemy URL: SQLite file or PostgreSQL")
    pinterest_url: str = Field("http://127.0.0.1:8765", description="Base URL of the Pinterest Business site")
    temporal_address: str = Field("localhost:7233", validation_alias="TEMPORAL_ADDRESS")
    temporal_namespace: str = Field("default", validation_alias="TEMPORAL_NAMESPACE")
    # Anything else about reaching Temporal (TLS client certificate and key, server CA, API key) comes
    # from Temporal's own client configuration: a TOML profile and the TEMPORAL_* variables.
    temporal_profile: str | None = Field(None, validation_alias="TEMPORAL_PROFILE",
                                         description="The profile of Temporal's client configuration file")
    temporal_config_file: Path | None = Field(None, validation_alias="TEMPORAL_CONFIG_FILE",
                                              description="Temporal's client configuration file (TOML)")
    temporal_ui_url: str = Field("http://localhost:8233", description="Where operators open the Temporal UI")
    codec_ui_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins the codec server answers (comma-separated); "
        "default: the Temporal UI's, under both loopback names")
    task_queue: str = Field("partnerwatch", description="Task queue of workflows and database activities")
    browser_concurrency: int = Field(4, ge=1, description="Browser activities one worker runs at once")
    shutdown_grace_s: float = Field(30, ge=0, le=3600, description="How long a worker sent SIGTERM lets running "
                                    "activities finish before it cancels them; a Members read hands its check "
                                    "to another worker at once instead (docs/FAULTS.md)")
    parallel_pages: int = Field(4, ge=1, le=32, description="Members pages one check reads at once to begin with "
                                "(fewer after a 429)")
    max_parallel_pages: int = Field(8, ge=1, le=32, description="The most pages at once this site gets: a check "
                                    "grows towards it while more pages at once means more pages a second")
    reuse_sessions: bool = Field(True, description="Keep each account's signed-in session (sealed) so checks skip the sign-in")
    page_timeout_s: float = Field(30, gt=0, description="How long one page may take to answer")
    page_max_backoff_s: float = Field(30, gt=0, description="The longest wait between two tries of a page "
                                      "(a Retry-After is honoured beyond it, up to 120 s)")
    contexts_per_browser: int = Field(200, ge=1, description="Contexts a browser serves before it is replaced")
    chromium: Path | None = Field(None, description="The Chromium binary; default: Playwright's build, else the system's")
    artifacts_dir: Path = Field(STATE_DIR / "artifacts", description="Screenshots and traces of failed pages")
    record_failures: bool = Field(True, description="Keep a screenshot and a masked trace of each lasting fault")
    check_interval_hours: float = Field(24, gt=0, description="How often the schedule checks each partner")
    # Keys: an inline base64 key (one, no rotation), else a key file made by `partnerwatch keys init`.
    codec_key: SecretStr | None = Field(None, description="The payload codec's key, inline (base64)")
    codec_key_file: Path = Field(STATE_DIR / "codec.key", description="The payload codec's key file")
    master_key: SecretStr | None = Field(None, description="The vault's master key, inline (base64)")
    master_key_file: Path = Field(STATE_DIR / "master.key", description="The vault's master key file")
    log_format: str = Field("console", pattern="^(console|json)$")
    log_level: str = Field("INFO", description="The worker's log level; the CLI logs warnings unless this is set")
    metrics_address: str | None = Field(None, pattern=r"^[^:\s]+:\d{1,5}$",
                                        description="host:port where the worker serves Prometheus metrics; unset: none")
    # The web console (`partnerwatch web`).
    web_host: str = Field("127.0.0.1", description="Where the console listens: loopback unless you put it behind a proxy")
    web_port: int = Field(8070, ge=1, le=65535, description="The console's port")
    web_public_url: str | None = Field(None, description="The console's address as browsers reach it, for links "
                                       "sent by email; unset: http://<web_host>:<web_port>")

    @property
    def console_url(self) -> str:
        return (self.web_public_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")
    # Mail to people (invitations to a partner's admin and their reminders); unset: none is sent.
    smtp_url: str | None = Field(None, pattern=r"^smtp://[^\s/:]+(:\d{1,5})?/?$",
                                 description="smtp://host:port of the server that sends invitations")
    mail_from: str = Field("partnerwatch <partnerwatch@localhost>", description="The From of mail partnerwatch sends")
    # The CLI's defaults and inputs.
    workspace: str | None = Field(None, description="The CLI's workspace when --workspace is not given")
    actor: str | None = Field(None, description="Who the audit log names for CLI actions; default cli:<user>")
    secret_password: SecretStr | None = Field(None, description="A password for `monitor share|update`, "
                                              "`integration add` without --password-stdin")
    secret_totp: SecretStr | None = Field(None, description="Its TOTP secret, if any")
    secret_slack_url: SecretStr | None = Field(None, description="A Slack incoming webhook URL for "
                                               "`alerts add --slack` when standard input is a terminal")

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

    @property
    def cli_log_level(self) -> str:
        """Commands print their own outcome: their logs are warnings only, unless a level was set."""
        return self.log_level if "log_level" in self.model_fields_set else "WARNING"

    def temporal_connect_config(self) -> dict[str, Any]:
        """`Client.connect` arguments from `temporalio.envconfig` (a TOML profile, then the TEMPORAL_*
        variables: address, namespace, TLS, API key); an address or namespace set here wins."""
        from temporalio.envconfig import ClientConfigProfile  # only where a process connects

        profile = ClientConfigProfile.load(profile=self.temporal_profile, config_source=self.temporal_config_file)
        config: dict[str, Any] = dict(profile.to_client_connect_config())
        for key, name in (("target_host", "temporal_address"), ("namespace", "temporal_namespace")):
            if name in self.model_fields_set or key not in config:
                config[key] = getattr(self, name)
        return config

    def codec_keys(self) -> KeySet:
        return _inline_or_file(self.codec_key, self.codec_key_file)

    def master_keys(self) -> KeySet:
        return _inline_or_file(self.master_key, self.master_key_file)

    def as_env(self) -> dict[str, str]:
        """The environment that gives a child process (worker, CLI) these settings: the one mapping
        from settings to variables, so that a new setting reaches child processes by itself. Only what
        was set (here or in this process's environment): the child keeps its own defaults."""
        env = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if name not in self.model_fields_set:
                continue
            if value is None:
                continue
            key = field.validation_alias if isinstance(field.validation_alias, str) else f"{ENV_PREFIX}{name.upper()}"
            env[key] = _env_value(value)
        return env


def _env_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def loopback_origins(url: str) -> list[str]:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    if parts.hostname in ("localhost", "127.0.0.1", "::1"):
        return [f"{parts.scheme}://{host}{port}" for host in ("localhost", "127.0.0.1", "[::1]")]
    return [f"{parts.scheme}://{parts.netloc}"]


@lru_cache
def get_settings() -> Settings:
    return Settings()
