"""Glue casts to plain numbers; the versions line names the stack."""

import numpy as np
import pytest

from helpers.report import _plain, glue_number, versions_line


def test_plain_casts_numpy_scalars():
    assert type(_plain(np.float32(0.5))) is float
    assert type(_plain(np.int64(3))) is int
    assert type(_plain(np.bool_(True))) is bool
    assert _plain("text") == "text"


def test_glue_number_stores_plain_values(monkeypatch):
    import myst_nb

    stored = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: stored.update({name: value}))
    assert glue_number("x", np.float64(0.25)) is None
    assert stored == {"x": 0.25} and type(stored["x"]) is float
    with pytest.raises(ValueError, match="number or a string"):
        glue_number("bad", [1, 2])


def test_versions_line_names_tensorflow_and_keras():
    line = versions_line()
    assert line.startswith("Versions: Python")
    assert "tensorflow 2." in line and "keras 3." in line
    assert "(not installed)" in versions_line(("surely-not-a-package",))


def test_scientific_text_writes_powers_of_ten_as_prose():
    from helpers.report import scientific_text

    assert scientific_text(4.7e-05) == "4.7 × 10⁻⁵"
    assert scientific_text(1e-07, digits=0) == "10⁻⁷"
    assert scientific_text(1.04e-07, digits=0) == "10⁻⁷"
    assert scientific_text(-2.5e6) == "-2.5 × 10⁶"
    assert scientific_text(0.27) == "0.27" and scientific_text(0.00043) == "0.00043"
    assert "e" not in scientific_text(3.3e-12, digits=2)
    for bad in (float("nan"), "1e-3", None, True):
        with pytest.raises(ValueError):
            scientific_text(bad)
