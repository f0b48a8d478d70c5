"""The command line in a new user's hands, through the installed `partnerwatch` entry point: parser
errors are one line and exit 2, listings print what machines and people can read, every option says
what it does, and the shell completes commands."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import typer

from starter.cli import build_app

ENTRY_POINT = Path(sys.executable).with_name("partnerwatch")


@pytest.fixture
def run(tmp_path, database_url):
    env = {**os.environ, "PARTNERWATCH_DATABASE_URL": database_url, "COLUMNS": "200"}
    env.pop("PARTNERWATCH_WORKSPACE", None)

    def run(*args: str, extra_env: dict | None = None, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([str(ENTRY_POINT), *args], env={**env, **(extra_env or {})}, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60, input=stdin)

    return run


PARSER_ERRORS = [
    # (argv, words on stderr)
    (("partners", "check", "-w", "Acme"), "partnerwatch partners check: missing option '--partner' / '-p'"),
    (("partners", "list", "--bogus"), "partnerwatch partners list: no such option: --bogus"),
    (("tasks", "list", "--limit", "many"), "partnerwatch tasks list: invalid value for '--limit'"),
    (("tasks", "list", "--limit", "0"), "partnerwatch tasks list: invalid value for '--limit'"),
    (("users", "list", "-o", "xml"), "'xml' is not one of 'table', 'json', 'jsonl', 'csv'"),
    (("partners", "check", "-w", "Acme", "-p", "549755813002", "--timeout", "soon"), "'soon' is not a duration"),
    (("users", "list", "--json", "--csv"), "choose one output format"),
    (("nosuch",), "partnerwatch: no such command 'nosuch'"),
]


@pytest.mark.parametrize("argv,words", PARSER_ERRORS, ids=[" ".join(a) for a, _ in PARSER_ERRORS])
def test_a_parser_error_is_one_line_and_exit_2(run, argv, words):
    result = run(*argv)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr, result.stderr


@pytest.mark.parametrize("argv", [(), ("partners",), ("monitor",)])
def test_no_command_shows_the_help_and_exits_2(run, argv):
    result = run(*argv)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Usage: partnerwatch {' '.join(argv)}".rstrip() + " [OPTIONS] COMMAND"), result.stderr


def test_version(run):
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip().startswith("partnerwatch 0.")


def test_the_shell_completes_commands_and_options(run):
    env = {"_PARTNERWATCH_COMPLETE": "complete_bash", "COMP_WORDS": "partnerwatch part", "COMP_CWORD": "1"}
    assert run(extra_env=env).stdout.split() == ["partners"]
    env.update(COMP_WORDS="partnerwatch partners check --", COMP_CWORD="3")
    assert {"--partner", "--wait", "--no-wait", "--timeout"} <= set(run(extra_env=env).stdout.split())
    # The shell named, not detected from the process tree: a test run with no shell above it
    # (a CI runner, a background job) would otherwise get "Shell not supported".
    script = run("--show-completion", "bash", extra_env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert script.returncode == 0 and "_PARTNERWATCH_COMPLETE=complete_bash" in script.stdout


def _commands(group, path=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def test_every_option_says_what_it_does_and_flags_show_no_type():
    root = typer.main.get_command(build_app())
    found = list(_commands(root))
    assert len(found) >= 25
    for path, command in found:
        for param in command.params:
            assert param.help, f"partnerwatch {' '.join(path)}: {param.opts} has no help text"
        ctx = typer.Context(command, info_name=" ".join(("partnerwatch", *path)))
        text = command.get_help(ctx)
        assert "<bool>" not in text, f"partnerwatch {' '.join(path)} --help:\n{text}"


def test_listings_print_table_json_jsonl_and_csv(run):
    for name in ("Acme Brands", "Übercorp, Inc."):
        assert run("workspace", "create", name).returncode == 0

    plain = run("workspace", "list")  # stdout is a pipe here, not a terminal
    assert plain.returncode == 0 and not set("│─╭╮╰╯┃━┏┓") & set(plain.stdout), plain.stdout
    header, *lines = plain.stdout.splitlines()
    assert header.split() == ["ID", "NAME", "CREATED", "AT"] and len(lines) == 2

    [*rows] = json.loads(run("workspace", "list", "-o", "json").stdout)
    assert json.loads(run("workspace", "list", "--json").stdout) == rows
    stamp = datetime.fromisoformat(rows[0]["created_at"])
    assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0, rows[0]["created_at"]

    lines = run("workspace", "list", "--output", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == rows

    table = list(csv.DictReader(io.StringIO(run("workspace", "list", "-o", "csv").stdout)))
    assert [r["name"] for r in table] == [r["name"] for r in rows] and "Übercorp, Inc." in [r["name"] for r in table]


def test_a_totp_secret_that_cannot_work_is_refused_when_shared(run):
    assert run("workspace", "create", "Acme Brands").returncode == 0
    add = ("integration", "add", "-w", "Acme Brands", "--business-id", "549755813001", "--email", "int@acme.example",
           "--password-stdin")
    refused = run(*add, stdin="a-password\nJBSWY3DP\n")
    assert refused.returncode == 2 and "the TOTP secret has 40 bits" in refused.stderr, refused.stderr
    assert "JBSWY3DP" not in refused.stderr + refused.stdout and "a-password" not in refused.stderr
    assert run(*add, stdin="a-password\njbsw y3dp ehpk 3pxp\n").returncode == 0


def test_a_command_loads_only_its_own_group(database_url):
    """`workspace list` imports neither Playwright nor a workflow's module; help still lists every command."""
    probe = ("import sys\n"
             "from starter.cli import run\n"
             "code = run(['workspace', 'list'])\n"
             "print(sorted(m for m in sys.modules if m.startswith(('playwright', 'activities.site',\n"
             "      'workflows.check_for_updates.workflow', 'workflows.onboard_partner.workflow'))))\n"
             "sys.exit(code)\n")
    env = {**os.environ, "PARTNERWATCH_DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
    names = set(typer.main.get_command(build_app()).commands)
    assert {"workspace", "partners", "reviews", "web", "doctor", "console-users"} <= names and len(names) == 19
