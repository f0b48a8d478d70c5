"""`partnerwatch`: one command line for onboarding, checks and what they found."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

import typer
from sqlalchemy.exc import OperationalError
from temporalio.client import WorkflowFailureError
from temporalio.service import RPCError

import logs
from config import KeysMissing
from control.checks import said_by
from models.errors import StoreError
from starter import context
from starter.context import StillRunning

# Where each command lives, in the order `--help` lists them. A command's module is imported only
# when that command runs (all of them for help, completion and a mistyped name): `workspace list`
# then loads the store, not Playwright and every workflow, and starts in two thirds of the time.
GROUPS: dict[str, tuple[str, str]] = {
    "workspace": ("starter.cmd_workspace", "workspace_app"),
    "integration": ("starter.cmd_workspace", "integration_app"),
    "partners": ("starter.cmd_partners", "app"),
    "guests": ("starter.cmd_onboarding", "guests_app"),
    "monitor": ("starter.cmd_onboarding", "monitor_app"),
    "tasks": ("starter.cmd_tasks", "tasks_app"),
    "users": ("starter.cmd_tasks", "users_app"),
    "changes": ("starter.cmd_changes", "changes_app"),
    "events": ("starter.cmd_changes", "events_app"),
    "alerts": ("starter.cmd_alerts", "alerts_app"),
    "schedules": ("starter.cmd_schedules", "schedules_app"),
    "temporal": ("starter.cmd_schedules", "temporal_app"),
    "keys": ("starter.cmd_keys", "keys_app"),
    "audit": ("starter.cmd_audit", "audit_app"),
    "db": ("starter.cmd_db", "db_app"),
    "console-users": ("starter.cmd_web", "console_users_app"),
    "reviews": ("starter.cmd_reviews", "reviews_app"),
}
COMMANDS: dict[str, tuple[str, str]] = {
    "web": ("starter.cmd_web", "web"),
    "doctor": ("starter.cmd_doctor", "doctor"),
}


def _loaded(where: tuple[str, str]):
    module, name = where
    return getattr(importlib.import_module(module), name)


def build_app(names: Iterable[str] | None = None) -> typer.Typer:
    """The command line with the named commands (every command when None)."""
    wanted = set(GROUPS) | set(COMMANDS) if names is None else set(names)
    # Plain (not rich) help: it reads the same piped or on a terminal, and flags show no type.
    built = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None)
    built.callback()(_root)
    for name, where in GROUPS.items():
        if name in wanted:
            built.add_typer(_loaded(where), name=name)
    for name, where in COMMANDS.items():
        if name in wanted:
            built.command(name)(_loaded(where))
    return built


USAGE_EXIT = 2
STORE_EXIT = 8  # the store cannot be reached or opened


def _version() -> str:
    try:
        return version("partnerwatch")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        print(f"partnerwatch {_version()}")
        raise typer.Exit(0)


def _root(show_version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                            help="Print partnerwatch's version and exit")) -> None:
    """Partner user visibility for Pinterest Business."""


def _usage_line(error: typer.TyperException) -> str:
    """One line for a parser error: the command it concerns, what is wrong, where to look."""
    ctx = getattr(error, "ctx", None)
    where = ctx.command_path if ctx is not None else "partnerwatch"
    message = error.format_message().strip().rstrip(".").replace("Value error, ", "")
    return f"{where}: {message[:1].lower() + message[1:]} (see '{where} --help')"


def run(argv: list[str]) -> int:
    """Runs one command; every error becomes one line on stderr and a documented exit code."""
    named = argv[:1] if argv and argv[0] in GROUPS.keys() | COMMANDS.keys() else None
    command = typer.main.get_command(build_app(named))
    try:
        # Without standalone mode the parser's errors come here instead of exiting the process.
        returned = command.main(args=argv, prog_name="partnerwatch", standalone_mode=False)
        return returned if isinstance(returned, int) else 0
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        print("partnerwatch: aborted", file=sys.stderr)
        return 130
    except typer.TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # a group with no command: its help is the answer
            print(error.format_message(), file=sys.stderr)
        else:
            print(_usage_line(error), file=sys.stderr)
        return getattr(error, "exit_code", USAGE_EXIT) or USAGE_EXIT
    except (StoreError, StillRunning) as error:
        print(f"partnerwatch: {error}", file=sys.stderr)
        return error.exit_code
    except OperationalError as error:
        # The driver's own first line (refused connection, unknown database, locked file), never the
        # statement or its parameters.
        said = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        print(f"partnerwatch: cannot use the store: {said}", file=sys.stderr)
        return STORE_EXIT
    except KeysMissing as error:
        print(f"partnerwatch: {error}", file=sys.stderr)
        return USAGE_EXIT
    except WorkflowFailureError as error:
        print(f"partnerwatch: the workflow failed: {said_by(error)}", file=sys.stderr)
        return 6
    except RPCError as error:
        print(f"partnerwatch: Temporal said: {error.message}", file=sys.stderr)
        return 5
    except (ConnectionError, RuntimeError) as error:
        if "connect" in str(error).lower():
            print(f"partnerwatch: cannot reach Temporal ({error})", file=sys.stderr)
            return 5
        raise
    except KeyboardInterrupt:
        print("partnerwatch: interrupted (started work goes on)", file=sys.stderr)
        return 130


def main() -> None:
    settings = context.settings()
    logs.configure(settings.cli_log_level, settings.log_format)
    code = run(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # The Temporal client's runtime can abort at interpreter exit (sdk-python #300): leave now,
    # so that the exit code is the command's.
    os._exit(code)


if __name__ == "__main__":
    main()
