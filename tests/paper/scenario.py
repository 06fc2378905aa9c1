"""The West Midlands scenario of ``examples/west_midlands_2017.py``, loaded as the example's
readers run it."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType

EXAMPLE = Path(__file__).absolute().parents[2] / "examples" / "west_midlands_2017.py"


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("west_midlands_2017_paper", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


west_midlands = _load_example()
COMMITTEE: date = west_midlands.COMMITTEE
PREVIOUS_COMMITTEE: date = west_midlands.PREVIOUS_COMMITTEE
