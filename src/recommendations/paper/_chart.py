"""The chart of the committee paper: recommendations by grade over time, as stacked bars.

Drawn with matplotlib on an explicit :class:`~matplotlib.figure.Figure` and the Agg canvas,
never through ``pyplot``: nothing is shown, no global figure is kept, and the process's
chosen backend is left alone. matplotlib is imported only when a chart is drawn.

SVG keeps its text as text (``svg.fonttype: none``), so that a reader, a search or a test
can read the labels. That setting is read from matplotlib's global configuration while the
figure is saved; it is set for that moment only, under a lock, and put back after.
"""

from __future__ import annotations

import calendar
import io
import threading
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal

from ._series import DISCHARGED_COLOUR, UNGRADED_COLOUR, GradeSeries

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Marker", "draw"]

_SAVING = threading.Lock()
"""Held while matplotlib's global configuration is changed to save a figure."""

_INK = "#263238"
_WIDTH, _HEIGHT = 8.0, 4.0
"""Inches: the width of an A4 page less its margins, and half as high."""
_PNG_DPI = 200

Marker = tuple[date, str]
"""A date to mark on the chart with a dashed line, and what to call it."""


def _long(on: date) -> str:
    return f"{on.day} {on:%B %Y}"


def _tick(on: date) -> str:
    """``Mar 2017`` for a month end, ``30 Mar 2017`` for any other day (a committee's)."""
    if on.day == calendar.monthrange(on.year, on.month)[1]:
        return f"{on:%b %Y}"
    return f"{on.day} {on:%b %Y}"


def _plain(text: str) -> str:
    """``text`` as matplotlib should show it: a dollar sign starts no mathematics."""
    return text.replace("$", r"\$")


def _figure(series: GradeSeries, title: str, markers: Sequence[Marker]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(_WIDTH, _HEIGHT), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=11, color=_INK, parse_math=False)
    axes.set_ylabel("Recommendations", fontsize=9, color=_INK)
    axes.set_xlabel("Month end, and committee dates", fontsize=9, color=_INK)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=_INK, labelsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_axisbelow(True)
    axes.grid(axis="y", color="#e0e0e0", linewidth=0.6)

    points = series.points
    if series.empty:
        last = points[-1].on if points else None
        when = f" by {_long(last)}" if last else ""
        axes.text(
            0.5,
            0.5,
            f"No recommendations recorded{when}",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color=_INK,
            gid="nothing-recorded",
        )
        axes.set_xticks([])
        axes.set_yticks([])
        return figure

    layers: list[tuple[str, str, str, list[int]]] = [
        (f"g{index}", grade.label, grade.colour, [p.by_grade[index] for p in points])
        for index, grade in enumerate(series.grades)
    ]
    if series.ever_ungraded:
        layers.append(("ungraded", "Not graded", UNGRADED_COLOUR, [p.ungraded for p in points]))
    if series.ever_discharged:
        layers.append(
            ("discharged", "Discharged", DISCHARGED_COLOUR, [p.discharged for p in points])
        )
    _bars(axes, layers)

    positions = {point.on: index for index, point in enumerate(points)}
    axes.set_xticks(range(len(points)))
    axes.set_xticklabels([_tick(point.on) for point in points], rotation=90, fontsize=7, color=_INK)
    axes.set_xlim(-0.7, len(points) - 0.3)
    top = max(point.total for point in points)
    axes.set_ylim(0, top * 1.25 + 1)
    for on, label in markers:
        if on in positions:
            _mark(axes, positions[on], len(points), top, label, on)

    handles = [
        Patch(facecolor=colour, edgecolor="white", label=_plain(label))
        for _, label, colour, _ in reversed(layers)
    ]
    figure.legend(
        handles=handles,
        loc="outside right upper",
        frameon=False,
        fontsize=8,
        title="Grade",
        title_fontsize=8,
    )
    return figure


def _bars(axes: Axes, layers: list[tuple[str, str, str, list[int]]]) -> None:
    """One stack per date, worst grade at the bottom; each bar has the id
    ``bar-<layer>-p<date index>`` in SVG, and a zero draws no bar."""
    bottoms = [0] * len(layers[0][3])
    for key, _label, colour, heights in layers:
        shown = [index for index, height in enumerate(heights) if height]
        if shown:
            bars = axes.bar(
                shown,
                [heights[i] for i in shown],
                bottom=[bottoms[i] for i in shown],
                width=0.8,
                color=colour,
                edgecolor="white",
                linewidth=0.4,
            )
            for patch, index in zip(bars.patches, shown, strict=True):
                patch.set_gid(f"bar-{key}-p{index}")
        bottoms = [bottom + height for bottom, height in zip(bottoms, heights, strict=True)]


def _mark(axes: Axes, x: int, count: int, top: int, label: str, on: date) -> None:
    """A dashed line through the bar of ``on``, labelled on whichever side has room."""
    axes.axvline(x, color=_INK, linestyle="--", linewidth=0.9, gid="marker-line")
    right = x < count / 2
    axes.text(
        x + 0.5 if right else x - 0.5,
        top * 1.22 + 1,
        f"{label}\n{_long(on)}",
        fontsize=7,
        color=_INK,
        va="top",
        ha="left" if right else "right",
        parse_math=False,
        gid="marker-label",
    )


def draw(
    series: GradeSeries,
    *,
    title: str,
    markers: Sequence[Marker] = (),
    format: Literal["svg", "png"] = "svg",
) -> bytes:
    """The chart of ``series`` as SVG (text kept as text) or PNG (A4 width at 200 dpi)."""
    import matplotlib

    figure = _figure(series, title, markers)
    out = io.BytesIO()
    with (
        _SAVING,
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "recommendations"}),
    ):
        if format == "svg":
            figure.savefig(out, format="svg", metadata={"Date": None})
        else:
            figure.savefig(out, format="png", dpi=_PNG_DPI, metadata={"Software": None})
    return out.getvalue()
