"""The errors of the verifiable history, under :class:`~recommendations.RecommendationsError`.

The tree::

    RecommendationsError
    └── IntegrityError (ValueError)     the log, a proof, a checkpoint or a key does not hold
        ├── ProofError                  an inclusion or consistency proof, or a bundle, fails
        └── NoteError                   a signed note, checkpoint or key is malformed or fails

The standalone verifier (:mod:`recommendations.integrity.verifier`) cannot import the
library, so it raises its own ``VerificationError`` tree; :func:`translated` turns those
into these, keeping the message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from recommendations._errors import RecommendationsError
from recommendations.integrity import verifier

__all__ = ["IntegrityError", "NoteError", "ProofError", "translated"]


class IntegrityError(RecommendationsError, ValueError):
    """The log, a proof, a checkpoint or a signing key does not hold what it should."""


class ProofError(IntegrityError):
    """An inclusion or consistency proof does not hold, or cannot be made as asked."""


class NoteError(IntegrityError):
    """A signed note, checkpoint or key cannot be read, or its signature does not verify."""


@contextmanager
def translated(
    *, reference: str | None = None, field: str | None = None, rule: str | None = None
) -> Iterator[None]:
    """Re-raise the verifier's errors as the library's, naming what they are about."""
    try:
        yield
    except verifier.NoteError as error:
        raise NoteError(str(error), reference=reference, field=field, rule=rule) from error
    except verifier.VerificationError as error:
        raise ProofError(str(error), reference=reference, field=field, rule=rule) from error
