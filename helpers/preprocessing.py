"""The stratified split and train-only preprocessing of the fraud data (introduced in chapter 0).

Preparation follows BOOK-SPEC §0: drop ``Time``, replace ``Amount`` by
``log(Amount + 0.001)``, standardise with statistics of the *training* split only, and
clip to ±5 standard deviations.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from helpers.validation import as_binary_labels, require_both_classes


@dataclass(frozen=True)
class FraudSplits:
    """Features (float32, scaled) and 0/1 labels of the three splits."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    scaler: StandardScaler

    def summary(self) -> pd.DataFrame:
        """Rows, positives and positive rate of each split."""
        rows = []
        for name, y in (("train", self.y_train), ("validation", self.y_val), ("test", self.y_test)):
            rows.append(
                {"split": name, "rows": int(y.size), "positives": int(y.sum()),
                 "positive rate (%)": round(100 * float(y.mean()), 4)}
            )
        return pd.DataFrame(rows).set_index("split")


def split_stratified(
    frame: pd.DataFrame,
    *,
    label: str = "Class",
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int = 42,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Seeded train/validation/test split that keeps the positive rate in every split."""
    if label not in frame.columns:
        raise ValueError(f"no label column {label!r}; the frame has {list(frame.columns)[:8]}...")
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError(
            f"val_fraction and test_fraction must be in (0, 1) and sum below 1; got "
            f"{val_fraction} and {test_fraction}."
        )
    y = as_binary_labels(frame[label].to_numpy(), label)
    require_both_classes(y, label)
    if min(int(y.sum()), int((1 - y).sum())) < 3:
        raise ValueError("each class needs at least 3 examples to appear in all three splits.")
    rest, test = train_test_split(
        frame, test_size=test_fraction, stratify=y, random_state=seed
    )
    train, val = train_test_split(
        rest,
        test_size=val_fraction / (1 - test_fraction),
        stratify=rest[label].to_numpy(),
        random_state=seed,
    )
    return train, val, test


def fraud_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop ``Time`` and ``Class``; replace ``Amount`` by ``log(Amount + 0.001)``."""
    if "Amount" not in frame.columns:
        raise ValueError("the frame has no 'Amount' column: pass the credit-card fraud data.")
    if (frame["Amount"] < 0).any():
        raise ValueError("'Amount' has negative values; the log transform needs Amount >= 0.")
    features = frame.drop(columns=[c for c in ("Time", "Class") if c in frame.columns])
    features = features.assign(Amount=np.log(features["Amount"] + 0.001))
    return features.rename(columns={"Amount": "log_amount"})


def check_finite_columns(frame: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the columns that hold NaN or infinite values."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame; got {type(frame).__name__}.")
    numeric = frame.select_dtypes(include="number")
    text = [c for c in frame.columns if c not in numeric.columns]
    if text:
        raise TypeError(f"columns {text[:5]} are not numeric (dtype "
                        f"{frame[text[0]].dtype}); convert them, e.g. pd.to_numeric.")
    bad = (~np.isfinite(numeric.to_numpy(dtype=np.float64))).sum(axis=0)
    named = {c: int(n) for c, n in zip(numeric.columns, bad, strict=True) if n}
    if named:
        shown = ", ".join(f"{c} ({n})" for c, n in list(named.items())[:6])
        raise ValueError(
            f"the frame holds NaN or infinite values in {len(named)} column(s): {shown}. "
            "Drop those rows (frame.dropna()) or impute them before splitting; the real "
            "fraud file has none, so a NaN usually means a damaged or edited file."
        )


def prepare_fraud_splits(
    frame: pd.DataFrame, *, seed: int = 42, clip: float = 5.0,
    val_fraction: float = 0.2, test_fraction: float = 0.2,
) -> FraudSplits:
    """Split, transform, and scale with training statistics only (no leakage)."""
    if isinstance(clip, bool) or not isinstance(clip, numbers.Real):
        raise TypeError(f"clip must be a number of standard deviations; got {clip!r}.")
    if not np.isfinite(clip) or clip <= 0:
        raise ValueError(f"clip must be a positive, finite number of standard deviations; "
                         f"got {clip}. The book uses 5.")
    check_finite_columns(frame)
    train, val, test = split_stratified(
        frame, seed=seed, val_fraction=val_fraction, test_fraction=test_fraction
    )
    f_train, f_val, f_test = (fraud_features(part) for part in (train, val, test))
    scaler = StandardScaler().fit(f_train.to_numpy())

    def scaled(part: pd.DataFrame) -> np.ndarray:
        return np.clip(scaler.transform(part.to_numpy()), -clip, clip).astype(np.float32)

    return FraudSplits(
        x_train=scaled(f_train),
        y_train=train["Class"].to_numpy(np.int64),
        x_val=scaled(f_val),
        y_val=val["Class"].to_numpy(np.int64),
        x_test=scaled(f_test),
        y_test=test["Class"].to_numpy(np.int64),
        feature_names=tuple(f_train.columns),
        scaler=scaler,
    )
