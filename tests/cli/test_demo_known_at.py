"""The demonstration keeps the times its entries were recorded in the world: the register
as the committee knew it on a day, from the command line."""

from __future__ import annotations

from .helpers import ok, run, table_rows


def test_the_register_as_known_on_15_january_2017(shared_demo: str) -> None:
    out = ok(run("--store", shared_demo, "register", "--known-at", "2017-01-15"))
    rows = {row[0]: row for row in table_rows(out)}
    assert len(rows) == 64  # PEEL Effectiveness 2016's two were raised in March
    assert rows["CB-12"][3] == "Green"  # entered on 14 December 2016, with the correction
    assert rows["CB-21"][3] == "Amber"  # its mistaken green struck out that day
    assert rows["CB-03"][3] == "Amber"  # green only from 19 January 2017
    assert "as known at 2017-01-15 23:59:59 UTC, up to log position 145" in " ".join(out.split())


def test_before_the_mistake_was_struck_out(shared_demo: str) -> None:
    out = ok(run("--store", shared_demo, "register", "--known-at", "2016-12-12"))
    rows = {row[0]: row for row in table_rows(out)}
    assert (rows["CB-12"][3], rows["CB-21"][3]) == ("Amber", "Green")
