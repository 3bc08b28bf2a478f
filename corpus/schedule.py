"""Daily briefing times: parsing ``/subscribe 08:00 Europe/Kyiv`` and deciding when one is due.

Plain time arithmetic with an explicit ``now``, so that the scheduler can be
driven by a controlled clock in tests. A schedule is due when its latest slot
(the last time the local clock read HH:MM) came after the last run; running
it moves the last run to now, so however long the bot was down, it catches
up with one briefing, never a burst.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from corpus.errors import InvalidSchedule

_TIME = re.compile(r"([01]?\d|2[0-3])[:.h]([0-5]\d)")
USAGE = "Usage: /subscribe HH:MM [time zone], e.g. /subscribe 08:00 Europe/Kyiv; /subscribe off to stop."


@dataclass(frozen=True, slots=True)
class DailySchedule:
    """A daily briefing at a local time of day in an IANA time zone."""

    at: time
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def label(self) -> str:
        return f"{self.at:%H:%M} {self.timezone}"

    def latest_slot(self, now: datetime) -> datetime:
        """The last moment at or before ``now`` when the local clock read the schedule's time (UTC)."""
        local = now.astimezone(self.zone)
        slot = datetime.combine(local.date(), self.at, tzinfo=self.zone)
        if slot > local:
            slot = datetime.combine(local.date() - timedelta(days=1), self.at, tzinfo=self.zone)
        return slot.astimezone(UTC)

    def next_slot(self, now: datetime) -> datetime:
        """The first moment after ``now`` when the briefing is due (UTC)."""
        local = now.astimezone(self.zone)
        slot = datetime.combine(local.date(), self.at, tzinfo=self.zone)
        if slot <= local:
            slot = datetime.combine(local.date() + timedelta(days=1), self.at, tzinfo=self.zone)
        return slot.astimezone(UTC)

    def is_due(self, last_run: datetime, now: datetime) -> bool:
        """Whether a slot passed since ``last_run``: one briefing is owed, however many slots passed."""
        return self.latest_slot(now) > last_run


def parse_schedule(args: Sequence[str], default_timezone: str = "UTC") -> DailySchedule:
    """``08:00`` or ``08:00 Europe/Kyiv`` as a schedule; raises :class:`InvalidSchedule` with the reason."""
    if not 1 <= len(args) <= 2:
        raise InvalidSchedule(USAGE)
    match = _TIME.fullmatch(args[0])
    if match is None:
        raise InvalidSchedule(f"“{args[0][:20]}” is not a time of day like 08:00. {USAGE}")
    timezone = args[1] if len(args) == 2 else default_timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidSchedule(f"I don't know the time zone “{timezone[:40]}”; use a name like Europe/Kyiv or UTC.") from None
    return DailySchedule(time(int(match[1]), int(match[2])), timezone)
