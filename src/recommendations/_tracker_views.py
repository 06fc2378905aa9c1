"""The Tracker's read side beyond the register: audit trails and the committee update."""

from __future__ import annotations

__all__ = ["TrackerViews"]


class TrackerViews:
    """Mixed into :class:`~recommendations.Tracker`; uses its ``log``, ``basis`` and
    ``_items``."""
