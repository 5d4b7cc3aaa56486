"""The one rule for a ticket's first response and its SLA state (data-contract section 3).

Used by validate (a warning), the statistics (`stats/metrics.py`) and the pages (the ticket's badge,
the reports), so that all three always agree.

- The first response is `responded`, else the earliest `log[].at` *later than* `created`: a step
  at the creation time records the intake ("接收问题，创建工单", which `tsgen new ticket` writes),
  not an answer to the customer.
- A ticket whose priority has a target is `met` when `first_response - created <= target`, else
  `breached`. With no first response it is `breached` once its target has passed at `now`, and
  `waiting` ("not yet responded") while still inside it; a resolved ticket with no recorded
  response has breached too (record `responded`).
- `now` is the moment the numbers are computed for: the time `tsgen stats`/`validate` runs, or the
  start of `tsgen build` (injectable for tests and reproducible builds). Durations follow
  `clock.minutes_between` (wall clock, or business hours when configured).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tsgen.archive.clock import minutes_between
from tsgen.archive.model import Ticket
from tsgen.config import Config

NONE, MET, BREACHED, WAITING = "none", "met", "breached", "waiting"


@dataclass(frozen=True, slots=True)
class Sla:
    """A ticket's first response and what it means for its target."""

    target: int | None                 # minutes; None when the priority has no target
    first_response: datetime | None
    minutes: float | None              # first_response - created, None without a response
    state: str                         # none | met | breached | waiting

    @property
    def responded(self) -> bool:
        return self.first_response is not None

    @property
    def decided(self) -> bool:
        """Met or breached: counted in `sla.measured` (a ticket still inside its target is not yet)."""
        return self.state in (MET, BREACHED)


def sla_of(ticket: Ticket, config: Config, now: datetime) -> Sla:
    """The first response of `ticket` and its SLA state at `now` (an aware datetime)."""
    first = ticket.first_response  # responded, else the earliest step after created
    minutes = minutes_between(ticket.created, first, config) if first is not None else None
    target = config.sla_minutes.get(ticket.priority)
    if target is None:
        state = NONE
    elif minutes is not None:
        state = MET if minutes <= target else BREACHED
    else:
        state = BREACHED if minutes_between(ticket.created, now, config) > target else WAITING
    return Sla(target, first, minutes, state)
