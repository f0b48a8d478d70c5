"""`partnerwatch`: one command line for onboarding, checks and what they found."""

from __future__ import annotations

import os
import sys
from importlib.metadata import PackageNotFoundError, version

import typer
from sqlalchemy.exc import OperationalError
from temporalio.client import WorkflowFailureError
from temporalio.service import RPCError

import logs
from config import KeysMissing
from control.checks import said_by
from models.errors import StoreError
from starter.cmd_alerts import alerts_app
from starter.cmd_audit import audit_app
from starter.cmd_changes import changes_app, events_app
from starter.cmd_db import db_app
from starter.cmd_doctor import doctor
from starter.cmd_keys import keys_app
from starter.cmd_onboarding import guests_app, monitor_app
from starter.cmd_partners import app as partners_app
from starter.cmd_reviews import reviews_app
from starter.cmd_schedules import schedules_app, temporal_app
from starter.cmd_tasks import tasks_app, users_app
from starter.cmd_web import console_users_app, web
from starter.cmd_workspace import integration_app, workspace_app
from starter import context
from starter.context import StillRunning

# Plain (not rich) help: it reads the same piped or on a terminal, and flags show no type.
app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None)
app.add_typer(workspace_app, name="workspace")
app.add_typer(integration_app, name="integration")
app.add_typer(partners_app, name="partners")
app.add_typer(guests_app, name="guests")
app.add_typer(monitor_app, name="monitor")
app.add_typer(tasks_app, name="tasks")
app.add_typer(users_app, name="users")
app.add_typer(changes_app, name="changes")
app.add_typer(events_app, name="events")
app.add_typer(alerts_app, name="alerts")
app.add_typer(schedules_app, name="schedules")
app.add_typer(temporal_app, name="temporal")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")
app.add_typer(console_users_app, name="console-users")
app.add_typer(reviews_app, name="reviews")
app.command("web")(web)
app.command("doctor")(doctor)

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


@app.callback()
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
    command = typer.main.get_command(app)
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
