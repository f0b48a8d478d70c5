"""reviews start|list|show|decide|reassign|export: access reviews, the company attesting which of its
partners' people keep access (docs/REVIEWS.md)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated

import typer

from common.grants import AssetGrant

from control import reviews as review_control
from models import console_users, partners, reviews
from models.statuses import Decision
from starter import context
from starter.options import AsJson, Output, OutputFormat, PartnerFilter, Workspace
from starter.output import emit, output_format, say
from workflows.review_partner_access.payloads import DecideInput, ReassignInput

reviews_app = typer.Typer(help="Access reviews: who of the partners' people keeps access, decided and recorded.",
                          no_args_is_help=True)


class Choice(str, Enum):
    keep = "keep"
    revoke = "revoke"


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"


Campaign = Annotated[str, typer.Argument(metavar="CAMPAIGN", help="The review's id (rev_…)")]
By = Annotated[str, typer.Option("--by", metavar="EMAIL", help="The console user deciding (the reviewer)")]
Items = Annotated[list[int], typer.Option("--item", metavar="ID", help="An item's id (repeatable)")]
Flag = Annotated[reviews.ReviewFlag | None, typer.Option("--flag", case_sensitive=False,
                                                        help="Only items with this flag")]
Role = Annotated[str | None, typer.Option("--role", metavar="ROLE", help="Only people with this role (Admin, Manager, Employee)")]
Permission = Annotated[str | None, typer.Option("--permission", metavar="PERMISSION",
                                                help="Only people with this permission on an asset (Admin, Analyst, …)")]
Search = Annotated[str | None, typer.Option("--search", metavar="TEXT", help="Only people whose name or email contains it")]
All = Annotated[bool, typer.Option("--all", help="Every undecided item the other options match (no filter: all of them)")]


def _campaign(session, workspace: str | None, campaign_id: str):
    ws = context.workspace(session, workspace)
    return ws, reviews.get(session, ws.id, campaign_id)


def _select(session, ws_id: str, campaign_id: str, items: list[int], partner: str | None, flag, role, permission,
            search, everything: bool) -> list[int]:
    wanted = reviews.ItemFilter(partner_id=partners.resolve(session, ws_id, partner).id if partner else None,
                                flag=flag, role=role, permission=permission, search=search)
    return reviews.select_items(session, campaign_id, items, wanted, everything)


@reviews_app.command("start")
def start(workspace: Workspace = None,
          partner: Annotated[list[str], typer.Option("--partner", "-p", metavar="BUSINESS_ID",
                                                     help="A partner to review (repeatable; default: every onboarded partner)")] = [],
          reviewer: str = typer.Option(..., "--reviewer", metavar="EMAIL", help="The console user who decides"),
          due: str = typer.Option("14d", "--due", metavar="DURATION", help="When decisions are due (14d)"),
          fallback: str | None = typer.Option(None, "--fallback", metavar="EMAIL",
                                              help="Asked too once the due date passes"),
          grace: str = typer.Option("7d", "--grace", metavar="DURATION",
                                    help="From the due date to the deadline, when the no-response action applies"),
          no_response: Choice = typer.Option(Choice.keep, "--no-response", case_sensitive=False,
                                             help="What undecided items get at the deadline"),
          escalate_after: str = typer.Option("7d", "--escalate-after", metavar="DURATION",
                                             help="A removal request still open this long escalates"),
          every: str | None = typer.Option(None, "--every", metavar="DURATION",
                                           help="Recurring: the next campaign opens this long after this one")) -> None:
    """Start an access review: one item per partner person who reaches the company's assets."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        input = review_control.review_input(session, review_control.StartRequest(
            workspace_id=ws.id, partner_ids=[partners.resolve(session, ws.id, b).id for b in partner],
            reviewer=reviewer, fallback=fallback, due=context.duration(due), grace=context.duration(grace),
            escalate_after=context.duration(escalate_after), every=context.duration(every) if every else None,
            no_response=Decision(no_response.value.capitalize()), actor=context.actor()))

    async def go():
        return await review_control.start(await context.temporal(), context.settings(), input)

    state = context.run(go())
    if state is None:
        say(f"Access review {input.campaign_id} started; no worker has opened it yet (is the worker running?)")
        return
    say(f"Access review {input.campaign_id} opened: {state.items} people to review by "
        f"{state.due_at:%Y-%m-%d %H:%M} UTC (deadline {state.deadline_at:%Y-%m-%d %H:%M} UTC, "
        f"no response: {input.no_response})")


@reviews_app.command("list")
def list_reviews(workspace: Workspace = None, output: Output = OutputFormat.table, as_json: AsJson = False) -> None:
    """List the workspace's access reviews."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        users = {u.id: u.email for u in console_users.list_for(session, ws.id)}
        rows = [{"id": c.id, "status": c.status, "reviewer": users.get(c.reviewer_id), "fallback": users.get(c.fallback_id),
                 "opened_at": c.opened_at, "due_at": c.due_at, "deadline_at": c.deadline_at, **reviews.counts(session, c.id)}
                for c in reviews.list_for(session, ws.id)]
    emit(rows, ["id", "status", "reviewer", "fallback", "opened_at", "due_at", "deadline_at", "items", "undecided",
                "kept", "revoked"], fmt)


@reviews_app.command("show")
def show(campaign: Campaign, workspace: Workspace = None, partner: PartnerFilter = None, flag: Flag = None,
         role: Role = None, permission: Permission = None, search: Search = None,
         undecided: bool = typer.Option(False, "--undecided", help="Only undecided items"),
         output: Output = OutputFormat.table, as_json: AsJson = False) -> None:
    """A review's items: each person, their role, assets, flags, and the decision."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        ws, found = _campaign(session, workspace, campaign)
        by_partner = {p.id: p.business_id for p in partners.list_for(session, ws.id)}
        users = {u.id: u.email for u in console_users.list_for(session, ws.id)}
        wanted = reviews.ItemFilter(partner_id=partners.resolve(session, ws.id, partner).id if partner else None,
                                    flag=flag, role=role, permission=permission, search=search, undecided=undecided)
        requests = reviews.requests_of(session, found.id)
        rows = [{"id": i.id, "partner": by_partner.get(i.partner_id), "email": i.email, "name": i.name, "role": i.role,
                 "assets": [str(AssetGrant.model_validate(g)) for g in i.assets], "last_active": i.last_active,
                 "flags": i.flags, "reviewer": users.get(i.assignee_id), "decision": i.decision or "Undecided",
                 "decided_by": i.decided_by, "justification": i.justification,
                 "request": requests[i.id].status if i.id in requests else None}
                for i in reviews.items(session, found.id, wanted)]
        tally = reviews.counts(session, found.id)
    if fmt is OutputFormat.table:
        say(f"Access review {found.id}: {found.status}; {tally['undecided']} of {tally['items']} undecided, "
            f"due {found.due_at:%Y-%m-%d %H:%M} UTC")
    emit(rows, ["id", "partner", "email", "name", "role", "assets", "last_active", "flags", "reviewer", "decision",
                "decided_by", "justification", "request"], fmt)


@reviews_app.command("decide")
def decide(campaign: Campaign, decision: Choice = typer.Argument(..., metavar="keep|revoke", case_sensitive=False,
                                                                help="Keep the access, or ask the partner to remove it"),
           workspace: Workspace = None, by: By = ..., item: Items = [], partner: PartnerFilter = None, flag: Flag = None,
           role: Role = None, permission: Permission = None, search: Search = None, everything: All = False,
           justification: str | None = typer.Option(None, "--justification", metavar="TEXT",
                                                     help="Why (required to revoke)")) -> None:
    """Keep or revoke items, by id or in bulk by filter. A revoke asks the partner's admin to remove them."""
    with context.store() as session:
        ws, found = _campaign(session, workspace, campaign)
        decider = console_users.resolve(session, ws.id, by)
        ids = _select(session, ws.id, found.id, item, partner, flag, role, permission, search, everything)

    async def go():
        return await review_control.decide(await context.temporal(), found, DecideInput(
            item_ids=ids, decision=Decision(decision.value.capitalize()), justification=justification,
            decider_id=decider.id))

    result = context.run(go())
    _report(result, "decided", decision.value)


@reviews_app.command("reassign")
def reassign(campaign: Campaign, workspace: Workspace = None, by: By = ...,
             to: str = typer.Option(..., "--to", metavar="EMAIL", help="The console user who decides instead"),
             note: str = typer.Option(..., "--note", metavar="TEXT", help="Why (kept with the item)"),
             item: Items = [], partner: PartnerFilter = None, flag: Flag = None, role: Role = None,
             permission: Permission = None, search: Search = None, everything: All = False) -> None:
    """Give undecided items to another reviewer, with a note."""
    with context.store() as session:
        ws, found = _campaign(session, workspace, campaign)
        who, to_user = console_users.resolve(session, ws.id, by), console_users.resolve(session, ws.id, to)
        ids = _select(session, ws.id, found.id, item, partner, flag, role, permission, search, everything)

    async def go():
        return await review_control.reassign(await context.temporal(), found, ReassignInput(
            item_ids=ids, to_id=to_user.id, note=note, by_id=who.id))

    _report(context.run(go()), "reassigned", f"to {to}")


def _report(result, done: str, what: str) -> None:
    if result.decided:
        say(f"{review_control.items(len(result.decided))} {done} ({what}); {result.undecided} undecided left"
            + (f"; {review_control.items(len(result.requests), 'removal request')} sent to the partner's admin"
               if result.requests else ""))
    for line in review_control.refusals(result):
        print(f"refused: {line}", file=sys.stderr)
    if not result.decided:
        raise typer.Exit(4)


@reviews_app.command("export")
def export(campaign: Campaign, workspace: Workspace = None,
           format: ExportFormat = typer.Option(ExportFormat.csv, "--format", case_sensitive=False,
                                               help="csv (one row per item) or json (the campaign and its items)")) -> None:
    """The evidence: every item with its decision, decider, time, justification and source checks."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        record = reviews.evidence(session, ws.id, campaign)
    if format is ExportFormat.json:
        json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    sys.stdout.write(reviews.evidence_csv(record))
