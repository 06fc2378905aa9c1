"""Loading the peer test vectors kept in ``tests/integrity/vectors`` (see its README)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).parent / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def proof_b64(values: list[str] | None) -> list[bytes]:
    return [b64(value) for value in values or []]


def case_id(case: dict[str, Any]) -> str:
    return str(case.get("source_path") or case.get("desc") or case.get("name"))
