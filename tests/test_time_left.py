"""The time left of a running transcription (``transcribe.progress.TimeLeft``), checked against
a model of a run: work done at a steady rate, reported every few seconds with the unevenness of
real reports (estimates between batches ahead of what is written, written batches behind), and
a run whose rate changes part-way."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from transcribe.progress import FIRST_S, SETTLE_S, WINDOW_S, TimeLeft

# ms of audio done per second of work: a tenth of real time to twenty times it
_rate = st.floats(100, 20000)
# a report: seconds since the last one, and how far it lags behind the work really done (as a
# fraction of ``LAG_S`` seconds of work)
_report = st.tuples(st.floats(0.2, 5.0), st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1)))
LAG_S = 10.0  # a report is at most this many seconds of work behind (or ahead of) the truth


@settings(max_examples=300)
@given(_rate, st.floats(300, 3600), st.lists(_report, min_size=2, max_size=300))
def test_at_a_steady_rate_the_time_left_never_jumps_up(
    rate: float, run_s: float, reports: list[tuple[float, float]]
) -> None:
    """Work goes on at a steady rate; the reports are uneven (each up to ``LAG_S`` seconds of
    work behind, never going back): from the first figure on (after ``FIRST_S``), the time left
    a report gives is never more than 2 s and a fifth above the last one counted down (as the
    GUI counts it), however the lags fall. It used to be computed afresh at each report: 1 min 04 s
    counted down, then 2 min 06 s."""
    total = int(rate * run_s)
    left = TimeLeft(0.0, 0, total)
    now, done, last = 0.0, 0, None  # last: (when, time left said)
    for pause, lag in reports:
        now += pause
        done = max(done, min(total, int(rate * now - lag * LAG_S * rate)))
        eta = left.update(now, done)
        if done >= total:
            assert eta == 0.0
            break
        assert (eta is None) == (done == 0 or now < FIRST_S) and (eta is None or eta >= 0.0)
        if last is not None and eta is not None:
            counted = max(0.0, last[1] - (now - last[0]))
            assert eta <= counted + 2.0 + 0.2 * counted, (now, done, counted, eta)
        if eta is not None:
            last = (now, eta)


@settings(max_examples=300)
@given(_rate, _rate, st.floats(0, 600), st.lists(st.floats(0.2, 5.0), min_size=1, max_size=20))
def test_after_a_change_of_rate_the_time_left_settles_on_the_new_one(
    before: float, after: float, change_s: float, pauses: list[float]
) -> None:
    """The rate changes at ``change_s`` (another language, the machine busier or freed):
    ``WINDOW_S`` + 8 x ``SETTLE_S`` seconds later, the time left is within 5 % (and a second)
    of what the new rate needs; never negative, unknown only in the first ``FIRST_S``."""
    settle = change_s + WINDOW_S + 8 * SETTLE_S
    total = int(before * change_s + after * (settle + 600 - change_s))
    left = TimeLeft(0.0, 0, total)
    now, i = 0.0, 0
    while now < settle + 300:
        now += pauses[i % len(pauses)]
        i += 1
        done = int(before * min(now, change_s) + after * max(0.0, now - change_s))
        eta = left.update(now, min(done, total))
        assert (eta is None) == (now < FIRST_S) and (eta is None or eta >= 0.0)
        if now >= settle:
            needed = (total - done) / after
            assert abs(eta - needed) <= 0.05 * needed + 1.0, (now, eta, needed)


def test_no_rate_no_time_left_and_the_end_is_zero() -> None:
    left = TimeLeft(10.0, 5000, 60000)
    assert left.update(12.0, 5000) is None  # nothing done yet in this run
    assert left.update(20.0, 10000) is None  # too soon to tell the rate
    assert left.update(30.0, 15000) == 90.0  # 10 s of audio in 20 s: 45 s of audio left
    # no news for 5 s: the rate fell (112.5 s left at it); the figure rises toward it gradually
    assert 85.0 < left.update(35.0, 15000) < 100.0
    assert left.update(30.0, 60000) == 0.0
