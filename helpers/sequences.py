"""Synthetic API-call sequences and a small LSTM classifier (introduced in chapter 1, *Class weights*).

BOOK-SPEC §1 describes the source question: binary classification of API-call token
sequences (one malware family against everything else), 100 minority against 7,000
majority sequences. The real traces are not public, so :func:`make_api_call_sequences`
generates a seeded stand-in whose minority class is marked by a *subtle ordered motif*:
the four calls of a classic process injection (open a process, allocate memory in it,
write to it, start a thread in it) in that order, with at most ``max_gap`` unrelated calls
between consecutive steps. The same four calls also appear in majority sequences, alone
or in another order, and a few majority traces hold a *near miss* (the motif in order
with one gap too wide), so counting tokens is not enough: the order, and the spacing,
are the signal.

The rest is the pipeline the chapter builds: tokenise and pad (:func:`tokenize_and_pad`),
then Embedding -> LSTM -> Dense(sigmoid) (:func:`build_lstm_classifier`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "API_CALLS",
    "INJECTION_MOTIF",
    "build_lstm_classifier",
    "contains_motif",
    "make_api_call_sequences",
    "tokenize_and_pad",
]

#: Background calls: file, registry, loader, timing and network activity of ordinary programs.
API_CALLS: tuple[str, ...] = (
    "NtOpenFile", "NtReadFile", "NtWriteFile", "NtClose", "CreateFileW", "SetFilePointer",
    "GetFileAttributesW", "FindFirstFileExW", "FindNextFileW", "RegOpenKeyExW",
    "RegQueryValueExW", "RegCloseKey", "NtQueryValueKey", "LdrLoadDll",
    "LdrGetProcedureAddress", "GetModuleHandleW", "NtAllocateVirtualMemory",
    "NtFreeVirtualMemory", "GetSystemTimeAsFileTime", "GetTickCount", "NtDelayExecution",
    "NtQuerySystemInformation", "InternetOpenA", "InternetConnectA", "HttpSendRequestA",
    "CryptHashData", "DeviceIoControl", "Sleep",
)

#: The minority's ordered motif: a process injection, step by step.
INJECTION_MOTIF: tuple[str, ...] = (
    "OpenProcess", "VirtualAllocEx", "WriteProcessMemory", "CreateRemoteThread",
)


def contains_motif(tokens: Sequence[str], motif: Sequence[str] = INJECTION_MOTIF,
                   max_gap: int = 2) -> bool:
    """True if ``motif`` occurs in ``tokens`` in order, with at most ``max_gap`` other
    tokens between consecutive motif tokens (introduced in chapter 1, *Class weights*)."""
    if not motif:
        raise ValueError("motif is empty: pass at least one token, e.g. INJECTION_MOTIF.")
    if max_gap < 0:
        raise ValueError(f"max_gap must be 0 or more; got {max_gap}.")
    tokens = list(tokens)
    # reachable[j]: the first k motif tokens can be matched with the k-th at position j
    ends = [j for j, t in enumerate(tokens) if t == motif[0]]
    for step in motif[1:]:
        ends = sorted({j for e in ends for j in range(e + 1, min(len(tokens), e + max_gap + 2))
                       if tokens[j] == step})
        if not ends:
            return False
    return bool(ends)


def make_api_call_sequences(
    n_majority: int = 7000,
    n_minority: int = 100,
    *,
    min_length: int = 20,
    max_length: int = 30,
    max_gap: int = 2,
    decoy_rate: float = 0.7,
    near_miss_rate: float = 0.04,
    seed: int = 0,
) -> pd.DataFrame:
    """A seeded data set of API-call traces (chapter 1, *Class weights*).

    Returns a frame with columns ``calls`` (space-separated call names) and ``label``
    (1 for the minority "malware family", 0 otherwise), rows in random order.

    * every trace has ``min_length`` to ``max_length`` calls drawn from :data:`API_CALLS`;
    * a minority trace contains :data:`INJECTION_MOTIF` in order, each step followed by
      0 to ``max_gap`` background calls;
    * a majority trace receives each motif call independently with probability
      ``decoy_rate``, at random positions, and is redrawn if the motif happens to appear
      in order, so the ordered motif marks the minority exactly;
    * a fraction ``near_miss_rate`` of the majority traces instead carries a *near miss*:
      the whole motif in order, but with one gap of ``max_gap + 1`` calls, one too many.
      These are the hard negatives that make the classes overlap for a small model.
    """
    for name, value in (("n_majority", n_majority), ("n_minority", n_minority)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    if max_gap < 0:
        raise ValueError(f"max_gap must be 0 or more; got {max_gap}.")
    motif_span = len(INJECTION_MOTIF) + (len(INJECTION_MOTIF) - 1) * max_gap
    if not 1 <= min_length <= max_length or min_length < motif_span:
        raise ValueError(
            f"need {motif_span} <= min_length <= max_length so the motif fits in every trace "
            f"(with max_gap={max_gap}); got min_length={min_length}, max_length={max_length}."
        )
    for name, rate in (("decoy_rate", decoy_rate), ("near_miss_rate", near_miss_rate)):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} is a probability in [0, 1]; got {rate}.")
    if near_miss_rate > 0 and min_length < motif_span + 1:
        raise ValueError(f"near misses need min_length >= {motif_span + 1}; got {min_length}.")

    rng = np.random.default_rng(seed)
    background = np.array(API_CALLS)

    def trace() -> list[str]:
        return list(rng.choice(background, int(rng.integers(min_length, max_length + 1))))

    def with_motif(wide_gap: int | None) -> list[str]:
        """A trace holding the motif in order; gap number ``wide_gap`` gets max_gap + 1 calls."""
        calls = trace()
        block: list[str] = []
        for k, step in enumerate(INJECTION_MOTIF):
            if k:
                size = max_gap + 1 if k == wide_gap else int(rng.integers(0, max_gap + 1))
                block.extend(rng.choice(background, size))
            block.append(step)
        start = int(rng.integers(0, len(calls) - len(block) + 1))
        calls[start:start + len(block)] = block
        return calls

    def majority() -> list[str]:
        while True:
            if rng.random() < near_miss_rate:
                calls = with_motif(int(rng.integers(1, len(INJECTION_MOTIF))))
            else:
                calls = trace()
                for step in INJECTION_MOTIF:
                    if rng.random() < decoy_rate:
                        calls[int(rng.integers(0, len(calls)))] = step
            if not contains_motif(calls, INJECTION_MOTIF, max_gap):
                return calls

    rows = [(" ".join(majority()), 0) for _ in range(int(n_majority))]
    rows += [(" ".join(with_motif(None)), 1) for _ in range(int(n_minority))]
    order = rng.permutation(len(rows))
    frame = pd.DataFrame([rows[i] for i in order], columns=["calls", "label"])
    frame["label"] = frame["label"].astype(np.int64)
    return frame


def tokenize_and_pad(
    train_texts: Sequence[str], *other_texts: Sequence[str], max_length: int | None = None
) -> tuple[list[np.ndarray], list[str]]:
    """Map calls to integer ids learnt on the training texts, then left-pad with 0.

    Uses Keras' ``TextVectorization`` (split on whitespace, no lower-casing; id 0 is
    padding, id 1 is an unknown call) and ``keras.utils.pad_sequences`` with
    ``padding="pre"``, so the last time step of every row is its last real call.
    Returns the padded arrays (training first, then ``other_texts`` in order) and the
    vocabulary (chapter 1, *Class weights*).
    """
    import keras

    if len(train_texts) == 0:
        raise ValueError("train_texts is empty: pass the training split's call sequences.")
    vectorizer = keras.layers.TextVectorization(standardize=None, split="whitespace",
                                                ragged=True)
    vectorizer.adapt(np.asarray(train_texts, dtype=str))
    ragged = [vectorizer(np.asarray(t, dtype=str)).to_list() for t in (train_texts, *other_texts)]
    longest = max(len(row) for rows in ragged for row in rows)
    length = longest if max_length is None else int(max_length)
    if length < 1:
        raise ValueError(f"max_length must be positive; got {max_length}.")
    padded = [keras.utils.pad_sequences(rows, maxlen=length, padding="pre", truncating="pre",
                                        dtype="int32") for rows in ragged]
    return padded, [str(token) for token in vectorizer.get_vocabulary()]


def build_lstm_classifier(
    vocab_size: int,
    sequence_length: int,
    *,
    embedding_dim: int = 8,
    units: int = 16,
    return_sequences: bool = False,
    output_bias: float | None = None,
    learning_rate: float = 1e-2,
    metrics: list[Any] | None = None,
) -> Any:
    """Embedding -> LSTM -> Dense(1, sigmoid), compiled with Adam and cross-entropy.

    ``return_sequences=True`` reproduces the source question's bug: the LSTM then emits
    one vector per time step and the model one probability per time step, shape
    ``(batch, sequence_length, 1)``, instead of one per sequence (chapter 1, *Class weights*).
    ``metrics`` defaults to :func:`helpers.models.fraud_metrics` plus accuracy.
    """
    import keras

    from helpers.models import fraud_metrics

    for name, value in (("vocab_size", vocab_size), ("sequence_length", sequence_length),
                        ("embedding_dim", embedding_dim), ("units", units)):
        if int(value) < 1:
            raise ValueError(f"{name} must be positive; got {value}.")
    if output_bias is not None and not np.isfinite(output_bias):
        raise ValueError(
            f"output_bias must be a finite number; got {output_bias}. Compute it with "
            "helpers.weights.weighted_output_bias(y_train, class_weight)."
        )
    bias_init = "zeros" if output_bias is None else keras.initializers.Constant(float(output_bias))
    model = keras.Sequential(
        [
            keras.Input(shape=(int(sequence_length),)),
            keras.layers.Embedding(int(vocab_size), int(embedding_dim)),
            keras.layers.LSTM(int(units), return_sequences=return_sequences),
            keras.layers.Dense(1, activation="sigmoid", bias_initializer=bias_init),
        ],
        name="lstm_per_step" if return_sequences else "lstm_classifier",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=[keras.metrics.BinaryAccuracy(name="accuracy"), *fraud_metrics()]
        if metrics is None else metrics,
    )
    return model
