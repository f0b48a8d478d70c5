"""The map of docs/ARCHITECTURE.md, enforced: each layer imports only the layers under it, the store
knows neither the browser nor Temporal, payloads live next to their workflows, and nothing that
ships imports what is for development only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STORE_VALUES = ["models.results", "models.seen", "models.statuses", "models.review_spec"]  # plain pydantic values and enums
PAYLOADS = ["workflows.check_for_updates.payloads", "workflows.onboard_partner.payloads",
            "workflows.deliver_alert.payloads", "workflows.review_partner_access.payloads"]
SHIPPED = ["common", "config", "logs", "totp", "worker", "models", "workflows", "activities", "starter", "temporal_common",
           "pinterest_reader", "alerting", "control", "web"]
DEV_ONLY = ["pinterest_sim", "demo", "bench", "devtools"]

# Who may import whom, from the bottom up (the most specific entry for a module applies).
ALLOWED: dict[str, list[str]] = {
    "common": ["common"],  # one shape or one rule each, for every layer (common/__init__.py)
    "config": [],
    "logs": [],
    "totp": [],
    "pinterest_reader": ["pinterest_reader", "totp", "common"],  # the browser: written from the site's contract alone
    **{values: [*STORE_VALUES, "common"] for values in STORE_VALUES},
    "models": ["models", "config", "logs", "totp", "common"],  # the store: neither the browser nor Temporal
    "alerting": ["alerting", "models", "common"],  # sending alerts: what the store decided, never Temporal
    **{payloads: [*STORE_VALUES, *PAYLOADS, "common"] for payloads in PAYLOADS},
    "temporal_common": ["temporal_common", "common", "config", "models.errors", *STORE_VALUES, "pinterest_reader.errors",
                        *PAYLOADS],
    "activities": ["activities", "common", "models", "pinterest_reader", "alerting", "temporal_common", *PAYLOADS, "config", "logs"],
    "workflows": ["workflows", "activities", "temporal_common", *STORE_VALUES, "common"],
    # what people ask of Temporal, for the CLI and the console alike
    "control": ["control", "common", "models", "temporal_common", "workflows", "config"],
    "starter": [p for p in SHIPPED if p != "worker"],
    "web": ["web", "common", "control", "models", "alerting", "temporal_common", "workflows", "config", "logs"],  # the console
    "worker": SHIPPED,
    "pinterest_sim": ["pinterest_sim"],  # another site: it knows nothing of partnerwatch
    **{dev: [*SHIPPED, *DEV_ONLY] for dev in ("demo", "bench", "devtools")},
}


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _sources() -> list[Path]:
    found = []
    for top in ALLOWED:
        if "." in top:
            continue
        folder = ROOT / top
        found += sorted(folder.rglob("*.py")) if folder.is_dir() else [ROOT / f"{top}.py"]
    return found


def _imports(path: Path) -> set[str]:
    """First-party modules a file imports (`from package import module` counts as the module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{alias.name}" for alias in node.names if _is_module(f"{node.module}.{alias.name}")]
            names.update(subs or [node.module])
    return {name for name in names if name.split(".")[0] in ALLOWED}


def _rule(module: str) -> str:
    return max((key for key in ALLOWED if module == key or module.startswith(key + ".")), key=len)


def _allowed(rule: str, imported: str) -> bool:
    return any(imported == ok or imported.startswith(ok + ".") for ok in ALLOWED[rule])


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path: Path):
    module = _module_of(path)
    rule = _rule(module)
    wrong = sorted(name for name in _imports(path) if not _allowed(rule, name) and not name.startswith(module + "."))
    assert not wrong, f"{module} ({rule}) may not import {wrong}; see docs/ARCHITECTURE.md"


def test_every_package_has_a_rule():
    tops = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"}
    tops |= {p.stem for p in ROOT.glob("*.py")}
    assert tops <= set(ALLOWED), f"no layering rule for {sorted(tops - set(ALLOWED))}"


def test_activity_modules_hold_activities_and_no_payloads():
    """Payloads live next to their workflows; store helpers in the store."""
    for path in (ROOT / "activities").glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base) for base in node.bases}
                assert "BaseModel" not in bases, f"{path.name}: payload {node.name} belongs in workflows/*/payloads.py"



def test_every_reason_code_is_given_somewhere():
    """A fault code nothing raises is a name to keep in sync for nothing."""
    from models.results import Reason

    shipped = "\n".join(p.read_text() for top in ("models", "workflows", "activities", "starter", "temporal_common")
                        for p in (ROOT / top).rglob("*.py") if p.name != "results.py")
    unused = [member.name for member in Reason if f"Reason.{member.name}" not in shipped]
    assert unused == []
