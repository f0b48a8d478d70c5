"""Background services of the demo, each with a pid file and a log under .partnerwatch/, reused
when already running so that a second run changes nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from config import STATE_DIR, loopback_origins
from temporal_common.connection import dev_server_flags

RUN, LOGS = STATE_DIR / "run", STATE_DIR / "logs"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]
    port: int | None = None

    @property
    def pid_file(self) -> Path:
        return RUN / f"{self.name}.pid"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def running_pid(service: Service) -> int | None:
    try:
        pid = int(service.pid_file.read_text())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def start(service: Service, env: dict[str, str], ready_timeout_s: float = 60) -> str:
    if running_pid(service):
        return "already running"
    if service.port and _port_open(service.port):
        raise SystemExit(f"demo: port {service.port} for the {service.name} is taken by another program; stop it first")
    RUN.mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / f"{service.name}.log", "ab")
    process = subprocess.Popen(service.command, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                               env={**os.environ, **env}, start_new_session=True)
    service.pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + ready_timeout_s
    while service.port and not _port_open(service.port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"demo: the {service.name} did not start; see {LOGS / (service.name + '.log')}")
        time.sleep(0.2)
    return "started"


def stop(service: Service) -> str:
    pid = running_pid(service)
    if pid is None:
        return "not running"
    os.killpg(pid, signal.SIGTERM)
    for _ in range(100):
        if not _alive(pid):
            break
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    service.pid_file.unlink(missing_ok=True)
    return "stopped"


WEBHOOK_SECRET = RUN / "demo-webhook.secret"


CONSOLE_ADMIN_PASSWORD = RUN / "console-admin.password"


MAILBOX = STATE_DIR / "mailbox"


def services(site_port: int, temporal_port: int, ui_port: int, codec_port: int, receiver_port: int,
             console_port: int, mailbox_port: int) -> list[Service]:
    return [
        # Where invitations to partners' admins go: each message kept in .partnerwatch/mailbox/, logged with its links.
        Service("mailbox", [sys.executable, "-m", "devtools.mailbox", "--port", str(mailbox_port),
                            "--folder", str(MAILBOX)], port=mailbox_port),
        # Where the demo's alerts go: verifies each signature, logs each event (logs/receiver.log).
        Service("receiver", [sys.executable, "-m", "devtools.webhook_receiver", "--port", str(receiver_port),
                             "--secret-file", str(WEBHOOK_SECRET)], port=receiver_port),
        # Payloads are encrypted; the UI asks this loopback server to decode them for the operator.
        Service("codec", [sys.executable, "-m", "temporal_common.codec_server", "--port", str(codec_port),
                          *(arg for origin in loopback_origins(f"http://localhost:{ui_port}") for arg in ("--ui-origin", origin))],
                port=codec_port),
        Service("temporal", [str(BIN / "temporal"), "server", "start-dev", "--db-filename", str(STATE_DIR / "temporal.db"),
                             "--port", str(temporal_port), "--ui-port", str(ui_port), "--log-level", "warn",
                             "--ui-codec-endpoint", f"http://127.0.0.1:{codec_port}", "--ui-disable-news-fetch",
                             *dev_server_flags()], port=temporal_port),
        Service("site", [sys.executable, "-m", "pinterest_sim", "--host", "127.0.0.1", "--port", str(site_port),
                         "--world", str(Path("pinterest_sim/worlds/demo.json"))], port=site_port),
        Service("worker", [sys.executable, "worker.py"]),
        # The web console and its API, on loopback.
        Service("console", [str(BIN / "partnerwatch"), "web", "--port", str(console_port)], port=console_port),
    ]
