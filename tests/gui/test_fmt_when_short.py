"""A stored time shortened for a narrow column, checked against the whole one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gui.fmt import fmt_when, fmt_when_short


@given(
    at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
    days=st.integers(-800, 800),
)
def test_short_time_is_the_whole_one_less_what_today_says(at: datetime, days: int) -> None:
    """Today's entries read the clock alone, this year's the day, month and clock, older or
    later years the whole local time; the clock is always the whole time's."""
    iso = at.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    whole = fmt_when(iso)
    day, clock = whole.split(" ")
    shown_day = datetime.fromisoformat(day).date()
    today = (shown_day + timedelta(days=days)).isoformat()
    short = fmt_when_short(iso, today)
    if days == 0:
        assert short == clock
    elif today[:4] == day[:4]:
        assert short == f"{shown_day.day} {shown_day:%b} {clock}"
    else:
        assert short == whole
    assert short.endswith(clock)
