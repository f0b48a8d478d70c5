"""What the worker really registers (its Workers' own config), against what the workflows call:
every workflow class, every activity a workflow names on the queue it is sent to, nothing more."""

from __future__ import annotations

import ast
import importlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from temporalio import activity

from config import Settings
from pinterest_reader.browser_host import BrowserHost
from workflows.feature import Feature, FeatureMissing, features
from worker import build_workers, registration

ROOT = Path(__file__).resolve().parents[1]
BROWSER_CLASSES = {"SiteActivities"}  # activities that drive a browser run on `<queue>-browser`


def _called_by_workflows() -> tuple[set[str], dict[str, set[str]]]:
    """Every @workflow.defn class, and the activity name of every `SomethingActivities.method` named in
    workflow code, by queue."""
    classes, calls = set(), {"main": set(), "browser": set()}
    for path in sorted(ROOT.glob("workflows/*/workflow.py")):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(ast.unparse(d).startswith("workflow.defn") for d in node.decorator_list):
                classes.add(node.name)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id.endswith("Activities"):
                method = getattr(getattr(module, node.value.id), node.attr)
                calls["browser" if node.value.id in BROWSER_CLASSES else "main"] |= _names([method])
    return classes, calls


def _names(activities) -> set[str]:
    return {activity._Definition.must_from_callable(a).name for a in activities}


async def test_the_worker_registers_what_the_workflows_call_and_nothing_else(settings, temporal_env):
    with ThreadPoolExecutor(max_workers=1) as executor:
        main, browser = build_workers(temporal_env.client, settings, BrowserHost(chromium=Settings().chromium), executor)
    classes, calls = _called_by_workflows()
    assert len(classes) >= 4 and sum(len(c) for c in calls.values()) >= 25  # the scan found the workflows
    assert {w.__name__ for w in main.config()["workflows"]} == classes
    assert _names(main.config()["activities"]) == calls["main"]
    assert _names(browser.config()["activities"]) == calls["browser"]
    assert not browser.config().get("workflows")
    assert (main.task_queue, browser.task_queue) == (settings.task_queue, settings.browser_task_queue)


def test_every_workflow_package_has_its_feature(tmp_path, monkeypatch):
    import workflows

    assert len(features()) == len([p for p in ROOT.glob("workflows/*/") if (p / "__init__.py").exists()])
    (tmp_path / "new_flow").mkdir()
    (tmp_path / "new_flow" / "__init__.py").write_text("")
    monkeypatch.setattr(workflows, "__path__", [*workflows.__path__, str(tmp_path)])
    with pytest.raises(FeatureMissing, match="workflows/new_flow/ has no feature.py"):
        features()


def test_an_activity_whose_class_the_worker_does_not_build_is_named():
    from activities.alerts import AlertActivities
    from workflows.deliver_alert.workflow import DeliverAlert

    with pytest.raises(LookupError, match="the worker builds no AlertActivities, which AlertActivities.attempt_delivery"):
        registration([Feature(workflows=(DeliverAlert,), activities=(AlertActivities.attempt_delivery,))], [])
