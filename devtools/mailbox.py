"""The demo's mailbox: an SMTP server on loopback that keeps each message it is given as a file in
`--folder` and logs one line per message (who, what, and the links in it), so that whoever plays the
partner's admin in the demo can open their invitation.

    python -m devtools.mailbox --port 8025 --folder .partnerwatch/mailbox
"""

from __future__ import annotations

import argparse
import asyncio
import email
import re
import sys
from datetime import datetime, timezone
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


class Mailbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        at = datetime.now(timezone.utc)
        path = self.folder / f"{at:%Y%m%dT%H%M%S%f}.eml"
        path.write_bytes(envelope.content)
        body = message.get_body(("plain",))
        links = LINK.findall(body.get_content() if body else "")
        print(f"{at:%H:%M:%S} to {', '.join(envelope.rcpt_tos)}: {message['Subject']} ({path.name})"
              + "".join(f"\n    {link}" for link in links), flush=True)
        return "250 Message accepted for delivery"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args(argv)
    controller = Controller(Mailbox(args.folder), hostname="127.0.0.1", port=args.port)
    controller.start()
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
