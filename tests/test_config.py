"""Settings: the only reader of the environment, one key-file format, one mapping to a child's environment."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from config import KeysMissing, Settings, create_key_file, read_key_file

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["worker.py", "logs.py", "totp.py", "models", "workflows", "activities", "starter", "temporal_common",
           "pinterest_reader"]


def _reads_environment(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                isinstance(node.value, ast.Name) and node.value.id == "os":
            return True
    return False


def test_only_settings_read_the_environment():
    files = [p for entry in SHIPPED for p in ((ROOT / entry).rglob("*.py") if (ROOT / entry).is_dir() else [ROOT / entry])]
    readers = [str(p.relative_to(ROOT)) for p in files if _reads_environment(p)]
    assert readers == [], f"read the environment through config.Settings instead: {readers}"


def test_a_child_process_gets_exactly_the_settings_that_were_set(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/x.db", parallel_pages=7, reuse_sessions=False,
                        codec_ui_origins="http://a.example, http://b.example", codec_key="c2VjcmV0",
                        temporal_address="127.0.0.1:7999")
    env = settings.as_env()
    assert env["TEMPORAL_ADDRESS"] == "127.0.0.1:7999" and env["PARTNERWATCH_PARALLEL_PAGES"] == "7"
    assert "PARTNERWATCH_PAGE_TIMEOUT_S" not in env  # a default stays the child's own default
    code = ("from config import Settings; s = Settings(); "
            "print(s.database_url, s.parallel_pages, s.reuse_sessions, ','.join(s.codec_ui_origins), "
            "s.codec_key.get_secret_value(), s.temporal_address)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env},
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == [settings.database_url, "7", "False", "http://a.example,http://b.example", "c2VjcmV0",
                   "127.0.0.1:7999"]


def test_the_cli_logs_warnings_unless_a_level_is_set(monkeypatch):
    monkeypatch.delenv("PARTNERWATCH_LOG_LEVEL", raising=False)
    assert Settings(_env_file=None).cli_log_level == "WARNING"
    monkeypatch.setenv("PARTNERWATCH_LOG_LEVEL", "DEBUG")
    assert Settings(_env_file=None).cli_log_level == "DEBUG"


def test_one_key_file_format_and_a_clear_line_for_what_is_wrong(tmp_path):
    path = tmp_path / "k.key"
    assert create_key_file(path, "ck") and not create_key_file(path, "ck")  # never overwritten
    assert path.stat().st_mode & 0o777 == 0o600
    keys = read_key_file(path)
    assert keys.active.startswith("ck") and len(keys.keys[keys.active]) == 32
    path.write_text("just-one-word\n")
    with pytest.raises(KeysMissing, match="line 1"):
        read_key_file(path)
    with pytest.raises(KeysMissing, match="keys init"):
        read_key_file(tmp_path / "absent.key")
