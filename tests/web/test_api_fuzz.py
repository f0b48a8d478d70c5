"""The API fuzzed against its own OpenAPI by schemathesis (Hypothesis underneath), signed in as an
admin with a workspace full of data and a real Temporal behind it: no 5xx, and every answer (problem
details included) matches the schema it documents."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)
from schemathesis.checks import not_a_server_error

from config import Settings
from tests.helpers import ConsoleClient, console_user
from tests.web.conftest import serve
from tests.web.test_api import _workspace

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def store_backend() -> str:
    return "sqlite"


@pytest.fixture
def fuzzed(engine, database_url, tmp_path, temporal_env, task_queue):
    ws_id, _ = _workspace(engine, "Acme", "549755813002", 30)
    who = console_user(engine, ws_id, "admin@acme.example", "admin")
    url, stop = serve(Settings(database_url=database_url, task_queue=task_queue, artifacts_dir=tmp_path / "artifacts",
                               temporal_address=temporal_env.client.service_client.config.target_host,
                               temporal_namespace=temporal_env.client.namespace))
    client = ConsoleClient(url)
    assert client.sign_in(*who).status_code == 200
    yield url, {"Cookie": f"partnerwatch_session={client.cookie}", "X-CSRF-Token": client.csrf}
    stop()


def test_the_api_answers_as_it_documents(fuzzed):
    url, signed_in = fuzzed
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        headers = {} if (operation.method.upper(), operation.path) == ("DELETE", "/api/v1/session") else signed_in

        # Hypothesis draws cases for one operation at a time; a failure names the operation and its case.
        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers_as_documented(case):
            case.call_and_validate(base_url=url, headers=headers, checks=CHECKS)

        answers_as_documented()
