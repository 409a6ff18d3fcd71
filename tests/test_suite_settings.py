"""Settings of the test run itself (tests/conftest.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=3)
@given(st.integers())
def test_property_tests_have_no_time_limit_per_example(_n: int) -> None:
    """A property test that sets its own settings keeps the run's: no deadline, which failed
    correct tests on a loaded machine (each example's time is bench/'s to measure)."""
    assert settings().deadline is None
    assert settings.default is not None and settings.default.deadline is None
