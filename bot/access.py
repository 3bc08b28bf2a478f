"""Who may use this Lede, and how often: allow-lists and per-user rate limits.

Both are Telegram concerns (the console is the operator's own terminal), but
they are plain Python so their rules are tested without a bot: the Telegram
shell asks :meth:`AccessPolicy.admits` before any handler runs and
:meth:`RateLimiter.wait` before answering a question (a More or Context tap
under an answer, and an inline query with a word in it, count as one) or
adding a source (:mod:`bot.telegram_limits`).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

# One sentence for a stranger in a private chat; groups outside the lists get silence, not spam.
NOT_ALLOWED = "Sorry, this Lede answers only the people its operator allows; to be added, give them your Telegram id, {user}."
# Where a line is all there is room for (at most 64 characters): the button over a stranger's empty inline
# results, which opens the private chat that says the rest, and the notice a stranger's button tap shows.
NOT_ALLOWED_SHORT = "Lede answers only the people its operator allows"


def slow_down_briefly(wait: float) -> str:
    """What someone over a rate limit is told where a line is all there is room for: the button over an
    inline query's empty results (the wait alone keeps it well within 64 characters)."""
    return f"Slow down, please: try again in {math.ceil(wait)} s"


@dataclass(frozen=True)
class AccessPolicy:
    """Optional allow-lists. With none, everyone may use the bot.

    With one or both, an update is admitted when its user is in
    ``users`` *or* its chat is in ``chats``: an operator lists the groups
    the bot serves (everyone in them may ask) and the people who may also
    use it privately or anywhere else.
    """

    users: frozenset[int] = frozenset()
    chats: frozenset[int] = frozenset()

    @property
    def restricted(self) -> bool:
        return bool(self.users or self.chats)

    def admits(self, user: int | None, chat: int | None) -> bool:
        if not self.restricted:
            return True
        return (user is not None and user in self.users) or (chat is not None and chat in self.chats)

    @classmethod
    def from_settings(cls, users: str | None, chats: str | None) -> AccessPolicy:
        """``LEDE_ALLOWED_USERS`` and ``LEDE_ALLOWED_CHATS``: comma-separated Telegram ids; unset, no list."""
        return cls(_ids("LEDE_ALLOWED_USERS", users), _ids("LEDE_ALLOWED_CHATS", chats))


def _ids(name: str, value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts:
        # Set but listing no one, it is most often a template's empty variable (``${ALLOWED}`` unset in a compose
        # file); read as no list, it would open to everyone a bot meant to be private.
        raise ValueError(f"{name} is {value!r}, which lists no one; list the Telegram ids allowed, "
                         "or unset it to let everyone use the bot")
    try:
        return frozenset(int(part) for part in parts)
    except ValueError:
        raise ValueError(f"{name} must be a comma-separated list of Telegram ids, got {value!r}") from None


class Action(Enum):
    """What a rate limit counts; each has its own budget per user."""

    QUESTION = "ask {count} question{s}"
    ADD_SOURCE = "add {count} source{s}"


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` actions per ``seconds``; a count of 0 means no limit."""

    count: int
    seconds: float

    @classmethod
    def parse(cls, name: str, value: str) -> RateLimit:
        """``"30/60"`` is 30 per minute; ``"off"`` or ``"0"`` lifts the limit."""
        text = value.strip().lower()
        if text in ("off", "0", "none"):
            return cls(0, 1.0)
        count, _, seconds = text.partition("/")
        try:
            limit = cls(int(count), float(seconds))
        except ValueError:
            limit = None
        if limit is None or limit.count < 0 or not 0 < limit.seconds < math.inf:
            raise ValueError(f"{name} must look like 30/60 (that many per that many seconds) or off, got {value!r}")
        if limit.count == 0:
            # Read as a count, 0 per minute allows nothing; read as the internal "no limit", it lifts it.
            raise ValueError(f"{name} is {value!r}: say off to lift the limit, or allow 1 or more in {limit.period()}")
        return limit

    def period(self) -> str:
        """``a minute``, ``10 minutes``, ``45 seconds``."""
        if self.seconds % 60 == 0:
            minutes = int(self.seconds // 60)
            return "a minute" if minutes == 1 else f"{minutes} minutes"
        return f"{self.seconds:g} seconds"


_FIRST_SWEEP = 4096


class RateLimiter:
    """A sliding window per (user, action): exact, and memory bounded by the limits themselves.

    Each user keeps at most ``count`` timestamps per action; windows that
    have emptied are dropped, so idle users cost nothing. A person over the
    limit is told so once per wait (:meth:`to_be_told`).
    """

    def __init__(self, limits: Mapping[Action, RateLimit], clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = dict(limits)
        self._clock = clock
        self._recent: dict[tuple[int, Action], deque[float]] = {}
        # Per person refused: the oldest action in the window when they were told to wait. Until it leaves
        # the window, the wait they were told of stands, so they are not told again.
        self._told: dict[tuple[int, Action], float] = {}
        self._sweep_at = _FIRST_SWEEP

    def __len__(self) -> int:
        """How many (person, action) windows are kept: a measure of recent activity, not of history."""
        return len(self._recent)

    def limit(self, action: Action) -> RateLimit | None:
        limit = self._limits.get(action)
        return limit if limit is not None and limit.count > 0 else None

    def wait(self, user: int, action: Action) -> float:
        """0 and the action is counted, or the seconds until ``user`` may do it again (not counted)."""
        limit = self.limit(action)
        if limit is None:
            return 0.0
        now = self._clock()
        key = (user, action)
        recent = self._recent.setdefault(key, deque())
        while recent and recent[0] <= now - limit.seconds:
            recent.popleft()
        if len(recent) >= limit.count:
            return recent[0] + limit.seconds - now
        recent.append(now)
        self._forget_idle(now)
        return 0.0

    def to_be_told(self, user: int, action: Action) -> bool:
        """Whether ``user``, whose ``action`` :meth:`wait` just refused, is to be told so: once per wait.

        Told at every attempt, one person over the limit (a script, a flood in a group) would have
        Lede send a reply per message, and those replies count against Telegram's flood limits
        (20 messages a minute in a group), holding up everyone else's answers.
        """
        key = (user, action)
        oldest = self._recent[key][0]
        if self._told.get(key) == oldest:
            return False
        self._told[key] = oldest
        return True

    def slow_down(self, action: Action, wait: float) -> str:
        """The friendly one-sentence reply to a user over their limit."""
        limit = self.limit(action)
        assert limit is not None
        allowance = action.value.format(count=limit.count, s="" if limit.count == 1 else "s")
        return f"Slow down, please: you can {allowance} in {limit.period()}; try again in {math.ceil(wait)} s."

    def _forget_idle(self, now: float) -> None:
        """Drop people whose windows are empty; swept only as the table doubles, so O(1) amortised."""
        if len(self._recent) < self._sweep_at:
            return
        longest = max(limit.seconds for limit in self._limits.values())
        for key in [key for key, recent in self._recent.items() if not recent or recent[-1] <= now - longest]:
            del self._recent[key]
            self._told.pop(key, None)
        self._sweep_at = max(_FIRST_SWEEP, 2 * len(self._recent))
