"""A throwaway PostgreSQL cluster on a free loopback port, in a temp folder, for the tests and the
benchmarks: initdb, pg_ctl start, and everything removed afterwards (a run killed before it could is
cleaned up by the next one). As root it runs as the `postgres` user (PostgreSQL refuses to run as
root). It never touches a cluster of the machine's own. pytest-postgresql was the other choice; it
runs pg_ctl as the current user, which fails as root, and the benchmarks need the same cluster.

The cluster is made the usual way, with the locale `en_US.UTF-8` (most distributions' default, and the
`postgres` image's), not `C`: a locale-aware collation orders text differently (punctuation and case
ignored at first), and code that leans on the store's order must fail here as it would in production.
Databases of other collations (`C`, ICU) are made beside it for the tests that read the site's order."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
FOLDER_PREFIX = "partnerwatch-pg-"
USUAL_LOCALE = "en_US.UTF-8"
# The collations a database can be made with (create_database): the cluster's own, or these.
COLLATIONS = {
    "C": "LOCALE 'C'",
    "en_US": f"LOCALE '{USUAL_LOCALE}'",
    "icu": f"LOCALE '{USUAL_LOCALE}' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'",
}


def locale_available(name: str = USUAL_LOCALE) -> bool:
    """Whether the C library has this locale (`locale -a` spells en_US.UTF-8 as en_US.utf8)."""
    try:
        listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return False
    wanted = name.lower().replace("utf-8", "utf8")
    return any(found.lower().replace("utf-8", "utf8") == wanted for found in listed)


class PostgresMissing(RuntimeError):
    pass


def postgres_bin() -> Path:
    """The folder of initdb and pg_ctl: on the PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresMissing("PostgreSQL is not installed (no initdb): run `bash scripts/setup`, which installs it")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class LocalPostgres:
    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None, collation: str | None = None) -> str:
        """A new database (copied from `template` when given, which is much faster than migrating), in
        the cluster's collation or one of COLLATIONS (made from template0, as PostgreSQL requires)."""
        import psycopg

        statement = f'CREATE DATABASE "{name}"'
        if collation is not None:
            if template is not None:
                raise ValueError("a database of another collation is made from template0, not a template")
            statement += f" TEMPLATE template0 ENCODING 'UTF8' {COLLATIONS[collation]}"
        elif template:
            statement += f' TEMPLATE "{template}"'
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres", autocommit=True) as c:
            c.execute(statement)
        return self.url(name)

    def restart(self, mode: str = "immediate") -> None:
        """`pg_ctl restart -m immediate`: every connection cut, no shutdown checkpoint, recovery at start."""
        prefix, _, _ = _as_postgres_user()
        subprocess.run([*prefix, str(postgres_bin() / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode,
                        "-l", str(self.folder / "server.log"),
                        "-w", "-t", "60", "restart"], check=True, capture_output=True)

    def has_icu(self) -> bool:
        """Whether this server was built with ICU (Debian's is)."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres") as c:
            return c.execute("SELECT count(*) FROM pg_collation WHERE collprovider = 'i'").fetchone()[0] > 0

    @contextmanager
    def throwaway_database(self, template: str | None = None) -> Iterator[str]:
        """A database of a uniquely made name for the block, dropped (sessions and all) after it."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        url = self.create_database(name, template)
        try:
            yield url
        finally:
            self.drop_database(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_postgres_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix and owner ids for running PostgreSQL: ourselves, or `postgres` when root."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresMissing("running as root and there is no `postgres` user to run PostgreSQL as") from None
    return ["runuser", "-u", "postgres", "--"], user.pw_uid, user.pw_gid


def _stop(prefix: list[str], binaries: Path, folder: Path) -> None:
    subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w", "stop"],
                   capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def _sweep_orphans(prefix: list[str], binaries: Path) -> None:
    """Stops the clusters of runs that were killed before they could (their owner is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            owner = int((folder / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            _stop(prefix, binaries, folder)
        except PermissionError:
            pass  # another user's live process


@contextmanager
def running_postgres(durable: bool = False, locale: str | None = None) -> Iterator[LocalPostgres]:
    """A cluster for the duration of the block. `durable=False` turns fsync off: tests need no crash
    safety, and it makes them faster; benchmarks that compare write costs pass durable=True. The locale
    is en_US.UTF-8 (`scripts/setup` generates it where it is missing), else `C` with a warning."""
    binaries = postgres_bin()
    prefix, uid, gid = _as_postgres_user()
    _sweep_orphans(prefix, binaries)
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    (folder / "owner.pid").write_text(str(os.getpid()))
    if uid is not None:
        os.chown(folder, uid, gid)
    data, port = folder / "data", _free_port()
    run = lambda *args: subprocess.run([*prefix, *map(str, args)], check=True, capture_output=True, text=True)  # noqa: E731
    options = [f"-p {port}", "-c listen_addresses=127.0.0.1", f"-k {folder}", "-c max_connections=200"]
    if not durable:
        options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    if locale is None:
        locale = USUAL_LOCALE if locale_available() else "C"
        if locale == "C":
            print(f"local_postgres: the locale {USUAL_LOCALE} is missing (run `bash scripts/setup`); the cluster "
                  "uses C", file=sys.stderr)
    try:
        run(binaries / "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync",
            f"--locale={locale}")
        run(binaries / "pg_ctl", "-D", data, "-l", folder / "server.log", "-o", " ".join(options), "-w", "-t", "60", "start")
    except subprocess.CalledProcessError as error:
        log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresMissing(f"could not start PostgreSQL: {error.stderr.strip() or log.strip()}") from None
    try:
        yield LocalPostgres(port=port, folder=folder)
    finally:
        _stop(prefix, binaries, folder)
