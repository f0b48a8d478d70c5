"""docker-compose.temporal.yml cannot run here (no Docker): this reads it and keeps it consistent with
the code, so that the file a user starts from says what the code does."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from config import ENV_PREFIX, Settings
from temporal_common.search_attributes import ALL_KEYS

ROOT = Path(__file__).parent.parent
COMPOSE = ROOT / "docker-compose.temporal.yml"
# The TEMPORAL_* variables temporalio.envconfig reads (and Temporal's images read for themselves).
TEMPORAL_VARIABLES = {"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY", "TEMPORAL_PROFILE",
                      "TEMPORAL_CONFIG_FILE", "TEMPORAL_TLS", "TEMPORAL_TLS_CLIENT_CERT_PATH",
                      "TEMPORAL_TLS_CLIENT_KEY_PATH", "TEMPORAL_TLS_SERVER_CA_CERT_PATH"}
OURS = ["partnerwatch-migrate", "partnerwatch-worker", "partnerwatch-codec", "partnerwatch-console", "partnerwatch-cli"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def setting_variables() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"{ENV_PREFIX}{name}".upper())
    return names


def published(service: dict) -> dict[int, int]:
    """Container port -> host port, from "127.0.0.1:host:container" entries."""
    return {int(p.split(":")[-1]): int(p.split(":")[-2]) for p in service.get("ports", [])}


def test_the_header_says_docker_is_not_available_here():
    header = COMPOSE.read_text().split("\n\n")[0]
    assert "Docker is not available" in header and "tests/test_compose.py" in header


def test_the_services_follow_temporals_reference_and_add_ours(services):
    assert set(services) == {"temporal-postgresql", "temporal-schema", "temporal", "temporal-namespace", "temporal-ui",
                             "partnerwatch-postgresql", *OURS}
    assert "pg_isready" in " ".join(services["temporal-postgresql"]["healthcheck"]["test"])
    assert services["temporal"]["environment"]["DB"] == "postgres12"
    assert services["temporal"]["depends_on"]["temporal-schema"]["condition"] == "service_completed_successfully"
    assert "auto-setup" not in COMPOSE.read_text()  # deprecated by Temporal
    assert services["temporal-schema"]["image"].startswith("temporalio/admin-tools:")
    assert "temporal-sql-tool" in services["temporal-schema"]["command"][0]


def test_the_namespace_job_registers_exactly_our_search_attributes(services):
    script = services["temporal-namespace"]["command"][0]
    registered = set(re.search(r"for name in ([^;]+);", script).group(1).split())
    assert registered == {key.name for key in ALL_KEYS}
    assert "--type Keyword" in script


def test_the_store_is_its_own_postgresql_upgraded_before_the_worker(services):
    env = services["partnerwatch-worker"]["environment"]
    store = env["PARTNERWATCH_DATABASE_URL"]
    assert store.startswith("postgresql://") and "@partnerwatch-postgresql:" in store
    assert "temporal-postgresql" not in store
    assert services["partnerwatch-migrate"]["command"] == ["partnerwatch", "db", "upgrade"]
    needs = services["partnerwatch-worker"]["depends_on"]
    assert needs["partnerwatch-migrate"]["condition"] == "service_completed_successfully"
    assert needs["temporal-namespace"]["condition"] == "service_completed_successfully"


def test_our_commands_name_code_that_exists(services):
    assert services["partnerwatch-worker"]["command"] == ["python", "worker.py"] and (ROOT / "worker.py").exists()
    codec = services["partnerwatch-codec"]["command"]
    assert codec[:3] == ["python", "-m", "temporal_common.codec_server"]
    assert importlib.util.find_spec(codec[2]) is not None
    build = services["partnerwatch-worker"]["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).exists()
    dockerfile = (ROOT / build["dockerfile"]).read_text()
    # Everything the package ships (pyproject.toml's packages and modules), so that the image never lacks one.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = [pattern.rstrip("*") for pattern in project["packages"]["find"]["include"]]
    shipped += [f"{module}.py" for module in project["py-modules"]]
    assert {"web", "control", "alerting", "worker.py"} <= set(shipped)
    missing = [name for name in shipped if not re.search(rf"^COPY .*\b{re.escape(name)}\b", dockerfile, re.M)]
    assert missing == [], f"deploy/Dockerfile does not copy {missing}"
    console = services["partnerwatch-console"]["command"]
    assert console[:2] == ["partnerwatch", "web"] and console[console.index("--host") + 1] == "0.0.0.0"
    assert "constraints.txt" in dockerfile  # the same pins as everywhere else


def test_every_variable_given_to_our_services_is_a_setting(services):
    known = setting_variables() | TEMPORAL_VARIABLES
    for name in OURS:
        for variable in services[name].get("environment", {}):
            assert variable in known, f"{name}: {variable} is not read by config.Settings"


def test_the_ports_agree(services):
    worker_env = services["partnerwatch-worker"]["environment"]
    metrics_port = int(worker_env["PARTNERWATCH_METRICS_ADDRESS"].rsplit(":", 1)[1])
    assert published(services["partnerwatch-worker"]) == {metrics_port: metrics_port}

    codec = services["partnerwatch-codec"]["command"]
    codec_port = int(codec[codec.index("--port") + 1])
    assert codec[codec.index("--host") + 1] == "0.0.0.0"  # reachable from outside its container
    assert published(services["partnerwatch-codec"]) == {codec_port: codec_port}
    ui = services["temporal-ui"]["environment"]
    assert ui["TEMPORAL_CODEC_ENDPOINT"] == f"http://localhost:{codec_port}"
    ui_port = published(services["temporal-ui"])[8080]
    assert services["partnerwatch-codec"]["environment"]["PARTNERWATCH_CODEC_UI_ORIGINS"] == f"http://localhost:{ui_port}"
    assert worker_env["PARTNERWATCH_TEMPORAL_UI_URL"] == f"http://localhost:{ui_port}"
    assert published(services["temporal"]) == {7233: 7233}
    console = services["partnerwatch-console"]["command"]
    console_port = int(console[console.index("--port") + 1])
    assert published(services["partnerwatch-console"]) == {console_port: console_port}
    assert services["partnerwatch-console"]["environment"]["PARTNERWATCH_WEB_PUBLIC_URL"] == f"http://localhost:{console_port}"
    assert worker_env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert all(p.startswith("127.0.0.1:") for s in services.values() for p in s.get("ports", []))
