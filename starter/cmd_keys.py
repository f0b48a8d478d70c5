"""keys init|rotate|retire: the master key that wraps the data keys of every secret."""

from __future__ import annotations

import typer

from models import audit, vault
from payload_codec import init_key_file
from starter import context
from starter.output import say

keys_app = typer.Typer(help="The master key of the secrets' vault.", no_args_is_help=True)


@keys_app.command("init")
def init() -> None:
    """Create the vault's master key file and the payload codec's key file (mode 600) if missing."""
    path, created = vault.MasterKeys.init()
    say(f"{'Created' if created else 'Already there:'} master key file {path}")
    say(f"Payload codec key file {init_key_file()}")


@keys_app.command("rotate")
def rotate() -> None:
    """Make a new master key active and wrap every data key under it. Checks keep running: the
    secrets' ciphertexts do not change. Retire the old key afterwards with `keys retire`."""
    with context.store() as session:
        v = vault.current()
        kid, count = v.rotate_master(session)
        v.masters.write()
        audit.record(session, None, "key.rotate", target=kid, details={"data_keys": count})
    say(f"Master key {kid} is active; {count} data key(s) wrapped under it")


@keys_app.command("retire")
def retire() -> None:
    """Drop master keys that no data key needs any more."""
    with context.store() as session:
        v = vault.current()
        retired = v.retire_unused(session)
        v.masters.write()
        if retired:
            audit.record(session, None, "key.retire", target=",".join(retired))
    say(f"Retired: {', '.join(retired)}" if retired else "No master key to retire")
