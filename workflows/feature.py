"""What a workflow package gives the worker: its workflows and the activities they call, by queue.

Each package under workflows/ has a feature.py with one FEATURE, and worker.py registers every
package's: a new workflow folder is registered by its own feature.py, not by a hand list elsewhere.
It is a module of its own, not the package's __init__, because the CLI and the console import a
package's payloads and must not load every activity (and Playwright) with them."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import workflows


@dataclass(frozen=True)
class Feature:
    workflows: tuple[type, ...]
    activities: tuple[Callable, ...] = ()  # on the workflow's task queue
    # on `<queue>-browser`, where the workflow sends them (temporal_common/retry.py: browser_queue)
    browser_activities: tuple[Callable, ...] = ()


class FeatureMissing(LookupError):
    pass


def features() -> list[Feature]:
    """Every workflow package's FEATURE, in the packages' name order."""
    found = []
    for package in sorted(info.name for info in pkgutil.iter_modules(workflows.__path__) if info.ispkg):
        name = f"workflows.{package}.feature"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:
                raise
            raise FeatureMissing(f"workflows/{package}/ has no feature.py: the worker would not register it") from None
        found.append(module.FEATURE)
    return found
