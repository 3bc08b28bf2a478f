"""Daily briefing times: parsing ``/subscribe 08:00 Europe/Kyiv`` and deciding when one is due.

Plain time arithmetic with an explicit ``now``, so that the scheduler can be
driven by a controlled clock in tests. A schedule is due when its latest slot
(the last time the local clock read HH:MM) came after the last run; running
it moves the last run to now, so however long the bot was down, it catches
up with one briefing, never a burst.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from corpus.errors import InvalidSchedule

# "08:00", "8:30", "8.30", "8h30", "8", "8am", "8:30 pm"; and "0800".
_CLOCK = re.compile(r"(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?(?:\s*(?P<half>[ap])\.?m\.?)?", re.IGNORECASE)
_FOUR_DIGITS = re.compile(r"(?P<hour>\d{2})(?P<minute>\d{2})")
_HALF_DAY = re.compile(r"[ap]\.?m\.?", re.IGNORECASE)
# "UTC+2", "GMT-05:00", "+02:00": an offset, not a place.
_OFFSET = re.compile(r"(?:utc|gmt)?\s*[+\-\u2212]\s*\d{1,2}(?::?\d{2})?", re.IGNORECASE)
# tzdata's zones named as a standard time, each a fixed offset all year ("EST" is UTC-5 even in July), though who
# types one means the place's clock, daylight saving included (New York's, Denver's): offsets in all but name.
_STANDARD_TIMES = frozenset({"est", "mst"})
# A zone of a place may take a few words: "New York", "Ho Chi Minh".
MAX_ZONE_WORDS = 3
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
        """The last moment at or before ``now`` when the local clock read the schedule's time (UTC).

        Compared in UTC, not on the local clock: on the night clocks spring
        forward a time such as 02:30 does not exist, and read as the moment it
        stands for (03:30) it comes after 03:00 on the clock of that night.
        """
        return max(slot for slot in self._slots_around(now) if slot <= now)

    def next_slot(self, now: datetime) -> datetime:
        """The first moment after ``now`` when the briefing is due (UTC)."""
        return min(slot for slot in self._slots_around(now) if slot > now)

    def _slots_around(self, now: datetime) -> list[datetime]:
        """The schedule's moments (UTC) on the local days around ``now``.

        Two days back, not one: a zone that skipped a day (Samoa's 30 Dec 2011)
        reads that day's time as a moment of the next.
        """
        today = now.astimezone(self.zone).date()
        return [datetime.combine(today + timedelta(days=shift), self.at, tzinfo=self.zone).astimezone(UTC)
                for shift in (-2, -1, 0, 1)]

    def is_due(self, last_run: datetime, now: datetime) -> bool:
        """Whether a slot passed since ``last_run``: one briefing is owed, however many slots passed."""
        return self.latest_slot(now) > last_run


def parse_schedule(args: Sequence[str], default_timezone: str = "UTC") -> DailySchedule:
    """``08:00`` or ``08:00 Europe/Kyiv`` as a schedule; raises :class:`InvalidSchedule` with the reason.

    People write times and places as they say them, so ``8am``, ``8:30 pm``
    and ``0800`` are times, and a zone may be written in any case or as its
    place alone (``kyiv``, ``New York``) when that names one zone.
    """
    words = list(args)
    if len(words) >= 2 and _HALF_DAY.fullmatch(words[1]):  # "8 am"
        words[:2] = [words[0] + words[1]]
    if not 1 <= len(words) <= 1 + MAX_ZONE_WORDS:
        raise InvalidSchedule(USAGE)
    at = _time_of_day(words[0])
    if at is None:
        raise InvalidSchedule(f"“{words[0][:20]}” is not a time of day like 08:00. {USAGE}")
    timezone = _zone_name(" ".join(words[1:])) if len(words) > 1 else default_timezone
    return DailySchedule(at, timezone)


def _time_of_day(text: str) -> time | None:
    match = _CLOCK.fullmatch(text) or _FOUR_DIGITS.fullmatch(text)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = match.groupdict().get("half")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _zone_name(text: str) -> str:
    """The IANA name of the zone ``text`` names, exactly, in another case, or by its place alone.

    Looked up among the zones there are, never by ``ZoneInfo(text)``: it reads what it is given as a
    path, and a name typed as hundreds of folders ("Europe/Europe/…") ran past the recursion limit.
    """
    # An offset first: "GMT+5" is also the place part of Etc/GMT+5, whose POSIX sign is the other way round (UTC-5).
    if _OFFSET.fullmatch(text.strip()) or text.strip().lower() in _STANDARD_TIMES:
        raise InvalidSchedule(f"Give the time zone of a place, like Europe/Kyiv, rather than “{text[:20]}”: "
                              "an offset does not follow daylight saving time.")
    key = text.lower().replace("_", " ")
    matches = _zones_by_name().get(key) or _zones_by_place().get(key, ())
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InvalidSchedule(f"“{text[:40]}” could be {' or '.join(matches[:3])}; give the full name.")
    raise InvalidSchedule(f"I don't know the time zone “{text[:40]}”; use a name like Europe/Kyiv or UTC.")


@functools.cache
def _zones_by_name() -> dict[str, tuple[str, ...]]:
    """Every IANA zone under its lower-case name (underscores as spaces)."""
    return {name.lower().replace("_", " "): (name,) for name in available_timezones()}


@functools.cache
def _zones_by_place() -> dict[str, tuple[str, ...]]:
    """The zones under their last part alone, lower-case: "kyiv" → Europe/Kyiv; some places have several."""
    places: dict[str, list[str]] = {}
    for name in sorted(available_timezones()):
        places.setdefault(name.rsplit("/", 1)[-1].lower().replace("_", " "), []).append(name)
    return {place: tuple(names) for place, names in places.items()}
