"""The views' catch-up: after a command, ``TablesBehind`` carrying what was recorded if the
views cannot follow; before a read, a warning naming the position the answer reflects."""

from __future__ import annotations

import pytest

import recommendations as r
from recommendations import domain
from recommendations._service import CatchUp, Decider, Positioned
from recommendations.stores import InProcessTables, LogSource

from .parts import memory_log, publish, raise_, still


def test_views_that_cannot_follow_say_so_after_a_command_and_before_a_read() -> None:
    log = memory_log()
    events = (
        Decider(log, policy=domain.DEFAULT_POLICY, clock=still).decide([publish(), raise_()]).events
    )
    log.app.save(*events)

    def unreadable_second(stored: object) -> domain.Event | None:
        if getattr(stored, "id", None) == 2:
            raise ValueError("an entry the views cannot hold")
        return log.decode_domain(stored)  # type: ignore[arg-type]

    views = InProcessTables(LogSource(log.app.recorder, unreadable_second))
    catch_up = CatchUp(views, log.label)
    recorded = [Positioned(event=events[1], position=2)]
    with pytest.raises(r.TablesBehind) as behind:
        catch_up.after_recording(recorded, "2.16")
    assert list(behind.value.recorded) == recorded
    assert "at log position 2, but the views could not catch up" in str(behind.value)
    assert isinstance(catch_up.quietly(), r.StoreError)
    with pytest.warns(r.TablesBehindWarning) as warned:
        catch_up.for_read()
    assert catch_up.behind is not None and catch_up.behind.position == 1
    assert "they hold it up to position 1" in str(warned[0].message)


def test_views_that_follow_clear_the_warning() -> None:
    log = memory_log()
    log.app.save(
        *Decider(log, policy=domain.DEFAULT_POLICY, clock=still).decide([publish()]).events
    )
    views = InProcessTables(LogSource(log.app.recorder, log.decode_domain))
    catch_up = CatchUp(views, log.label)
    catch_up.for_read()
    assert catch_up.behind is None
    assert views.position() == 1
