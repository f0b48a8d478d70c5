"""The removal safeguard: a check that would remove too many of a partner's people waits for a
person instead of applying. Its defaults are a workspace's defaults (`workspace configure`)."""

from __future__ import annotations

from pydantic import BaseModel

from models.results import Fault, Reason

# A check that would remove more than this share of a partner's people waits for a person...
DEFAULT_THRESHOLD_PCT = 20.0
# ...unless it removes no more than this many (small partners).
DEFAULT_FLOOR = 2


class RemovalPolicy(BaseModel):
    threshold_pct: float = DEFAULT_THRESHOLD_PCT
    floor: int = DEFAULT_FLOOR

    def blocks(self, current: int, removed: int, kept: int) -> Fault | None:
        """Why a diff must wait for a person, or None. Zero people where there were some always waits."""
        if current and kept == 0:
            return Fault(code=Reason.REMOVAL_SAFEGUARD, lasting=True,
                         message=f"The check found nobody where there were {current} people; a person must confirm.")
        if removed > self.floor and removed > current * self.threshold_pct / 100:
            return Fault(code=Reason.REMOVAL_SAFEGUARD, lasting=True,
                         message=f"The check would remove {removed} of {current} people "
                                 f"(over {self.threshold_pct:g}%); a person must approve or reject it.")
        return None
