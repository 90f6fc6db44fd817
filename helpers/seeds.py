"""Several training seeds side by side in one Keras model (introduced in chapter 1).

A verdict such as "class weights rank better" needs more than one training seed, and
training a small network three times costs three times as long. A tiny MLP spends most
of each step on overhead, not arithmetic, so three copies trained side by side in one
model cost little more than one. :func:`stack_seeds` builds such a model: one copy per
seed, each starting from that seed's initial weights, each with its own dropout, all
seeing the same batches. Its loss is the sum of the copies' own losses, so each copy gets
exactly the gradient it would get alone, and Adam's per-weight updates keep them
independent. :class:`SeedwiseEarlyStopping` stops and restores each copy at its own best
validation epoch, and :func:`predict_seeds` returns one probability array per seed.

The chapter still calls ``model.fit`` itself, with the technique's own arguments
(``class_weight=``, a balanced ``tf.data`` stream, a focal loss), so the Keras idiom a
reader would type stays in view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from helpers.evaluation import average_precision
from helpers.validation import as_binary_labels


def _check_seeds(seeds: Sequence[int]) -> tuple[int, ...]:
    if isinstance(seeds, (int, np.integer)) or not seeds:
        raise ValueError(f"seeds must be a non-empty list of seeds such as (0, 1, 2); got {seeds!r}.")
    out = tuple(int(s) for s in seeds)
    if any(s < 0 for s in out) or len(set(out)) != len(out):
        raise ValueError(f"seeds must be distinct non-negative integers; got {seeds!r}.")
    return out


def per_seed_loss(loss: Any, n_seeds: int) -> Any:
    """A Keras loss for ``n_seeds`` outputs side by side: ``loss`` of each column against the
    same labels, summed over columns (per example, so class and sample weights still apply).
    """
    import keras
    from keras import ops

    base = keras.losses.get(loss)
    per_example = base.call if isinstance(base, keras.losses.Loss) else base

    class SumOverSeeds(keras.losses.Loss):
        def call(self, y_true: Any, y_pred: Any) -> Any:
            y = ops.reshape(ops.cast(y_true, y_pred.dtype), (-1, 1))
            return sum(per_example(y, y_pred[:, k:k + 1]) for k in range(n_seeds))

    return SumOverSeeds(name=f"{getattr(base, 'name', getattr(base, '__name__', 'loss'))}"
                             f"_summed_over_{n_seeds}_seeds")


def stack_seeds(build: Callable[[], Any], seeds: Sequence[int]) -> Any:
    """One compiled model holding ``build()`` once per seed, outputs side by side.

    ``build`` returns a compiled single-output model (e.g. ``lambda: build_mlp(30)``); it
    is called after ``keras.utils.set_random_seed(seed)`` for each seed, so copy ``k`` starts
    from seed ``k``'s initial weights. The stacked model's output has one column per seed;
    it is compiled with a fresh optimizer of the same configuration and with
    :func:`per_seed_loss` of the copies' loss. The copies are ``model.towers`` and the seeds
    ``model.seeds``.
    """
    import keras

    seeds = _check_seeds(seeds)
    towers, templates = [], []
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        tower = build()
        if getattr(tower, "optimizer", None) is None or getattr(tower, "loss", None) is None:
            raise ValueError("build() must return a compiled model (with an optimizer and a "
                             "loss), e.g. lambda: build_mlp(n_features).")
        if tower.outputs[0].shape[-1] != 1:
            raise ValueError(f"build() must return one probability per example; its output has "
                             f"shape {tower.outputs[0].shape}.")
        # the same layers under a name of its own (Keras needs unique names in one model)
        towers.append(keras.Model(tower.inputs[0], tower.outputs[0], name=f"seed_{seed}"))
        templates.append(tower)
    first = templates[0]
    inputs = keras.Input(shape=first.inputs[0].shape[1:])
    outputs = keras.layers.Concatenate(name="one_column_per_seed")([t(inputs) for t in towers])
    model = keras.Model(inputs, outputs, name=f"{first.name}_{len(seeds)}_seeds")
    optimizer = type(first.optimizer).from_config(first.optimizer.get_config())
    model.compile(optimizer=optimizer, loss=per_seed_loss(first.loss, len(seeds)))
    model.towers, model.seeds = towers, seeds
    return model


def SeedwiseEarlyStopping(  # noqa: N802 - used like a Keras callback class
    x_val: Any,
    y_val: Any,
    *,
    patience: int = 10,
    metric: Callable[[np.ndarray, np.ndarray], float] = average_precision,
    print_every: int = 10,
) -> Any:
    """Early stopping for a :func:`stack_seeds` model, each seed on its own.

    After every epoch each copy is scored on the validation rows with ``metric`` (higher is
    better; default PR-AUC). A copy's best weights are kept; training stops once every copy
    has gone ``patience`` epochs without improving, and each copy gets its best weights back.
    ``callback.best_epochs`` (1-based) and ``callback.best_scores`` hold one value per seed.
    """
    import keras

    y = as_binary_labels(y_val, "y_val").astype(np.float64)
    x = np.asarray(x_val, dtype=np.float32)
    if x.shape[0] != y.size:
        raise ValueError(f"x_val has {x.shape[0]} rows but y_val has {y.size} labels.")
    if patience < 1 or print_every < 1:
        raise ValueError(f"patience and print_every must be at least 1; got {patience}, "
                         f"{print_every}.")

    class _SeedwiseEarlyStopping(keras.callbacks.Callback):
        def on_train_begin(self, logs: Any = None) -> None:
            towers = getattr(self.model, "towers", None)
            if not towers:
                raise ValueError("SeedwiseEarlyStopping needs a model from stack_seeds().")
            n = len(towers)
            self.best_scores = [-np.inf] * n
            self.best_epochs = [0] * n
            self._best_weights: list[Any] = [None] * n
            self._wait = [0] * n
            self.epochs_run = 0

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            p = np.asarray(self.model(x, training=False), dtype=np.float64)
            for k, tower in enumerate(self.model.towers):
                score = float(metric(y, p[:, k]))
                if score > self.best_scores[k]:
                    self.best_scores[k], self.best_epochs[k] = score, epoch + 1
                    self._best_weights[k] = tower.get_weights()
                    self._wait[k] = 0
                else:
                    self._wait[k] += 1
            self.epochs_run = epoch + 1
            if (epoch + 1) % print_every == 0:
                print(f"epoch {epoch + 1:3d}  loss {float((logs or {}).get('loss', np.nan)):.4f}"
                      "  val PR-AUC per seed " + " ".join(f"{v:.4f}" for v in self.best_scores))
            if min(self._wait) >= patience:
                self.model.stop_training = True

        def on_train_end(self, logs: Any = None) -> None:
            for tower, weights in zip(self.model.towers, self._best_weights, strict=True):
                if weights is not None:
                    tower.set_weights(weights)
            print(f"done after {self.epochs_run} epochs; best epoch per seed "
                  f"{self.best_epochs}")

    return _SeedwiseEarlyStopping()


def predict_seeds(model: Any, x: Any, batch_size: int = 8192) -> list[np.ndarray]:
    """One flat float64 probability array per seed of a :func:`stack_seeds` model."""
    out = np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float64)
    n = len(getattr(model, "towers", ()))
    if out.ndim != 2 or out.shape[1] != n or n == 0:
        raise ValueError(f"expected a stack_seeds model with one output column per seed; got "
                         f"output shape {out.shape}.")
    return [out[:, k].copy() for k in range(n)]
