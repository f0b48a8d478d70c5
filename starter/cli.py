"""`partnerwatch`: one command line for onboarding, checks and what they found."""

from __future__ import annotations

import os
import sys

import click
import typer
from temporalio.client import WorkflowFailureError
from temporalio.service import RPCError

import logs
from models.errors import StoreError
from starter.cmd_audit import audit_app
from starter.cmd_keys import keys_app
from starter.cmd_onboarding import guests_app, monitor_app
from starter.cmd_partners import app as partners_app
from starter.cmd_schedules import schedules_app, temporal_app
from starter.cmd_tasks import tasks_app, users_app
from starter.cmd_workspace import integration_app, workspace_app

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
app.add_typer(workspace_app, name="workspace")
app.add_typer(integration_app, name="integration")
app.add_typer(partners_app, name="partners")
app.add_typer(guests_app, name="guests")
app.add_typer(monitor_app, name="monitor")
app.add_typer(tasks_app, name="tasks")
app.add_typer(users_app, name="users")
app.add_typer(schedules_app, name="schedules")
app.add_typer(temporal_app, name="temporal")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")


def run(argv: list[str]) -> int:
    """Runs one command; errors become one line on stderr and a non-zero exit code."""
    command = typer.main.get_command(app)
    try:
        # Without standalone mode click hands back an Exit's code as the return value.
        returned = command.main(args=argv, prog_name="partnerwatch", standalone_mode=False)
        return returned if isinstance(returned, int) else 0
    except StoreError as error:
        print(f"partnerwatch: {error}", file=sys.stderr)
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        print("partnerwatch: aborted", file=sys.stderr)
        return 130
    except WorkflowFailureError as error:
        cause = error.cause
        while getattr(cause, "cause", None) is not None:
            cause = cause.cause
        print(f"partnerwatch: the workflow failed: {getattr(cause, 'message', None) or cause}", file=sys.stderr)
        return 6
    except RPCError as error:
        print(f"partnerwatch: Temporal said: {error.message}", file=sys.stderr)
        return 5
    except (ConnectionError, RuntimeError) as error:
        if "connect" in str(error).lower():
            print(f"partnerwatch: cannot reach Temporal ({error})", file=sys.stderr)
            return 5
        raise


def main() -> None:
    logs.configure(os.environ.get("PARTNERWATCH_LOG_LEVEL", "WARNING"))
    code = run(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # The Temporal client's runtime can abort at interpreter exit (sdk-python #300): leave now,
    # so that the exit code is the command's.
    os._exit(code)


if __name__ == "__main__":
    main()
