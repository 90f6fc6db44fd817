"""Plumbing shared by the chapters of *Imbalanced Data with TensorFlow and Keras*.

One module per concern; each function's docstring names the chapter that introduces it.

- :mod:`helpers.data`: loading the datasets (real download with an offline stand-in).
- :mod:`helpers.preprocessing`: the stratified split and train-only scaling.
- :mod:`helpers.models`: Keras model builders and output-bias initialisation.
- :mod:`helpers.training`: seeding, compact progress output, early stopping.
- :mod:`helpers.evaluation`: metrics, validation-chosen thresholds, bootstrap intervals.
- :mod:`helpers.plots`: curves, confusion matrices, decision boundaries, reliability.
- :mod:`helpers.checks`: exercise checks that explain a wrong answer.
- :mod:`helpers.report`: glue for prose numbers and the "which data, which versions" line.
- :mod:`helpers.colab`: the Colab set-up cell.
- :mod:`helpers.weights`, :mod:`helpers.sequences`, :mod:`helpers.checks_weights`:
  class-weight formulas, the token-sequence data and their exercise checks (chapter 1).
- :mod:`helpers.calibration`, :mod:`helpers.checks_calibration`: the prior correction,
  cost-based thresholds, rare-event reliability and their exercise checks (chapter 6).

Importing the package is cheap: TensorFlow is imported only by the modules that need it.
"""

import os as _os

# TensorFlow's C++ log (CUDA probing, oneDNN notes, and a harmless tf.data "NodeDef
# mentions attribute use_unbounded_threadpool" error line in TF 2.20) would fill the
# notebooks' outputs. Real failures still raise Python exceptions. A reader who wants
# the log sets TF_CPP_MIN_LOG_LEVEL before importing helpers.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__all__ = [
    "checks",
    "colab",
    "data",
    "evaluation",
    "models",
    "plots",
    "preprocessing",
    "report",
    "training",
    "validation",
    "weights",
    "sequences",
    "checks_weights",
    "calibration",
    "checks_calibration",
]
