"""A Standard Webhooks receiver for the demo: verifies each request with the `standardwebhooks`
package and the secret in `--secret-file` (read on every request, so that it may be written after the
receiver starts, as `alerts add` prints it), and logs one line per event. Answers 401 to anything
that does not verify.

    python -m devtools.webhook_receiver --port 8766 --secret-file .partnerwatch/run/demo-webhook.secret
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


def handler_for(secret_file: Path):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the standard library's name)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                event = Webhook(secret_file.read_text().strip()).verify(body, dict(self.headers.items()))
            except (OSError, WebhookVerificationError) as refused:
                self._answer(401)
                print(f"{datetime.now(timezone.utc):%H:%M:%S} refused: {type(refused).__name__}", flush=True)
                return
            self._answer(204)
            summary = event["data"].get("counts") or event["data"].get("reason") or ""
            print(f"{datetime.now(timezone.utc):%H:%M:%S} verified {event['type']} {event['id']} "
                  f"{json.dumps(summary, ensure_ascii=False)}", flush=True)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--secret-file", type=Path, required=True)
    args = parser.parse_args(argv)
    ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(args.secret_file)).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
