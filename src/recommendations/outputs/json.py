"""JSON: a register or a trail as a list of objects, one per row, with the same keys as
the CSV columns (the basis among them); with the log's checkpoint, an object
``{"checkpoint": {...}, "register" or "trail": [...]}``. The register and trail together
are one object, ``{"register": [...], "trail": [...], "basis": {...}}``; the committee
paper's figures are :meth:`CommitteePaper.json <recommendations.paper.CommitteePaper.json>`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from ._common import Listing, is_register, records
from ._records import (
    AnyRegister,
    AnyTrail,
    AnyView,
    Record,
    iter_register_records,
    iter_trail_records,
    plain,
)
from ._registry import Format, Paper

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

__all__ = ["FORMAT", "json_array_chunks", "json_text"]


def json_text(value: Any) -> str:
    """``value`` as indented JSON (see :func:`~recommendations.exports.plain`)."""
    return json.dumps(plain(value), ensure_ascii=False, indent=2) + "\n"


def json_array_chunks(records: Iterable[Any], *, depth: int = 0) -> Iterator[str]:
    """A JSON list of ``records``, written as they come: the same text as
    :func:`json_text` of the list (without its last line break), indented as if nested
    ``depth`` levels deep."""
    outer = "  " * depth
    inner = outer + "  "
    first = True
    for record in records:
        text = json.dumps(plain(record), ensure_ascii=False, indent=2)
        yield ("[\n" if first else ",\n") + inner + text.replace("\n", "\n" + inner)
        first = False
    yield "[]" if first else "\n" + outer + "]"


def _with_checkpoint(
    checkpoint: LogCheckpoint, key: str, records: Iterable[Record], file: IO[bytes]
) -> None:
    """``{"checkpoint": {...}, key: [records]}``, the records written as they come."""
    head = json_text({"checkpoint": checkpoint.as_dict()})
    file.write(head[: head.rindex("\n}")].encode("utf-8"))
    file.write(f',\n  "{key}": '.encode())
    for chunk in json_array_chunks(records, depth=1):
        file.write(chunk.encode("utf-8"))
    file.write(b"\n}\n")


def write_view(
    view: AnyView, file: IO[bytes], title: str, checkpoint: LogCheckpoint | None = None
) -> None:
    """``view`` as a JSON list of its rows (with the basis in each), or with
    ``checkpoint``, an object holding the checkpoint and the list, as the rows come."""
    rows = records(view, basis=True)
    if checkpoint is not None:
        _with_checkpoint(checkpoint, "register" if is_register(view) else "trail", rows, file)
        return
    for chunk in itertools.chain(json_array_chunks(rows), ["\n"]):
        file.write(chunk.encode("utf-8"))


def write_bundle(
    register: AnyRegister,
    trail: Callable[[], AnyTrail],
    file: IO[bytes],
    checkpoint: LogCheckpoint | None,
) -> None:
    """The register, then the trail ``trail`` makes once the register is written, as one
    object that says what they are true of last: ``{"register": [...], "trail": [...],
    "basis": {...}}``, and with ``checkpoint``, ``"checkpoint": {...}`` after the basis."""
    made: list[AnyTrail] = []

    def the_trail() -> AnyTrail:
        if not made:
            made.append(trail())
        return made[0]

    parts: list[tuple[str, Callable[[], Iterable[Record]]]] = [
        ('{\n  "register": ', lambda: iter_register_records(register)),
        (',\n  "trail": ', lambda: iter_trail_records(the_trail())),
    ]
    for label, rows in parts:
        file.write(label.encode("utf-8"))
        for chunk in json_array_chunks(rows(), depth=1):
            file.write(chunk.encode("utf-8"))
    made_trail = the_trail()
    basis = {
        "as_at": register.basis.as_at,
        "known_at": register.basis.known_at,
        "position": register.basis.position,
        "audience": register.disclosure.audience.value,
        "register": register.disclosure.describe(),
        "trail": made_trail.disclosure.describe(),
    }
    top: dict[str, object] = {"basis": basis}
    if checkpoint is not None:
        top["checkpoint"] = checkpoint.as_dict()
    tail = json_text(top)  # '{\n  "basis": {...}\n}\n'
    file.write(b",\n" + tail[tail.index("\n") + 1 :].encode("utf-8"))


def write_paper(paper: Paper) -> bytes:
    """The committee paper's figures, as :meth:`CommitteePaper.json
    <recommendations.paper.CommitteePaper.json>` writes them."""
    return paper.json().encode("utf-8")


def write_listing(listing: Listing, file: IO[bytes]) -> None:
    """A listing as its JSON document."""
    text = json.dumps(listing.document, indent=2, ensure_ascii=False)
    file.write(text.encode("utf-8") + b"\n")


FORMAT = Format(
    name="json",
    rank=1,
    description="JSON",
    suffixes=(".json",),
    write_view=write_view,
    write_paper=write_paper,
    write_bundle=write_bundle,
    write_listing=write_listing,
    checkpoint=True,
)
