"""Retrying: its bounds checked when given, pauses that grow, and the error that ends it."""

from __future__ import annotations

import math

import pytest

import recommendations as r
from recommendations._service import Retrying
from recommendations._service._retrying import FIRST_PAUSE, LONGEST_PAUSE


@pytest.mark.parametrize(
    ("retries", "retry_for", "rule"),
    [
        (-1, 10.0, "retries"),
        (True, 10.0, "retries"),
        (1.5, 10.0, "retries"),
        (None, -1.0, "retry-for"),
        (None, math.nan, "retry-for"),
        (None, False, "retry-for"),
    ],
)
def test_bounds_that_make_no_sense_are_refused(
    retries: object, retry_for: object, rule: str
) -> None:
    with pytest.raises(r.ConfigurationError) as caught:
        Retrying(retries, retry_for)  # type: ignore[arg-type]
    assert caught.value.rule == rule


def test_pauses_grow_from_the_first_to_the_longest() -> None:
    retrying = Retrying(None, math.inf)
    for attempt in range(20):
        assert 0 <= retrying.pause(attempt) <= min(LONGEST_PAUSE, FIRST_PAUSE * 2**attempt)
    assert not retrying.exhausted(1000, 1e9, 1.0)


def test_retries_and_seconds_each_end_it() -> None:
    assert Retrying(0, 10).at_once
    assert Retrying(0, 10).exhausted(0, 0.0, 0.0)
    assert not Retrying(3, 10).exhausted(2, 0.0, 0.1)
    assert Retrying(3, 10).exhausted(3, 0.0, 0.1)
    assert Retrying(None, 1.0).exhausted(0, 0.95, 0.1)  # the pause would pass the bound


def test_the_error_that_ends_it_says_what_was_met_and_the_bounds() -> None:
    busy = Retrying(5, 2).gave_up("2.16", 3, 1.25, busy=True)
    assert isinstance(busy, r.ConcurrencyError)
    assert busy.rule == "store-busy"
    assert "stayed busy with other writers (locked), 4 times in 1.2 s" in str(busy)
    assert "(the tracker tries for 2 s, 5 times)" in str(busy)
    at_once = Retrying(0, 10).gave_up(None, 0, 0.0, busy=False)
    assert at_once.rule == "one-writer-per-version"
    assert str(at_once).endswith(
        "another writer recorded an entry for the same item first; nothing was recorded: "
        "execute the command again"
    )
