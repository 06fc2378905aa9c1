"""Retrying a command that met another writer: how long, how often, how long a pause."""

from __future__ import annotations

import math
import random

from recommendations._errors import ConcurrencyError, ConfigurationError
from recommendations._logging import service as _log

__all__ = ["FIRST_PAUSE", "LONGEST_PAUSE", "Retrying"]

FIRST_PAUSE = 0.002
"""Seconds: the longest pause before deciding a conflicting command again the first time;
it doubles each time after, up to :data:`LONGEST_PAUSE` (each pause a random fraction of
it, so that writers who met do not meet again)."""
LONGEST_PAUSE = 0.25


class Retrying:
    """The bounds on retrying: ``retries`` (``None``: no limit but time) and ``retry_for``
    seconds since the command began (checked here: :class:`ConfigurationError`)."""

    def __init__(self, retries: int | None, retry_for: float) -> None:
        if retries is not None and (
            not isinstance(retries, int) or isinstance(retries, bool) or retries < 0
        ):
            raise ConfigurationError(
                f"retries must be a whole number of at least 0, or None, not {retries!r}",
                field="retries",
                rule="retries",
            )
        if (
            not isinstance(retry_for, int | float)
            or isinstance(retry_for, bool)
            or math.isnan(retry_for)
            or retry_for < 0
        ):
            raise ConfigurationError(
                f"retry_for must be a number of seconds of at least 0, not {retry_for!r}",
                field="retry_for",
                rule="retry-for",
            )
        self.retries = retries
        self.retry_for = float(retry_for)

    @property
    def at_once(self) -> bool:
        """Whether a conflict is reported at once (``retries=0``): then every item is read
        afresh, never taken from what the tracker knows."""
        return self.retries == 0

    def pause(self, attempt: int) -> float:
        """A random pause before attempt ``attempt + 1``, up to twice the one before."""
        return random.uniform(0, min(LONGEST_PAUSE, FIRST_PAUSE * 2**attempt))

    def exhausted(self, attempt: int, waited: float, pause: float) -> bool:
        """Whether attempt ``attempt`` was the last: too many, or past ``retry_for`` once
        ``pause`` is waited."""
        return (self.retries is not None and attempt >= self.retries) or (
            waited + pause > self.retry_for
        )

    def gave_up(
        self, reference: str | None, attempt: int, waited: float, busy: bool
    ) -> ConcurrencyError:
        """The error that ends retrying a command that kept meeting other writers."""
        met = (
            "the store stayed busy with other writers (locked)"
            if busy
            else "another writer recorded an entry for the same item first"
        )
        if attempt:
            met += f", {attempt + 1} times in {waited:.1f} s"
        bound = (
            ""
            if self.retries == 0
            else f" (the tracker tries for {self.retry_for:g} s"
            + (f", {self.retries} times" if self.retries is not None else "")
            + ")"
        )
        _log.warning("%s: %s; gave up", reference, met)
        return ConcurrencyError(
            f"{met}; nothing was recorded{bound}: execute the command again",
            reference=reference,
            rule="store-busy" if busy else "one-writer-per-version",
        )
