"""Claims about worker.extract.parse_datetime: every publication time comes back in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from worker.extract import parse_datetime

MAY_19_1107_UTC = datetime(2021, 5, 19, 11, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("19-05-2021 16:37 IST", id="indian-byline"),
        pytest.param("2021-05-19T16:37:00+05:30", id="iso-offset"),
        pytest.param("2021-05-19T11:07:00Z", id="iso-zulu"),
        pytest.param("2021-05-19T07:07:00-04:00", id="iso-negative-offset"),
        pytest.param("Wed, 19 May 2021 11:07:00 GMT", id="rfc822-gmt"),
        pytest.param("Wed, 19 May 2021 12:07:00 +0100", id="rfc822-offset"),
        pytest.param("Wed, 19 May 2021 07:07:00 EDT", id="rfc822-edt"),
        pytest.param("May 19, 2021 7:07 AM EDT", id="us-byline-edt"),
        pytest.param("19 May 2021 20:07 JST", id="jst"),
    ],
)
def test_zoned_times_are_converted_to_utc(text: str) -> None:
    parsed = parse_datetime(text)
    assert parsed == MAY_19_1107_UTC
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


def test_naive_time_is_taken_as_utc() -> None:
    parsed = parse_datetime("2021-05-19 11:07:00")
    assert parsed == MAY_19_1107_UTC
    assert parsed is not None and parsed.tzinfo is not None


def test_numeric_byline_dates_are_day_first() -> None:
    assert parse_datetime("03-04-2021 10:00 GMT") == datetime(2021, 4, 3, 10, 0, tzinfo=UTC)


def test_iso_dates_are_year_month_day() -> None:
    assert parse_datetime("2021-03-04") == datetime(2021, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["not a date", "", "   ", "2021-13-45", "99999999999999999999", "3 hours ago"]
)
def test_garbage_gives_none(text: str) -> None:
    assert parse_datetime(text) is None


@pytest.mark.parametrize("text", ["Monday", "10:30 AM IST"])
def test_text_without_a_date_gives_none(text: str) -> None:
    assert parse_datetime(text) is None
