"""Any Temporal through `temporalio.envconfig`: a TOML profile reaches the dev server with no code
change; TLS and API keys come from the profile (the dev server serves no TLS, so those are checked as
the connection arguments they become)."""

from __future__ import annotations

import pytest
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from config import Settings
from temporal_common.connection import connect


@pytest.fixture
def no_temporal_env(monkeypatch):
    for name in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_PROFILE", "TEMPORAL_CONFIG_FILE",
                 "TEMPORAL_API_KEY"):
        monkeypatch.delenv(name, raising=False)


async def test_a_profile_file_reaches_the_server(tmp_path, temporal_env, no_temporal_env):
    address = temporal_env.client.service_client.config.target_host
    profile = tmp_path / "temporal.toml"
    profile.write_text(f'[profile.partnerwatch]\naddress = "{address}"\nnamespace = "{temporal_env.client.namespace}"\n')
    settings = Settings(_env_file=None, temporal_config_file=profile, temporal_profile="partnerwatch")
    client = await connect(settings)
    assert (client.service_client.config.target_host, client.namespace) == (address, temporal_env.client.namespace)
    assert (await client.workflow_service.get_system_info(GetSystemInfoRequest())).server_version
    # An address given to partnerwatch itself wins over the profile's.
    mine = Settings(_env_file=None, temporal_config_file=profile, temporal_profile="partnerwatch",
                    temporal_address="10.0.0.9:7233")
    assert mine.temporal_connect_config()["target_host"] == "10.0.0.9:7233"


def test_temporal_cloud_and_mtls_come_from_the_profile(tmp_path, no_temporal_env, monkeypatch):
    for name, data in (("client.pem", b"cert"), ("client.key", b"key"), ("ca.pem", b"ca")):
        (tmp_path / name).write_bytes(data)
    profile = tmp_path / "temporal.toml"
    profile.write_text(f"""
[profile.cloud]
address = "ns.acct.tmprl.cloud:7233"
namespace = "ns.acct"
api_key = "an-api-key"

[profile.mtls]
address = "temporal.internal:7233"
namespace = "partnerwatch"
[profile.mtls.tls]
client_cert_path = "{tmp_path / 'client.pem'}"
client_key_path = "{tmp_path / 'client.key'}"
server_ca_cert_path = "{tmp_path / 'ca.pem'}"
""")
    cloud = Settings(_env_file=None, temporal_config_file=profile, temporal_profile="cloud").temporal_connect_config()
    assert cloud == {"target_host": "ns.acct.tmprl.cloud:7233", "namespace": "ns.acct", "api_key": "an-api-key",
                     "tls": True}
    mtls = Settings(_env_file=None, temporal_config_file=profile, temporal_profile="mtls").temporal_connect_config()
    assert (mtls["target_host"], mtls["namespace"]) == ("temporal.internal:7233", "partnerwatch")
    tls = mtls["tls"]
    assert (tls.client_cert, tls.client_private_key, tls.server_root_ca_cert) == (b"cert", b"key", b"ca")
    # The TEMPORAL_* variables work as Temporal's own tools read them.
    monkeypatch.setenv("TEMPORAL_API_KEY", "from-the-environment")
    assert Settings(_env_file=None, temporal_config_file=profile,
                    temporal_profile="cloud").temporal_connect_config()["api_key"] == "from-the-environment"


def test_without_a_profile_the_defaults_serve(tmp_path, no_temporal_env):
    config = Settings(_env_file=None, temporal_config_file=tmp_path / "absent.toml").temporal_connect_config()
    assert config == {"target_host": "localhost:7233", "namespace": "default"}
