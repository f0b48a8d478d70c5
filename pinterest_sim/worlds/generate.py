"""World files for the simulated site: the demo world and large worlds for benchmarks.

    python -m pinterest_sim.worlds.generate demo > pinterest_sim/worlds/demo.json
    python -m pinterest_sim.worlds.generate large --members 10000 > /tmp/large.json
    python -m pinterest_sim.worlds.generate many --partners 200 --size 30 > /tmp/many.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys

COMPANY_ID = "549755813001"
COMPANY_NAME = "Acme Brands"
INTEGRATION_EMAIL = "integration@acme.example"
INTEGRATION_PASSWORD = "Acme-Integration-2026!"
PERMISSIONS = ["Admin", "Analyst", "Campaign", "Audience", "Finance", "Catalogs", "Publisher"]
FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Eva", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kemal", "Lena",
         "Mateo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tomás", "Uma", "Vik", "Wen", "Yara", "Zoë"]
LAST = ["Ruiz", "Okafor", "Müller", "Nakamura", "Søndergaard", "Kowalski", "Haddad", "Lee", "Dubois",
        "Ivanova", "Costa", "O'Brien", "Brennan", "Takahashi", "Novák"]


def _company(world: dict) -> None:
    world["businesses"].append({"business_id": COMPANY_ID, "name": COMPANY_NAME})
    world["accounts"].append({"email": INTEGRATION_EMAIL, "password": INTEGRATION_PASSWORD, "totp_secret": None})
    for n, (name, kind) in enumerate([("Acme US Ads", "Ad account"), ("Acme EU Ads", "Ad account"),
                                      ("Acme on Pinterest", "Profile"), ("Acme Spring Catalog", "Catalog")], 1):
        world["assets"].append({"asset_id": f"5497640001{n:02d}", "name": name, "type": kind, "owner": COMPANY_ID})
    world["members"] += [
        _member(COMPANY_ID, INTEGRATION_EMAIL, "Acme Integration", "Manager", "Active", None, []),
        _member(COMPANY_ID, "ana@acme.example", "Ana Ruiz", "Manager", "Active", "2026-11-02", [("549764000101", "Admin")]),
    ]


def _member(bid, email, name, role, status, last_active, assets):
    return {"business_id": bid, "email": email, "name": name, "role": role, "status": status,
            "last_active": last_active, "assets": [{"asset_id": a, "permission": p} for a, p in assets]}


def _people(rng: random.Random, bid: str, domain: str, count: int, asset_ids: list[str], start: int = 0) -> list[dict]:
    people = []
    for i in range(start, start + count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        grants = [(a, rng.choice(PERMISSIONS)) for a in asset_ids if rng.random() < 0.6]
        status = "Invited" if rng.random() < 0.08 else "Active"
        last = None if status == "Invited" else f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        people.append(_member(bid, f"person{i:05d}@{domain}", name, rng.choice(["Employee"] * 4 + ["Manager"]),
                              status, last, grants))
    return people


def demo() -> dict:
    rng = random.Random(20261127)
    world = {"accounts": [], "businesses": [], "assets": [], "members": [], "partnerships": []}
    _company(world)
    world["businesses"] += [
        {"business_id": "549755813002", "name": "Northwind Media"},
        {"business_id": "549755813003", "name": "Globex Agency"},
        {"business_id": "549755813004", "name": "Initech Digital"},
        {"business_id": "549755813009", "name": "Umbrella Retail"},
    ]
    world["assets"] += [
        {"asset_id": "549764000401", "name": "Initech Partner Catalog", "type": "Catalog", "owner": "549755813004"},
        {"asset_id": "549764000901", "name": "Umbrella Ads", "type": "Ad account", "owner": "549755813009"},
    ]
    world["partnerships"] += [
        {"owner": COMPANY_ID, "partner": "549755813002", "assets": ["549764000101", "549764000103"]},
        {"owner": COMPANY_ID, "partner": "549755813003", "assets": ["549764000102", "549764000104"]},
        {"owner": COMPANY_ID, "partner": "549755813004", "assets": ["549764000101"]},
        {"owner": "549755813004", "partner": COMPANY_ID, "assets": ["549764000401"]},
        {"owner": "549755813009", "partner": "549755813003", "assets": ["549764000901"]},
        {"owner": "549755813009", "partner": "549755813002", "assets": ["549764000901"]},
    ]
    # Northwind: the monitor account signs in with TOTP; names exercise Unicode, duplicates,
    # invited people, people with no assets and people who only work for another customer.
    nw = "549755813002"
    world["accounts"].append({"email": "monitor@northwind.example", "password": "Nw-Monitor-7f3!kq", "totp_secret": "JBSWY3DPEHPK3PXP"})
    world["members"] += [
        _member(nw, "monitor@northwind.example", "Northwind Monitor", "Manager", "Active", "2026-11-20", []),
        _member(nw, "admin@northwind.example", "Olivia Chen", "Manager", "Active", "2026-11-25", [("549764000101", "Admin"), ("549764000103", "Publisher")]),
        _member(nw, "jose@northwind.example", "José Núñez", "Employee", "Active", "2026-11-21", [("549764000101", "Campaign")]),
        _member(nw, "li.lei@northwind.example", "李雷", "Employee", "Active", "2026-10-30", [("549764000103", "Publisher")]),
        _member(nw, "zoe@northwind.example", "Zoë Ørsted-Łukasiewicz", "Employee", "Active", None, [("549764000101", "Analyst")]),
        _member(nw, "anna.p@northwind.example", "Анна Петрова", "Employee", "Invited", None, [("549764000101", "Finance")]),
        _member(nw, "sam.lee@northwind.example", "Sam Lee", "Employee", "Active", "2026-11-01", [("549764000101", "Audience")]),
        _member(nw, "sam.lee2@northwind.example", "Sam Lee", "Employee", "Active", "2026-09-14", [("549764000103", "Analyst")]),
        _member(nw, "intern@northwind.example", "Priya Shah", "Employee", "Active", "2026-11-10", []),
        _member(nw, "umbrella-only@northwind.example", "Marco Rossi", "Employee", "Active", "2026-11-11", [("549764000901", "Campaign")]),
    ]
    # Globex: enough people for three pages.
    gx = "549755813003"
    world["accounts"].append({"email": "watch@globex.example", "password": "Gx-Watch-2026-long!", "totp_secret": None})
    world["members"].append(_member(gx, "watch@globex.example", "Globex Watch", "Manager", "Active", "2026-11-26", []))
    world["members"] += _people(rng, gx, "globex.example", 60, ["549764000102", "549764000104", "549764000901"])
    # Initech: its intended monitor account is only an Employee.
    it = "549755813004"
    world["accounts"].append({"email": "mon@initech.example", "password": "In-Mon-2026-pass!", "totp_secret": None})
    world["members"] += [
        _member(it, "mon@initech.example", "Initech Monitor", "Employee", "Active", "2026-11-19", []),
        _member(it, "boss@initech.example", "Bill Lumbergh", "Manager", "Active", "2026-11-24", [("549764000101", "Admin")]),
        _member(it, "peter@initech.example", "Peter Gibbons", "Employee", "Active", "2026-11-02", [("549764000101", "Analyst")]),
    ]
    world["members"].append(_member("549755813009", "ops@umbrella.example", "Umbrella Ops", "Manager", "Active", "2026-11-01", [("549764000901", "Admin")]))
    return world


def large(members: int) -> dict:
    """The company and one partner of `members` people (paging at scale)."""
    rng = random.Random(members)
    world = {"accounts": [], "businesses": [], "assets": [], "members": [], "partnerships": []}
    _company(world)
    bid = "549755820001"
    world["businesses"].append({"business_id": bid, "name": "Mega Agency"})
    world["partnerships"].append({"owner": COMPANY_ID, "partner": bid, "assets": ["549764000101", "549764000102"]})
    world["accounts"].append({"email": "monitor@mega.example", "password": "Mega-Monitor-2026!", "totp_secret": None})
    world["members"].append(_member(bid, "monitor@mega.example", "Mega Monitor", "Manager", "Active", None, []))
    world["members"] += _people(rng, bid, "mega.example", members, ["549764000101", "549764000102"])
    return world


def many(partners: int, size: int) -> dict:
    """The company and `partners` partners of `size` people each (many checks at once)."""
    rng = random.Random(partners * 1000 + size)
    world = {"accounts": [], "businesses": [], "assets": [], "members": [], "partnerships": []}
    _company(world)
    for p in range(partners):
        bid = f"54975583{p:04d}"
        email = f"monitor@p{p:04d}.example"
        world["businesses"].append({"business_id": bid, "name": f"Agency {p:04d}"})
        world["partnerships"].append({"owner": COMPANY_ID, "partner": bid, "assets": ["549764000101"]})
        world["accounts"].append({"email": email, "password": f"P{p:04d}-Monitor-2026!", "totp_secret": None})
        world["members"].append(_member(bid, email, f"Agency {p:04d} Monitor", "Manager", "Active", None, []))
        world["members"] += _people(rng, bid, f"p{p:04d}.example", size - 1, ["549764000101"])
    return world


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pinterest_sim.worlds.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="kind", required=True)
    sub.add_parser("demo")
    p_large = sub.add_parser("large")
    p_large.add_argument("--members", type=int, default=10_000)
    p_many = sub.add_parser("many")
    p_many.add_argument("--partners", type=int, default=200)
    p_many.add_argument("--size", type=int, default=30)
    args = parser.parse_args(argv)
    world = {"demo": demo, "large": lambda: large(args.members), "many": lambda: many(args.partners, args.size)}[args.kind]()
    json.dump(world, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
