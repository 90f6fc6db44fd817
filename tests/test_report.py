"""Glue casts to plain numbers; the versions line names the stack."""

import numpy as np
import pytest

from helpers.report import glue_number, versions_line


def test_glue_number_casts_numpy_scalars():
    assert type(glue_number("x", np.float32(0.5))) is float
    assert type(glue_number("n", np.int64(3))) is int
    assert glue_number("s", "text") == "text"
    with pytest.raises(ValueError, match="number or a string"):
        glue_number("bad", [1, 2])


def test_versions_line_names_tensorflow_and_keras():
    line = versions_line()
    assert line.startswith("Versions: Python")
    assert "tensorflow 2." in line and "keras 3." in line
    assert "(not installed)" in versions_line(("surely-not-a-package",))
