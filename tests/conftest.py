"""Unit tests never see the machine's data mirror: each test sets up the data it needs."""

import pytest


@pytest.fixture(autouse=True)
def _no_data_mirror(monkeypatch):
    monkeypatch.delenv("IMBALANCED_BOOK_MIRROR", raising=False)
