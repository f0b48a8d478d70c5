"""keys init|rotate|retire: the master key that wraps the data keys of every secret."""

from __future__ import annotations

import typer

from config import create_key_file
from models import audit
from models.vault import MASTER_KID_PREFIX
from starter import context
from starter.output import say
from temporal_common.codec import CODEC_KID_PREFIX

keys_app = typer.Typer(help="The master key of the secrets' vault.", no_args_is_help=True)


@keys_app.command("init")
def init() -> None:
    """Create the vault's master key file and the payload codec's key file (mode 600) if missing.

    The only command that creates keys: other hosts get copies of these files, never their own."""
    settings = context.settings()
    for what, path, prefix in (("master key file", settings.master_key_file, MASTER_KID_PREFIX),
                               ("payload codec key file", settings.codec_key_file, CODEC_KID_PREFIX)):
        say(f"{'Created' if create_key_file(path, prefix) else 'Already there:'} {what} {path}")


@keys_app.command("rotate")
def rotate() -> None:
    """Make a new master key active and wrap every data key under it. Checks keep running: the
    secrets' ciphertexts do not change. Retire the old key afterwards with `keys retire`."""
    with context.store() as session:
        v = context.vault()
        kid, count = v.rotate_master(session)
        v.masters.write()
        audit.record(session, None, "key.rotate", target=kid, details={"data_keys": count}, by=context.actor())
    say(f"Master key {kid} is active; {count} data key(s) wrapped under it")


@keys_app.command("retire")
def retire() -> None:
    """Drop master keys that no data key needs any more."""
    with context.store() as session:
        v = context.vault()
        retired = v.retire_unused(session)
        v.masters.write()
        if retired:
            audit.record(session, None, "key.retire", target=",".join(retired), by=context.actor())
    say(f"Retired: {', '.join(retired)}" if retired else "No master key to retire")
