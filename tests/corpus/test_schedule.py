"""Daily briefing times: what /subscribe accepts, and when a briefing is due."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from corpus.schedule import DailySchedule, InvalidSchedule, parse_schedule

KYIV_EIGHT = DailySchedule(time(8, 0), "Europe/Kyiv")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["08:00"], DailySchedule(time(8, 0), "UTC")),
        (["7:30", "Europe/Kyiv"], DailySchedule(time(7, 30), "Europe/Kyiv")),
        (["23.59", "America/New_York"], DailySchedule(time(23, 59), "America/New_York")),
    ],
)
def test_a_time_of_day_and_an_optional_iana_zone_make_a_schedule(args, expected):
    assert parse_schedule(args) == expected


@pytest.mark.parametrize(
    ("args", "at"),
    [(["8am"], time(8, 0)), (["8", "am"], time(8, 0)), (["8:30pm"], time(20, 30)), (["8", "p.m."], time(20, 0)),
     (["12am"], time(0, 0)), (["12pm"], time(12, 0)), (["0800"], time(8, 0)), (["8"], time(8, 0)),
     (["8h30"], time(8, 30))],
)
def test_times_are_read_as_people_write_them(args, at):
    assert parse_schedule(args).at == at


@pytest.mark.parametrize(
    ("zone", "expected"),
    [(["europe/kyiv"], "Europe/Kyiv"), (["kyiv"], "Europe/Kyiv"), (["New", "York"], "America/New_York"),
     (["utc"], "UTC"), (["Ho", "Chi", "Minh"], "Asia/Ho_Chi_Minh")],
)
def test_a_zone_may_be_named_in_any_case_or_by_its_place_and_is_kept_under_its_iana_name(zone, expected):
    assert parse_schedule(["08:00", *zone]) == DailySchedule(time(8, 0), expected)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ([], "Usage: /subscribe HH:MM"),
        (["24:00"], "“24:00” is not a time of day like 08:00."),
        (["soon"], "“soon” is not a time of day like 08:00."),
        (["08:00", "Europe"], "I don't know the time zone “Europe”"),
        (["08:00", "../../etc/passwd"], "I don't know the time zone “../../etc/passwd”"),
        (["08:00", "Mars/Olympus"], "I don't know the time zone “Mars/Olympus”"),
        # A name of hundreds of parts, each a folder to look in, once took the zone lookup past Python's recursion limit.
        (["08:00", "Europe/" * 300 + "Kyiv"], "I don't know the time zone “Europe/Europe/"),
        (["08:00", "UTC", "daily"], "I don't know the time zone “UTC daily”"),
        (["08:00", "in", "the", "morning", "please"], "Usage: /subscribe HH:MM"),
        (["13pm"], "“13pm” is not a time of day like 08:00."),
        (["8m"], "“8m” is not a time of day like 08:00."),
        (["08:00", "UTC+2"], "Give the time zone of a place, like Europe/Kyiv, rather than “UTC+2”: an offset does not "
                             "follow daylight saving time."),
        (["08:00", "Indianapolis"], "“Indianapolis” could be America/Indiana/Indianapolis or America/Indianapolis; "
                                    "give the full name."),
    ],
)
def test_anything_else_is_refused_with_the_reason(args, reason):
    with pytest.raises(InvalidSchedule) as refused:
        parse_schedule(args)
    assert str(refused.value).startswith(reason)


@pytest.mark.parametrize("zone", ["GMT+5", "gmt-3", "EST", "mst"])
def test_gmt_with_an_offset_or_a_standard_time_is_refused_as_an_offset_not_read_as_the_iana_zone_of_that_name(zone):
    # Each was taken for tzdata's zone of that name. "GMT+5" (Etc/GMT+5) is UTC-5, the sign the other way round:
    # "/subscribe 08:00 GMT+5" brought the briefing at 13:00 UTC, ten hours from the 03:00 UTC meant. "EST" is a
    # fixed UTC-5: it meant New York's mornings, and from March to November the briefing came at 09:00 there.
    with pytest.raises(InvalidSchedule) as refused:
        parse_schedule(["08:00", zone])
    assert str(refused.value) == (f"Give the time zone of a place, like Europe/Kyiv, rather than “{zone}”: an offset "
                                  "does not follow daylight saving time.")


def test_an_etc_zone_named_in_full_is_kept_as_the_iana_zone_it_names():
    assert parse_schedule(["08:00", "Etc/GMT+5"]) == DailySchedule(time(8, 0), "Etc/GMT+5")


def test_slots_are_local_times_in_the_schedules_zone():
    now = datetime(2025, 6, 2, 4, 59, tzinfo=UTC)  # 07:59 in Kyiv (UTC+3)
    assert KYIV_EIGHT.next_slot(now) == datetime(2025, 6, 2, 5, 0, tzinfo=UTC)
    assert KYIV_EIGHT.latest_slot(now) == datetime(2025, 6, 1, 5, 0, tzinfo=UTC)
    assert KYIV_EIGHT.latest_slot(now + timedelta(minutes=1)) == datetime(2025, 6, 2, 5, 0, tzinfo=UTC)


def test_daylight_saving_keeps_the_local_time():
    winter = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)  # Kyiv is UTC+2 in winter
    assert KYIV_EIGHT.next_slot(winter) == datetime(2025, 1, 16, 6, 0, tzinfo=UTC)


def test_a_briefing_is_due_once_per_slot_however_many_slots_were_missed():
    last_run = datetime(2025, 6, 2, 5, 0, 30, tzinfo=UTC)
    assert not KYIV_EIGHT.is_due(last_run, last_run + timedelta(hours=23))
    assert KYIV_EIGHT.is_due(last_run, last_run + timedelta(hours=24))
    assert KYIV_EIGHT.is_due(last_run, last_run + timedelta(days=5))  # one catch-up after downtime...
    after_catch_up = last_run + timedelta(days=5)
    assert not KYIV_EIGHT.is_due(after_catch_up, after_catch_up + timedelta(minutes=1))  # ...and no burst


def _briefings_sent(schedule: DailySchedule, last_run: datetime, until: datetime) -> list[datetime]:
    """The moments a scheduler checking every minute from ``last_run`` to ``until`` sends a briefing."""
    sent, now = [], last_run
    while now < until:
        now += timedelta(minutes=1)
        if schedule.is_due(last_run, now):
            sent.append(now)
            last_run = now
    return sent


def test_a_time_the_clocks_skip_is_told_once_at_the_moment_it_stands_for():
    # Europe/Berlin springs forward at 02:00 on 29 Mar 2026: 02:30 that night does not exist, and
    # stands for 03:30 CEST. The check at 03:00 must not find a slot "after" it every minute until then.
    half_past_two = DailySchedule(time(2, 30), "Europe/Berlin")
    saturday = datetime(2026, 3, 28, 1, 30, tzinfo=UTC)  # 02:30 CET, the day before
    sent = _briefings_sent(half_past_two, saturday, saturday + timedelta(days=1, hours=2))
    assert sent == [datetime(2026, 3, 29, 1, 30, tzinfo=UTC)]  # 03:30 CEST
    three_ten = datetime(2026, 3, 29, 1, 10, tzinfo=UTC)  # 03:10 CEST: /settings names that one as the next
    assert half_past_two.next_slot(three_ten) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_time_the_clocks_repeat_is_told_once():
    # Europe/Berlin falls back at 03:00 on 25 Oct 2026: 02:30 comes twice that night; the first is the slot.
    half_past_two = DailySchedule(time(2, 30), "Europe/Berlin")
    saturday = datetime(2026, 10, 24, 0, 30, tzinfo=UTC)  # 02:30 CEST, the day before
    sent = _briefings_sent(half_past_two, saturday, saturday + timedelta(days=1, hours=3))
    assert sent == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]


def test_a_day_the_zone_skipped_still_has_a_latest_and_a_next_slot():
    # Samoa skipped 30 Dec 2011, moving across the date line: nine o'clock on the 31st follows the 29th's.
    nine = DailySchedule(time(9, 0), "Pacific/Apia")
    thirty_first_early = datetime(2011, 12, 30, 15, 0, tzinfo=UTC)  # 05:00 on 31 Dec, local
    assert nine.latest_slot(thirty_first_early) == datetime(2011, 12, 29, 19, 0, tzinfo=UTC)
    assert nine.next_slot(thirty_first_early) == datetime(2011, 12, 30, 19, 0, tzinfo=UTC)
