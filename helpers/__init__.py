"""Plumbing shared by the chapters of *Imbalanced Data with TensorFlow and Keras*.

One module per concern; each function's docstring names the chapter that introduces it.

- :mod:`helpers.data`: loading the datasets (real download with an offline stand-in).
- :mod:`helpers.preprocessing`: the stratified split and train-only scaling.
- :mod:`helpers.models`: Keras model builders and output-bias initialisation.
- :mod:`helpers.training`: seeding, compact progress output, early stopping.
- :mod:`helpers.seeds`: several training seeds side by side in one Keras model, each
  stopped at its own best epoch (chapter 1 on).
- :mod:`helpers.evaluation`: metrics, validation-chosen thresholds, bootstrap intervals,
  model-comparison tables and paired differences, for one run or averaged over seeds.
- :mod:`helpers.plots`: curves, confusion matrices, decision boundaries, reliability.
- :mod:`helpers.checks`: exercise checks that explain a wrong answer.
- :mod:`helpers.report`: glue for prose numbers and the "which data, which versions" line.
- :mod:`helpers.colab`: the Colab set-up cell.
- :mod:`helpers.weights`, :mod:`helpers.sequences`, :mod:`helpers.checks_weights`:
  class-weight formulas, the token-sequence data and their exercise checks (chapter 1).
- :mod:`helpers.resampling`, :mod:`helpers.checks_resampling`: NumPy oversampling, balanced
  ``tf.data`` streams, epoch arithmetic, a scikit-learn wrapper of the MLP for imblearn
  pipelines, and their exercise checks (chapter 2).
- :mod:`helpers.blobs`, :mod:`helpers.checks_blobs`: the seeded 2-D blob data and its exact
  posterior, the evaluation grid, the "encloses the positive region" measures, a trainer for
  many small MLPs at once, and the exercise checks (chapter 3).
- :mod:`helpers.focal`, :mod:`helpers.checks_focal`: a NumPy focal loss with the alpha
  convention made explicit, the prior output bias, the focal minimiser and its inverse, a
  loss-grid trainer, and their exercise checks (chapter 4).
- :mod:`helpers.calibration`, :mod:`helpers.checks_calibration`: the prior correction,
  cost-based thresholds, rare-event reliability and their exercise checks (chapter 6).
- :mod:`helpers.digits`, :mod:`helpers.gan`, :mod:`helpers.checks_gan`: MNIST with an
  offline fallback and the minority cut, the GAN and CNN builders, multi-class metrics and
  the exercise checks (chapter 5).
- :mod:`helpers.comparison`, :mod:`helpers.checks_comparison`: a stopwatch, row repetition
  for update-matched budgets, the interval forest plot and the exercise checks of the
  closing comparison (chapter 7).

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
    "seeds",
    "validation",
    "weights",
    "sequences",
    "checks_weights",
    "resampling",
    "checks_resampling",
    "blobs",
    "checks_blobs",
    "focal",
    "checks_focal",
    "calibration",
    "checks_calibration",
    "digits",
    "gan",
    "checks_gan",
    "comparison",
    "checks_comparison",
]
