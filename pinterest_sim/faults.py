"""Fault injection settings and the counters behind /__sim/stats (contract appendix B)."""

from __future__ import annotations

import random
from typing import Literal
from collections import Counter

from pydantic import BaseModel, Field, field_validator


class FaultConfig(BaseModel):
    error_rate: float = Field(0.0, ge=0, le=1)
    error_statuses: list[int] = Field(default_factory=lambda: [500, 502, 503])
    throttle_rate: float = Field(0.0, ge=0, le=1)
    retry_after_s: int = Field(1, ge=0)
    latency_ms: tuple[int, int] | None = None
    # Not in the contract (an extension of this site): how long the Members page's script waits for its
    # rows, as a real single-page site's data call does ([min, max] ms, uniform); pages themselves are fast.
    data_latency_ms: tuple[int, int] | None = None
    session_max_views: int | None = Field(None, ge=1)
    lock_after_failures: int = Field(5, ge=1)
    seed: int | None = None
    # Not in the contract (an extension of this site): serve pages that break it, to test that a
    # client notices. "members_columns" renames a Members column; "members_empty" has the page's script
    # take its Loading row away and draw no rows (a page caught half drawn).
    break_contract: Literal["members_columns", "members_empty"] | None = None
    break_contract_pages: list[int] | None = None  # only these Members pages (default: every page)
    break_contract_times: int | None = Field(None, ge=1)  # only this many answers, then the page is right again
    # Not in the contract (an extension of this site): the Members list of this business changes while it
    # is read, in pairs that cancel out. A member joins just before a page other than the first and the
    # last is read, sorted inside that page, and leaves just after it, until `churn_changes` changes are
    # spent: the page's last person is on the next page while it is read, and back when the next page
    # is; no other page shows a thing. The worst case for a reader that trusts its witnesses
    # (pinterest_reader/members_pass.py).
    churn_business_id: str | None = None
    churn_changes: int = Field(0, ge=0)

    @field_validator("latency_ms", "data_latency_ms")
    @classmethod
    def _ordered(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and not (0 <= value[0] <= value[1]):
            raise ValueError("a latency is [min, max] with 0 <= min <= max")
        return value


class FaultInjector:
    """Draws faults from one seeded generator so that a run with a seed repeats itself."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.broken_answers = 0
        self.churn_left = config.churn_changes

    def churns(self, business_id: str, page_no: int, pages: int) -> bool:
        """Whether this Members answer is read while a member joins and then leaves (two changes)."""
        if self.config.churn_business_id != business_id or self.churn_left < 2 or page_no in (1, pages):
            return False
        self.churn_left -= 2
        return True

    def latency_s(self, data: bool = False) -> float:
        """How long to hold this answer: every answer's latency, plus the data latency for a script's fetch."""
        total = 0.0
        for span in (self.config.latency_ms, self.config.data_latency_ms if data else None):
            if span:
                total += self.rng.uniform(*span) / 1000
        return total

    def breaks_members_page(self, page_no: int) -> str | None:
        """How this Members answer breaks the contract (the extension above), if it does; counted down."""
        cfg = self.config
        if cfg.break_contract is None or (cfg.break_contract_pages and page_no not in cfg.break_contract_pages):
            return None
        if cfg.break_contract_times is not None:
            if self.broken_answers >= cfg.break_contract_times:
                return None
            self.broken_answers += 1
        return cfg.break_contract

    def draw(self) -> tuple[int, dict[str, str]] | None:
        """A fault to answer with instead of the page, or None."""
        cfg = self.config
        if cfg.throttle_rate and self.rng.random() < cfg.throttle_rate:
            return 429, {"Retry-After": str(cfg.retry_after_s)}
        if cfg.error_rate and self.rng.random() < cfg.error_rate:
            return self.rng.choice(cfg.error_statuses), {}
        return None


class Stats:
    def __init__(self) -> None:
        self.pages = 0  # documents served, error pages included; not redirects, not script data
        self.redirects = 0
        self.data_requests = 0  # the Members page script's fetches: not pages, but faults apply
        self.logins = 0
        self.verifications = 0
        self.faults = 0
        self.by_path: Counter[str] = Counter()
        self.logins_by_email: Counter[str] = Counter()

    def as_dict(self) -> dict:
        return {
            "pages": self.pages,
            "redirects": self.redirects,
            "data_requests": self.data_requests,
            "logins": self.logins,
            "verifications": self.verifications,
            "faults": self.faults,
            "by_path": dict(self.by_path),
            "logins_by_email": dict(self.logins_by_email),
        }
