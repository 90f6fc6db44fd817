"""The 2-D blob experiment of chapter 3 (*Undersampling + bagging versus two-phase training*).

Four pieces of plumbing, introduced in chapter 3:

- :func:`make_blobs`: the seeded data set (40,000 points, 15 negatives per positive, the
  positive blob hemmed in by negative blobs) and :func:`blob_posterior`, the exact
  probability of the positive class under the generating mixture, for any class prior;
- :func:`evaluation_grid`: the grid over ``[-4, 4]²`` with step 0.03 on which decision
  regions are measured;
- :func:`positive_ellipse` and :func:`enclosure`: "does the 0.5 contour enclose the
  positive region?" as two numbers, the fraction of the positive blob's high-density
  ellipse inside the predicted region (*coverage*) and the fraction of the predicted
  region outside that ellipse (*outside*);
- :func:`init_stacked_mlp`, :func:`shuffled_batches`, :func:`train_stacked` and
  :func:`stacked_predict`: many small ReLU MLPs trained at once with plain mini-batch SGD
  on binary cross-entropy, each on its own shuffled batches. Stacking the models as a
  leading weight dimension and compiling the loop with XLA removes Keras' per-step
  overhead; the chapter checks that it reproduces ``keras.Model.fit``.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "BLOBS",
    "Blob",
    "Grid",
    "POSITIVE_MEAN",
    "POSITIVE_SD",
    "blob_posterior",
    "class_densities",
    "enclosure",
    "evaluation_grid",
    "init_stacked_mlp",
    "make_blobs",
    "natural_positive_rate",
    "positive_ellipse",
    "shuffled_batches",
    "stacked_predict",
    "train_stacked",
]


@dataclass(frozen=True)
class Blob:
    """One isotropic Gaussian blob: its class ``label``, ``mean``, standard deviation ``sd`` and point ``count``."""

    label: int
    mean: tuple[float, float]
    sd: float
    count: int


BLOBS: tuple[Blob, ...] = (
    Blob(0, (1.0, 1.0), 1.0, 10_000),
    Blob(0, (-1.0, 1.0), 1.0, 10_000),
    Blob(0, (-1.0, -1.0), 1.0, 10_000),
    Blob(0, (1.0, -0.5), 0.5, 2_500),
    Blob(0, (0.5, -1.0), 0.5, 2_500),
    Blob(0, (1.0, -1.0), 0.5, 2_500),
    Blob(1, (0.5, -0.5), 0.5, 2_500),
)
"""The source experiment's blobs: 37,500 negatives in six blobs, 2,500 positives in one."""

POSITIVE_MEAN: tuple[float, float] = (0.5, -0.5)
POSITIVE_SD: float = 0.5


def natural_positive_rate() -> float:
    """The positive share of the generated data: 2,500 / 40,000 = 1/16 (chapter 3)."""
    pos = sum(b.count for b in BLOBS if b.label == 1)
    return pos / sum(b.count for b in BLOBS)


def _check_scale(scale: float) -> float:
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a positive number; got {scale!r}.") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"scale must be a positive number; got {scale!r}.")
    if min(round(b.count * value) for b in BLOBS) < 1:
        raise ValueError(
            f"scale={value:g} leaves a blob without points; use scale >= {1 / 2_500:g}."
        )
    return value


def make_blobs(seed: int = 0, *, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Draw the 2-D blob data set of chapter 3: features ``(n, 2)`` float64 and labels ``(n,)`` int64.

    Every blob of :data:`BLOBS` contributes ``round(count * scale)`` points (``scale=1``
    gives the source's 40,000 points, 37,500 negatives and 2,500 positives); rows are
    shuffled. The same ``seed`` always gives the same data; draw training, validation and
    test sets with different seeds.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}.")
    factor = _check_scale(scale)
    rng = np.random.default_rng(int(seed))
    xs, ys = [], []
    for blob in BLOBS:
        n = round(blob.count * factor)
        xs.append(rng.normal(loc=blob.mean, scale=blob.sd, size=(n, 2)))
        ys.append(np.full(n, blob.label, dtype=np.int64))
    order = rng.permutation(sum(len(y) for y in ys))
    return np.concatenate(xs)[order], np.concatenate(ys)[order]


def _points(x: Any, name: str = "x") -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2); got {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return arr


def _gaussian(x: np.ndarray, mean: tuple[float, float], sd: float) -> np.ndarray:
    r2 = ((x - np.asarray(mean)) ** 2).sum(axis=1)
    return np.exp(-r2 / (2 * sd * sd)) / (2 * math.pi * sd * sd)


def class_densities(x: Any) -> tuple[np.ndarray, np.ndarray]:
    """The class-conditional densities ``p(x | y=1)`` and ``p(x | y=0)`` of the blob mixture (chapter 3)."""
    pts = _points(x)
    dens = {0: np.zeros(len(pts)), 1: np.zeros(len(pts))}
    for label in (0, 1):
        blobs = [b for b in BLOBS if b.label == label]
        total = sum(b.count for b in blobs)
        for b in blobs:
            dens[label] += b.count / total * _gaussian(pts, b.mean, b.sd)
    return dens[1], dens[0]


def blob_posterior(x: Any, positive_rate: float | None = None) -> np.ndarray:
    """The exact ``P(y=1 | x)`` of the blob mixture when positives make up ``positive_rate`` of the data.

    ``None`` uses the natural rate 1/16; ``0.5`` gives the posterior a model trained on
    balanced data estimates. This is the best any classifier can do (chapter 3).
    """
    rate = natural_positive_rate() if positive_rate is None else positive_rate
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        raise ValueError(f"positive_rate must be a number in (0, 1); got {positive_rate!r}.") from None
    if not 0.0 < rate < 1.0:
        raise ValueError(f"positive_rate must be in (0, 1); got {rate:g}.")
    p_pos, p_neg = class_densities(x)
    num = rate * p_pos
    den = num + (1.0 - rate) * p_neg
    return np.divide(num, den, out=np.full(len(num), rate), where=den > 0)


@dataclass(frozen=True)
class Grid:
    """A square evaluation grid: ``ticks`` along each axis, ``points`` (``ticks.size**2``, 2) in row-major order."""

    ticks: np.ndarray
    points: np.ndarray
    step: float

    @property
    def shape(self) -> tuple[int, int]:
        """The grid's shape, for reshaping a flat array of values into an image."""
        return (self.ticks.size, self.ticks.size)

    @property
    def cell_area(self) -> float:
        """The area one grid point stands for (``step**2``)."""
        return self.step**2


def evaluation_grid(lim: tuple[float, float] = (-4.0, 4.0), step: float = 0.03) -> Grid:
    """The grid ``lim[0], lim[0] + step, ...`` up to ``lim[1]`` on both axes (chapter 3).

    With the defaults it has 267 ticks from -4 to 3.98, like R's ``seq(-4, 4, by = 0.03)``.
    """
    lo, hi = float(lim[0]), float(lim[1])
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        raise ValueError(f"lim must be two finite numbers with lim[0] < lim[1]; got {lim}.")
    # the tolerance admits a step of exactly the width that float rounding made a hair larger
    if not (math.isfinite(step) and 0 < step <= (hi - lo) * (1 + 1e-9)):
        raise ValueError(f"step must be in (0, {hi - lo:g}]; got {step}.")
    n = int(math.floor((hi - lo) / step + 1e-9)) + 1
    ticks = lo + step * np.arange(n)
    xx, yy = np.meshgrid(ticks, ticks)
    return Grid(ticks=ticks, points=np.c_[xx.ravel(), yy.ravel()], step=float(step))


def positive_ellipse(points: Any, mass: float = 0.9) -> np.ndarray:
    """True for the points inside the positive blob's high-density ellipse holding ``mass`` of its points.

    The positive blob is an isotropic Gaussian, so the ellipse is a disc around
    :data:`POSITIVE_MEAN` with radius ``sd * sqrt(-2 log(1 - mass))`` (chapter 3).
    """
    pts = _points(points, "points")
    if not 0.0 < mass < 1.0:
        raise ValueError(f"mass must be in (0, 1), e.g. 0.9; got {mass!r}.")
    r2 = POSITIVE_SD**2 * (-2.0 * math.log1p(-mass))
    return ((pts - np.asarray(POSITIVE_MEAN)) ** 2).sum(axis=1) <= r2


def enclosure(region: Any, ellipse: Any, cell_area: float = 1.0) -> dict[str, float]:
    """How well a predicted region encloses the positive ellipse, both given as boolean grid masks.

    Returns ``coverage`` (fraction of the ellipse inside the region; 1 is best),
    ``outside`` (fraction of the region outside the ellipse; NaN for an empty region)
    and ``area`` (the region's area, ``cell_area`` per point) (chapter 3).
    """
    r = np.asarray(region)
    e = np.asarray(ellipse)
    if r.dtype != bool or e.dtype != bool:
        raise ValueError("region and ellipse must be boolean masks, e.g. p_grid >= 0.5.")
    if r.shape != e.shape:
        raise ValueError(f"region and ellipse must have the same shape; got {r.shape} and {e.shape}.")
    if not e.any():
        raise ValueError("the ellipse mask is empty: the grid does not reach the positive blob.")
    n_region = int(r.sum())
    return {
        "coverage": float((r & e).sum() / e.sum()),
        "outside": float((r & ~e).sum() / n_region) if n_region else math.nan,
        "area": float(n_region * cell_area),
    }


# --- many small MLPs at once -------------------------------------------------------------


def init_stacked_mlp(
    n_models: int, layer_sizes: Sequence[int] = (2, 5, 7, 1), seed: int = 0
) -> list[np.ndarray]:
    """Weights of ``n_models`` independent MLPs, Keras' defaults: Glorot-uniform kernels, zero biases.

    Returns ``[W1, b1, W2, b2, ...]`` with ``W`` of shape ``(n_models, n_in, n_out)`` and
    ``b`` of shape ``(n_models, n_out)``, float32 (chapter 3).
    """
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1 or sizes[-1] != 1:
        raise ValueError(
            f"layer_sizes must list at least two positive sizes ending in 1 (one sigmoid "
            f"output), e.g. (2, 5, 7, 1); got {tuple(layer_sizes)}."
        )
    if int(n_models) < 1:
        raise ValueError(f"n_models must be at least 1; got {n_models}.")
    rng = np.random.default_rng(seed)
    params: list[np.ndarray] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, (n_models, fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros((n_models, fan_out), dtype=np.float32))
    return params


def _check_params(params: Sequence[Any]) -> list[np.ndarray]:
    arrays = [np.asarray(p, dtype=np.float32) for p in params]
    if len(arrays) < 2 or len(arrays) % 2:
        raise ValueError("params must be [W1, b1, W2, b2, ...] as init_stacked_mlp returns.")
    n_models = arrays[0].shape[0]
    for k in range(0, len(arrays), 2):
        w, b = arrays[k], arrays[k + 1]
        if w.ndim != 3 or b.ndim != 2 or w.shape[0] != n_models or b.shape != (n_models, w.shape[2]):
            raise ValueError(
                f"layer {k // 2 + 1} has kernel shape {w.shape} and bias shape {b.shape}; "
                "expected (n_models, n_in, n_out) and (n_models, n_out)."
            )
        if k and w.shape[1] != arrays[k - 2].shape[2]:
            raise ValueError(f"layer {k // 2 + 1} expects {w.shape[1]} inputs but gets {arrays[k - 2].shape[2]}.")
    if arrays[-2].shape[2] != 1:
        raise ValueError("the last layer must have one output unit (the sigmoid).")
    return arrays


def stacked_predict(
    params: Sequence[Any], x: Any, *, logits: bool = False, models_per_pass: int = 25
) -> np.ndarray:
    """Positive-class probabilities (or logits) of every stacked model on the points ``x``: shape ``(n_models, n)``.

    Runs ``models_per_pass`` models at a time through TensorFlow's batched matrix product,
    which keeps memory small on large grids (chapter 3).
    """
    import tensorflow as tf

    arrays = _check_params(params)
    pts = tf.constant(_points(x).astype(np.float32))[None]
    n_models, n_layers = arrays[0].shape[0], len(arrays) // 2
    if int(models_per_pass) < 1:
        raise ValueError(f"models_per_pass must be at least 1; got {models_per_pass}.")
    out = np.empty((n_models, pts.shape[1]), dtype=np.float64)
    for start in range(0, n_models, int(models_per_pass)):
        part = slice(start, start + int(models_per_pass))
        h = pts
        for k in range(n_layers):
            h = tf.matmul(h, arrays[2 * k][part]) + arrays[2 * k + 1][part][:, None, :]
            if k < n_layers - 1:
                h = tf.nn.relu(h)
        out[part] = h[..., 0].numpy()
    if logits:
        return out
    from scipy.special import expit

    return expit(out)


def shuffled_batches(
    index_sets: Sequence[Any], epochs: int, batch_size: int, rng: np.random.Generator
) -> np.ndarray:
    """Mini-batch indices for several models: shape ``(steps, n_models, batch_size)``, int32.

    Model ``m`` sees the rows ``index_sets[m]`` of the shared data once per epoch, in a
    fresh random order each epoch, like ``fit(..., shuffle=True)``. All sets must have the
    same size, a multiple of ``batch_size`` (chapter 3).
    """
    sets = [np.asarray(s, dtype=np.int64) for s in index_sets]
    if not sets:
        raise ValueError("index_sets is empty: pass one array of row indices per model.")
    sizes = {s.size for s in sets}
    if len(sizes) != 1 or any(s.ndim != 1 for s in sets):
        raise ValueError(f"every model needs a 1-D index set of the same size; got sizes {sorted(sizes)}.")
    size = sizes.pop()
    if int(epochs) < 1 or int(batch_size) < 1:
        raise ValueError(f"epochs and batch_size must be positive; got {epochs} and {batch_size}.")
    if size == 0 or size % batch_size:
        raise ValueError(
            f"each index set has {size} rows, not a positive multiple of batch_size={batch_size}; "
            "trim the sets or choose another batch size."
        )
    per_epoch = size // batch_size
    out = np.empty((epochs * per_epoch, len(sets), batch_size), dtype=np.int32)
    for e in range(epochs):
        for m, s in enumerate(sets):
            out[e * per_epoch:(e + 1) * per_epoch, m] = rng.permutation(s).reshape(per_epoch, batch_size)
    return out


_COMPILED: dict[bool, Any] = {}
_FIRST_RUN_DONE = False


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send C-level stderr to /dev/null for a moment (XLA's one-off "Compiled cluster" log line).

    TensorFlow's C++ logger prints that line once per process, before ``TF_CPP_MIN_LOG_LEVEL``
    takes effect; in a notebook it would be stored as output. Python exceptions still raise.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real file descriptor 2 (some hosted kernels)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _compiled_steps(jit: bool) -> Any:
    """A ``tf.function`` running SGD steps for stacked models (compiled once per setting)."""
    if jit in _COMPILED:
        return _COMPILED[jit]
    import tensorflow as tf

    @tf.function(jit_compile=jit, reduce_retracing=True)
    def run(params, x, y, batches, learning_rate, masks):
        n_layers = len(params) // 2

        def body(i, *ps):
            idx = batches[i]
            xb, yb = tf.gather(x, idx), tf.gather(y, idx)
            with tf.GradientTape() as tape:
                tape.watch(ps)
                h = xb
                for k in range(n_layers):
                    # (models, batch, in) x (models, in, out), written as a broadcast sum: the
                    # layers are so small that XLA runs this faster than a batched matmul
                    h = tf.reduce_sum(h[..., :, None] * ps[2 * k][:, None, :, :], axis=-2)
                    h = h + ps[2 * k + 1][:, None, :]
                    if k < n_layers - 1:
                        h = tf.nn.relu(h)
                per_example = tf.nn.sigmoid_cross_entropy_with_logits(labels=yb, logits=h[..., 0])
                # each model's mean loss; summing them leaves every model's gradient its own
                loss = tf.reduce_sum(tf.reduce_mean(per_example, axis=1))
            grads = tape.gradient(loss, ps)
            new = []
            for k, (p, g) in enumerate(zip(ps, grads, strict=True)):
                m = tf.reshape(masks[:, k // 2], [-1] + [1] * (len(p.shape) - 1))
                new.append(p - learning_rate * m * g)
            return (i + 1, *new)

        out = tf.while_loop(lambda i, *ps: i < tf.shape(batches)[0], body, (tf.constant(0), *params))
        return out[1:]

    _COMPILED[jit] = run
    return run


def train_stacked(
    params: Sequence[Any],
    x: Any,
    y: Any,
    batches: Any,
    learning_rate: float,
    *,
    trainable: Any = None,
    chunk: int = 50,
    jit_compile: bool = True,
) -> list[np.ndarray]:
    """Plain SGD on binary cross-entropy for every stacked model; returns the new weights.

    Step ``t`` updates model ``m`` with the gradient of its mean loss on the rows
    ``batches[t, m]`` of ``(x, y)`` (see :func:`shuffled_batches`):
    ``w <- w - learning_rate * grad``, exactly what ``keras.optimizers.SGD`` without momentum
    does. ``trainable`` freezes layers: ``None`` (all train), one bool per layer for every
    model, or an array ``(n_models, n_layers)``. Steps run ``chunk`` at a time in one
    XLA-compiled loop (chapter 3).
    """
    import tensorflow as tf

    arrays = _check_params(params)
    n_models, n_layers = arrays[0].shape[0], len(arrays) // 2
    pts = _points(x).astype(np.float32)
    labels = np.asarray(y, dtype=np.float32).reshape(-1)
    if labels.size != len(pts) or not np.isin(labels, (0.0, 1.0)).all():
        raise ValueError(f"y must hold one 0/1 label per row of x ({len(pts)}); got {labels.size} values.")
    idx = np.asarray(batches)
    if idx.ndim != 3 or idx.shape[1] != n_models:
        raise ValueError(f"batches must have shape (steps, {n_models}, batch_size); got {idx.shape}.")
    if idx.size and (idx.min() < 0 or idx.max() >= len(pts)):
        raise ValueError("batches holds row indices outside x; build it from indices into x.")
    if trainable is None:
        masks = np.ones((n_models, n_layers), dtype=np.float32)
    else:
        masks = np.asarray(trainable, dtype=np.float32)
        if masks.ndim == 1:
            masks = np.broadcast_to(masks, (n_models, masks.size))
        if masks.shape != (n_models, n_layers):
            raise ValueError(
                f"trainable needs one flag per layer ({n_layers}) or a ({n_models}, {n_layers}) "
                f"array; got shape {np.shape(trainable)}."
            )
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be positive; got {learning_rate}.")
    if int(chunk) < 1:
        raise ValueError(f"chunk must be at least 1; got {chunk}.")
    run = _compiled_steps(bool(jit_compile))
    state = tuple(tf.constant(a) for a in arrays)
    x_t, y_t = tf.constant(pts), tf.constant(labels)
    lr, m_t = tf.constant(float(learning_rate), tf.float32), tf.constant(masks)
    global _FIRST_RUN_DONE
    for start in range(0, idx.shape[0], int(chunk)):
        part = tf.constant(idx[start:start + int(chunk)].astype(np.int32))
        if _FIRST_RUN_DONE:
            state = tuple(run(state, x_t, y_t, part, lr, m_t))
        else:
            with _native_stderr_silenced():
                state = tuple(run(state, x_t, y_t, part, lr, m_t))
                _ = [s.numpy() for s in state]  # finish compiling while stderr is silenced
            _FIRST_RUN_DONE = True
    return [np.asarray(s) for s in state]
