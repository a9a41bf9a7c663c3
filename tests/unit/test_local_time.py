"""The local times every command shows (`list` shows 10,000 of them), made
from a per-day table instead of a strftime per time: the same text as
strftime("%Y-%m-%d %H:%M") of the time in the local zone, in zones with odd
offsets (half and quarter hours, 13 hours ahead, offsets with seconds in
the past, summer time) and on the days their offsets change."""

from __future__ import annotations

import contextlib
import os
import time
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from vault.cli import ui

ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu",
         "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Pacific/Kiritimati",
         "Etc/GMT+12", "Africa/Monrovia", "Europe/Amsterdam", "America/Sao_Paulo"]


@contextlib.contextmanager
def local_zone(name: str):
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    ui._DAYS.clear()   # the table is per process, for the zone it runs in
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
        ui._DAYS.clear()


def strftime(dt: datetime) -> str:
    return dt.astimezone().strftime("%Y-%m-%d %H:%M")


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES),
       dts=st.lists(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30),
                                 timezones=st.just(timezone.utc)), min_size=1, max_size=20))
def test_a_time_reads_as_strftime_writes_it(zone, dts):
    with local_zone(zone):
        for dt in dts + [dt.replace(hour=23, minute=59) for dt in dts]:
            assert ui.local_time(dt) == strftime(dt), (zone, dt)


def test_every_minute_around_a_change_of_summer_time():
    with local_zone("Europe/Amsterdam"):
        start = datetime(2026, 3, 28, 20, 0, tzinfo=timezone.utc)
        for minute in range(0, 48 * 60, 7):
            dt = start + timedelta(minutes=minute, seconds=minute % 60)
            assert ui.local_time(dt) == strftime(dt), dt


def test_times_not_in_utc_and_none():
    with local_zone("Asia/Kolkata"):
        other = datetime(2026, 5, 1, 12, 30, tzinfo=timezone(timedelta(hours=-3)))
        assert ui.local_time(other) == strftime(other)
        assert ui.local_time(None) == "-"
