"""The registry of output formats: each format's name, the file name endings it is known
by, what it can write (a register, a trail, the committee paper, the register and trail
together) and its writers.

Each public module of :mod:`recommendations.outputs` is one format and names it in a
module-level ``FORMAT``; the registry finds them by listing the package, so that adding a
format is adding a module. Nothing else keeps a list of format names.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Literal, Protocol

from attrs import field, frozen

from recommendations._errors import ConfigurationError

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

    from ._common import Listing
    from ._records import AnyRegister, AnyTrail, AnyView
    from .document import Document

__all__ = [
    "DocumentWriter",
    "Format",
    "ListingWriter",
    "Paper",
    "PdfRenderer",
    "ViewWriter",
    "What",
    "format_named",
    "formats",
    "formats_for",
    "names_for",
    "suffixes_for",
]

What = Literal["register", "trail", "paper", "bundle", "listing"]
"""What a format can write: a register, an audit trail, the committee paper, the
register and trail of the whole log together (``recommendations export``), or a short
listing of another kind (a :class:`~recommendations.outputs.Listing`: the roll-up of a
national recommendation, the reports and their plans)."""

ViewWriter = Callable[["AnyView", IO[bytes], str, "LogCheckpoint | None"], None]
"""Writes a register or a trail (the view, the binary file, the title, the checkpoint of
the log if the format carries one), as its rows come."""

PdfRenderer = Literal["weasyprint", "fpdf2"]
"""What makes a PDF: WeasyPrint (tagged, PDF/UA-1) or fpdf2 (pure Python)."""


class Paper(Protocol):
    """What the formats ask of a committee paper
    (:class:`~recommendations.paper.CommitteePaper` is one; the paper package imports
    this one, never the other way round)."""

    def document(self) -> Document: ...

    def markdown(self, *, chart: str | None = None) -> str: ...

    def html(self) -> str: ...

    def pdf(self, *, renderer: PdfRenderer | None = None) -> bytes: ...

    def json(self) -> str: ...


PaperWriter = Callable[[Paper], bytes]
"""The committee paper as the file's bytes."""

BundleWriter = Callable[
    ["AnyRegister", "Callable[[], AnyTrail]", IO[bytes], "LogCheckpoint | None"], None
]
"""Writes the register, then the trail the function makes, to one file."""

ListingWriter = Callable[["Listing", IO[bytes]], None]
"""Writes a :class:`~recommendations.outputs.Listing`."""

DocumentWriter = Callable[["Document", IO[bytes]], None]
"""Writes any :class:`~recommendations.outputs.document.Document` to the binary file, as
its blocks come (a table's :class:`~recommendations.outputs.document.Rows` read once)."""


@frozen(kw_only=True)
class Format:
    """One output format, as its module declares it in ``FORMAT``."""

    name: str
    """What ``--format`` calls it: ``csv``, ``md``, ``pdf``..."""
    rank: int
    """Where it is listed among the formats (lowest first)."""
    description: str
    """A few words for a reader: ``a spreadsheet``."""
    suffixes: tuple[str, ...]
    """The file name endings it is known by, lower case with the dot, first the usual one."""
    binary: bool = False
    """Whether it is a binary file (never shown on a terminal)."""
    write_view: ViewWriter | None = None
    """Writes a register or a trail, if it can."""
    write_paper: PaperWriter | None = None
    """Makes the committee paper, if it can."""
    write_bundle: BundleWriter | None = None
    """Writes the register and trail of the whole log in one file, if it can."""
    write_listing: ListingWriter | None = None
    """Writes a short listing of another kind (a roll-up, the reports), if it can."""
    streamed: bool = True
    """Whether a register or a trail is written as its rows come, in memory that does not
    grow with it (a PDF and the terminal's table are laid out whole)."""
    bundle_as_folder: bool = False
    """Whether the register and trail together are a folder of two files in it (one file
    each, written with ``write_view``) rather than one file."""
    checkpoint: bool = False
    """Whether a register or trail written in it carries the log's checkpoint."""
    also: Mapping[str, tuple[str, ...]] = field(factory=dict)
    """More endings it is known by for one kind of output only (``{"paper": (".txt",)}``)."""

    @classmethod
    def of_documents(
        cls,
        *,
        name: str,
        rank: int,
        description: str,
        suffixes: tuple[str, ...],
        write_document: DocumentWriter,
        binary: bool = False,
        streamed: bool = True,
    ) -> Format:
        """A format that writes documents: given ``write_document``, a writer of any
        :class:`~recommendations.outputs.document.Document`, it writes a register, a trail
        and one recommendation's history laid out by
        :func:`~recommendations.outputs.document.view_document`, and the committee paper
        laid out by :meth:`CommitteePaper.document
        <recommendations.paper.CommitteePaper.document>`, all through that one writer (``streamed``:
        whether it writes a table's rows as they come)."""

        def write_view(
            view: AnyView, file: IO[bytes], title: str, checkpoint: LogCheckpoint | None
        ) -> None:
            from .document import view_document

            write_document(view_document(view, title), file)

        def write_paper(paper: Paper) -> bytes:
            import io

            out = io.BytesIO()
            write_document(paper.document(), out)
            return out.getvalue()

        return cls(
            name=name,
            rank=rank,
            description=description,
            suffixes=suffixes,
            binary=binary,
            write_view=write_view,
            write_paper=write_paper,
            streamed=streamed,
        )

    def writes(self, what: What) -> bool:
        """Whether this format can write ``what``."""
        if what in ("register", "trail"):
            return self.write_view is not None
        if what == "paper":
            return self.write_paper is not None
        if what == "listing":
            return self.write_listing is not None
        return self.write_bundle is not None or self.bundle_as_folder


_found: list[Format] = []
_finding = threading.Lock()


def formats() -> tuple[Format, ...]:
    """Every format, in the order they are listed: those of :mod:`recommendations.outputs`
    (each public module's ``FORMAT``), found on first use (once, whichever thread asks
    first)."""
    with _finding:
        if not _found:
            package = importlib.import_module("recommendations.outputs")
            found = []
            for info in pkgutil.iter_modules(package.__path__):
                if info.name.startswith("_"):
                    continue
                module = importlib.import_module(f"recommendations.outputs.{info.name}")
                declared = getattr(module, "FORMAT", None)
                if isinstance(declared, Format):
                    found.append(declared)
            _found.extend(sorted(found, key=lambda f: (f.rank, f.name)))
        return tuple(_found)


def formats_for(what: What) -> tuple[Format, ...]:
    """The formats that can write ``what``, in order."""
    return tuple(f for f in formats() if f.writes(what))


def names_for(what: What) -> tuple[str, ...]:
    """The names of the formats that can write ``what``, in order."""
    return tuple(f.name for f in formats_for(what))


def suffixes_for(what: What) -> dict[str, str]:
    """The file name endings of the formats that can write ``what``, each to its format
    (``{".csv": "csv", ".htm": "html", ...}``), and every other format's ending to its
    name too, so that a file named for a format the command does not write can be told
    apart from a name that says nothing."""
    known: dict[str, str] = {}
    for chosen in formats():
        for suffix in chosen.suffixes:
            known.setdefault(suffix, chosen.name)
    for chosen in formats_for(what):
        for suffix in (*chosen.suffixes, *chosen.also.get(what, ())):
            known[suffix] = chosen.name
    return known


def format_named(name: str, what: What) -> Format:
    """The format ``name`` for writing ``what``. Raises
    :class:`~recommendations.ConfigurationError` (field ``format``, rule ``export-format``)
    for a name no format has or one that cannot write ``what``."""
    for chosen in formats_for(what):
        if chosen.name == name:
            return chosen
    names = ", ".join(names_for(what))
    raise ConfigurationError(
        f"no {'paper' if what == 'paper' else 'export'} format {name!r} (formats: {names})",
        field="format",
        rule="export-format",
    )
