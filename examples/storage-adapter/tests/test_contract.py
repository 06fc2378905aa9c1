"""The contract every ``recommendations`` storage adapter passes, run on this one.

:mod:`recommendations.testing` ships the cases; an adapter says only how to name a fresh,
empty store. Its process tests open the same URL from other processes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from recommendations.testing import StoreContract, ViewsContract


class TestJsonlStore(StoreContract, ViewsContract):
    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        return f"jsonl:///{tmp_path / 'log.jsonl'}"
