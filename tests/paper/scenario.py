"""The West Midlands scenario: the demonstration's scenario file, recorded by the library's
player (:func:`recommendations.demo.build`), as ``recommendations demo`` and
``examples/west_midlands_2017.py`` record it."""

from __future__ import annotations

from datetime import date

from recommendations import demo as west_midlands

COMMITTEE: date = west_midlands.COMMITTEE
PREVIOUS_COMMITTEE: date = west_midlands.PREVIOUS_COMMITTEE

__all__ = ["COMMITTEE", "PREVIOUS_COMMITTEE", "west_midlands"]
