"""Loading data: real first, offline always (introduced in chapter 0, *Measuring imbalance*).

The credit-card fraud data (ULB/Worldline, September 2013) is downloaded once into a local
cache (``data/`` at the repository root, or the folder named by ``IMBALANCED_BOOK_DATA_DIR``),
validated, and read from the cache afterwards. Where the real file cannot be had (no
internet, a truncated download, a server error), :func:`load_creditcard` falls back to a
deterministic synthetic stand-in with the same schema, size and class counts, and says so
loudly: :meth:`LoadedData.describe` is the line every chapter prints.

Which source is used is chosen by the ``source`` argument, else by the environment variable
``IMBALANCED_BOOK_DATA_SOURCE``, else ``"auto"``:

* ``"real"``: the real file or an error (:class:`DataUnavailableError`);
* ``"surrogate"``: the offline stand-in, without touching the network;
* ``"auto"``: the real file if possible, otherwise the stand-in with a ``UserWarning``.

A read-only local mirror (``$IMBALANCED_BOOK_MIRROR``, a folder holding ``creditcard.csv``
or ``creditcard.csv.gz``) is used first when configured: the file is checked by the
SHA-256 of its uncompressed content and by its structure, and never written to. Machines
without internet but with a copy of the data (the book's CI) read the real file from it.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import numbers
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "CREDITCARD",
    "CREDITCARD_SHA256",
    "CREDITCARD_URL",
    "DATA_DIR_ENV_VAR",
    "MIRROR_ENV_VAR",
    "SOURCE_ENV_VAR",
    "SOURCES",
    "DataUnavailableError",
    "LoadedData",
    "TabularSpec",
    "data_dir",
    "download_to_cache",
    "fetch_atomically",
    "load_creditcard",
    "mirror_dir",
    "read_mirror_file",
    "sha256_of_content",
    "make_creditcard_surrogate",
    "resolve_source",
    "validate_frame",
]

CREDITCARD_URL = "https://storage.googleapis.com/download.tensorflow.org/data/creditcard.csv"
SOURCE_ENV_VAR = "IMBALANCED_BOOK_DATA_SOURCE"
DATA_DIR_ENV_VAR = "IMBALANCED_BOOK_DATA_DIR"
MIRROR_ENV_VAR = "IMBALANCED_BOOK_MIRROR"
#: SHA-256 of the uncompressed ``creditcard.csv`` (the file the TensorFlow tutorial reads)
CREDITCARD_SHA256 = "76274b691b16a6c49d3f159c883398e03ccd6d1ee12d9d8ee38f4b4b98551a89"
SOURCES = ("real", "surrogate", "auto")

_CHUNK_BYTES = 1 << 20
T = TypeVar("T")
_TWO_DAYS_S = 172_792  # last `Time` value of the real file, in seconds


@dataclass(frozen=True)
class TabularSpec:
    """What a valid copy of a downloadable CSV data set looks like."""

    name: str
    url: str
    filename: str
    columns: tuple[str, ...]
    n_rows: int
    n_positive: int
    label_column: str = "Class"
    sha256: str | None = None


CREDITCARD = TabularSpec(
    name="credit-card fraud (ULB, Sept 2013)",
    url=CREDITCARD_URL,
    filename="creditcard.csv",
    columns=("Time", *(f"V{i}" for i in range(1, 29)), "Amount", "Class"),
    n_rows=284_807,
    n_positive=492,
    sha256=CREDITCARD_SHA256,
)


@dataclass(frozen=True)
class LoadedData:
    """A loaded data set and where it came from.

    ``source`` is ``"real"`` or ``"surrogate"``; ``detail`` says where the rows came from
    (the cache path, the URL, or why the surrogate was used).
    """

    frame: pd.DataFrame
    source: str
    detail: str
    name: str = "credit-card fraud data"
    label_column: str = "Class"

    @property
    def is_real(self) -> bool:
        """True when the rows are the real data, not the offline stand-in."""
        return self.source == "real"

    def describe(self) -> str:
        """One human-readable line: real or surrogate, size, positives, provenance."""
        n_rows = len(self.frame)
        n_pos = int((self.frame[self.label_column] == 1).sum()) if n_rows else 0
        rate = 100.0 * n_pos / n_rows if n_rows else float("nan")
        counts = f"{n_rows:,} rows, {n_pos:,} positives ({rate:.3f}%)"
        if self.is_real:
            head = f"Data: REAL {self.name}"
        else:
            head = f"Data: OFFLINE SURROGATE (synthetic stand-in, not the real {self.name})"
        return " ".join(f"{head}, {counts}; {self.detail}".split())


class _InvalidFrameError(ValueError):
    """A ``ValueError`` from :func:`validate_frame` that also keeps the bare problem list."""

    def __init__(self, message: str, problems: str) -> None:
        super().__init__(message)
        self.problems = problems


class DataUnavailableError(RuntimeError):
    """The real data could not be downloaded, or the file at hand is not a valid copy.

    The message says what went wrong and what to do; ``reason`` is the short "what went
    wrong" part alone (used in :meth:`LoadedData.describe` after a fallback).
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason if reason is not None else message


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _shown(path: Path) -> str:
    """``path`` relative to the repository root when inside it (no machine-specific prefix)."""
    try:
        return str(Path(path).resolve().relative_to(_repo_root()))
    except ValueError:
        return str(path)


def data_dir() -> Path:
    """The cache folder: ``$IMBALANCED_BOOK_DATA_DIR`` if set, else ``<repo root>/data``."""
    configured = os.environ.get(DATA_DIR_ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser()
    return _repo_root() / "data"


def mirror_dir() -> Path | None:
    """The read-only local mirror named by ``$IMBALANCED_BOOK_MIRROR``, or ``None`` (chapter 0)."""
    configured = os.environ.get(MIRROR_ENV_VAR, "").strip()
    return Path(configured).expanduser() if configured else None


def _shown_mirror(path: Path) -> str:
    """A mirror path as the reader's machine would name it: relative to the book if near."""
    relative = os.path.relpath(Path(path).resolve(), _repo_root())
    return relative if relative.count("..") <= 2 else str(path)


def sha256_of_content(path: Path) -> str:
    """SHA-256 of a file's content, decompressed first when its name ends in ``.gz`` (chapters 0, 5)."""
    digest = hashlib.sha256()
    opener = gzip.open if Path(path).suffix == ".gz" else open
    with opener(path, "rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _sentence(reason: str, then: str) -> str:
    return f"{reason[0].upper()}{reason[1:]}. {then}"


def read_mirror_file(folder: Path, names: tuple[str, ...], sha256: str, what: str) -> Path:
    """The first of ``names`` present in the mirror ``folder``, checked against ``sha256``.

    The hash is of the decompressed content, so ``x.gz`` and ``x`` are the same file. Raises
    :class:`DataUnavailableError` (saying what to do) when the folder or every file is
    missing, or when a file's content is not the expected one. Never writes to the mirror.
    """
    folder = Path(folder)
    hint = (f"Fix or unset the environment variable {MIRROR_ENV_VAR} (now {str(folder)!r}); "
            "without it the book downloads the data or, offline, uses the stand-in.")
    if not folder.is_dir():
        reason = f"the mirror folder {folder} named by {MIRROR_ENV_VAR} does not exist"
        raise DataUnavailableError(_sentence(reason, hint), reason)
    for name in names:
        path = folder / name
        if not path.is_file():
            continue
        try:
            got = sha256_of_content(path)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            reason = f"the mirror file {path} is unreadable ({type(exc).__name__}: {exc})"
            raise DataUnavailableError(_sentence(reason, hint), reason) from exc
        if got != sha256:
            reason = (f"the mirror file {path} is not the {what} file: the SHA-256 of its "
                      f"content is {got[:12]}..., expected {sha256[:12]}...")
            raise DataUnavailableError(
                _sentence(reason, f"Replace it with an unaltered copy, or: {hint}"), reason)
        return path
    reason = f"the mirror folder {folder} holds none of {', '.join(names)}"
    raise DataUnavailableError(_sentence(reason, hint), reason)


def resolve_source(source: str | None = None) -> str:
    """Pick the data source: the argument, else ``$IMBALANCED_BOOK_DATA_SOURCE``, else "auto"."""
    origin = "source argument"
    if source is None:
        source = os.environ.get(SOURCE_ENV_VAR, "").strip() or "auto"
        origin = f"environment variable {SOURCE_ENV_VAR}"
    if not isinstance(source, str) or source.strip().lower() not in SOURCES:
        allowed = ", ".join(repr(s) for s in SOURCES)
        raise ValueError(
            f"Unknown data source {source!r} (from the {origin}): use one of {allowed}, "
            f"either as load_creditcard(source=...) or through the environment variable "
            f"{SOURCE_ENV_VAR}."
        )
    return source.strip().lower()


def validate_frame(frame: pd.DataFrame, spec: TabularSpec) -> None:
    """Raise ``ValueError`` naming every way ``frame`` differs from ``spec``.

    Checks the column names, the row count, missing values, that the labels are 0/1 and
    the number of positives. Column order is not checked.
    """
    problems: list[str] = []
    present = [str(c) for c in frame.columns]
    missing = [c for c in spec.columns if c not in present]
    extra = [c for c in present if c not in spec.columns]
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected extra columns: {', '.join(extra)}")
    if len(frame) != spec.n_rows:
        hint = (
            " (a truncated download? delete the file and download it again)"
            if len(frame) < spec.n_rows
            else ""
        )
        problems.append(f"wrong row count: expected {spec.n_rows:,} rows, got {len(frame):,}{hint}")
    nan_counts = frame.isna().sum()
    nan_counts = nan_counts[nan_counts > 0]
    if len(nan_counts):
        shown = ", ".join(f"{c} ({n:,})" for c, n in nan_counts.items())
        problems.append(f"NaN (missing) values in columns: {shown}")
    if spec.label_column in present:
        labels = frame[spec.label_column].dropna()
        bad = pd.unique(labels[~labels.isin([0, 1])])
        if len(bad):
            shown = ", ".join(map(str, bad[:5]))
            problems.append(f"labels not 0/1 in column {spec.label_column}: found {shown}")
        n_pos = int((labels == 1).sum())
        if n_pos != spec.n_positive:
            problems.append(
                f"wrong positive count: expected {spec.n_positive:,} rows with "
                f"{spec.label_column} == 1, got {n_pos:,}"
            )
    if problems:
        listed = "; ".join(problems)
        raise _InvalidFrameError(f"Not a valid copy of the {spec.name} data: {listed}.", listed)


def _read_csv(path: Path, spec: TabularSpec) -> pd.DataFrame:
    """Read a CSV (or ``.csv.gz``) written like ``spec``: float64 features, validated, int64 labels."""
    frame = pd.read_csv(path, dtype={c: np.float64 for c in spec.columns})
    validate_frame(frame, spec)
    frame[spec.label_column] = frame[spec.label_column].astype(np.int64)
    return frame


def _what_to_do(spec: TabularSpec, final: Path) -> str:
    where = _shown(final)
    if not Path(where).is_absolute():
        where += " (in the book's folder)"
    return (
        f"Check your internet connection and try again; or download {spec.url} by hand and "
        f"save it as {where}; or work offline with source='surrogate' "
        f"(or {SOURCE_ENV_VAR}=surrogate)."
    )


def _describe_failure(exc: BaseException, url: str, timeout: float) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered HTTP {exc.code} {exc.reason} for {url}"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"no answer from {url} within {timeout:g} s (timeout)"
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            return f"no answer from {url} within {timeout:g} s (timeout)"
        return f"could not reach {url} ({exc.reason})"
    if isinstance(exc, http.client.IncompleteRead):
        return (
            f"the connection closed early: got {len(exc.partial):,} bytes, "
            f"{exc.expected if exc.expected is not None else 'more'} bytes missing"
        )
    if isinstance(exc, (http.client.HTTPException, OSError)):
        return f"the download from {url} failed ({type(exc).__name__}: {exc})"
    if isinstance(exc, _InvalidFrameError):
        return f"the downloaded file is not a valid copy: {exc.problems}"
    if isinstance(exc, ValueError):  # CSV parsing problems
        return f"the downloaded file is not a readable CSV: {exc}"
    return f"the download from {url} failed ({type(exc).__name__}: {exc})"


def fetch_atomically(
    url: str,
    final: Path,
    check: Callable[[Path], T],
    *,
    name: str,
    what_to_do: str,
    folder_hint: str,
    timeout: float = 30.0,
) -> T:
    """Download ``url`` to ``final`` so that a failure leaves nothing half-written (chapters 0, 5).

    The bytes go to a temporary ``.part`` file next to ``final``; ``check(part)`` validates
    it (and may return what it read, which is returned); only then is the file renamed onto
    ``final``. On any failure the temporary file is deleted, no final file is created, and
    :class:`DataUnavailableError` gives the reason and ``what_to_do``. ``check`` signals a
    bad file by raising ``DataUnavailableError("", reason)`` or a ``ValueError``. A
    ``KeyboardInterrupt`` is cleaned up the same way and then re-raised as is.
    """
    timeout = check_timeout(timeout)
    final = Path(final)
    folder = final.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, part_name = tempfile.mkstemp(prefix=f"{final.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        reason = f"cannot write to the cache folder {_shown(folder)} ({exc})"
        raise DataUnavailableError(
            f"{reason[0].upper()}{reason[1:]}. {folder_hint}", reason
        ) from exc
    part = Path(part_name)
    try:
        with os.fdopen(fd, "wb") as out:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                length = response.headers.get("Content-Length")
                expected = int(length) if length and length.strip().isdigit() else None
                if expected is None:
                    size = ""
                elif expected >= 1_000_000:
                    size = f" ({expected / 1e6:,.0f} MB)"
                else:
                    size = f" ({expected:,} bytes)"
                print(f"Downloading the {name} data{size} to {_shown(final)} ...")
                received = 0
                while chunk := response.read(_CHUNK_BYTES):
                    out.write(chunk)
                    received += len(chunk)
        if expected is not None and received != expected:
            raise DataUnavailableError(
                "", f"the download was incomplete: the connection closed after {received:,} of "
                    f"{expected:,} bytes")
        result = check(part)
        os.replace(part, final)
    except KeyboardInterrupt:
        part.unlink(missing_ok=True)
        raise
    except Exception as exc:
        part.unlink(missing_ok=True)
        if isinstance(exc, DataUnavailableError):
            reason = exc.reason
        else:
            reason = _describe_failure(exc, url, timeout)
        reason = " ".join(reason.split()).rstrip(".")
        raise DataUnavailableError(
            f"Could not get the {name} data: {reason}. {what_to_do}", reason
        ) from exc
    return result


def download_to_cache(spec: TabularSpec, cache_dir: Path, timeout: float = 30.0) -> Path:
    """Download ``spec.url`` into ``cache_dir / spec.filename``, validate it, return the path.

    Built on :func:`fetch_atomically`: the file appears under its final name only after the
    download is complete and :func:`validate_frame` accepts it; on any failure nothing is
    left behind and :class:`DataUnavailableError` says what went wrong and what to do.
    """
    return _download(spec, cache_dir, timeout)[0]


def _download(spec: TabularSpec, cache_dir: Path, timeout: float) -> tuple[Path, pd.DataFrame]:
    """:func:`download_to_cache`, also returning the validated frame (read only once)."""
    final = Path(cache_dir) / spec.filename
    frame = fetch_atomically(
        spec.url, final, lambda part: _read_csv(part, spec), name=spec.name,
        what_to_do=_what_to_do(spec, final), timeout=timeout,
        folder_hint=f"Point the environment variable {DATA_DIR_ENV_VAR} at a writable "
                    "folder, or use source='surrogate'.",
    )
    return final, frame


def load_creditcard(
    source: str | None = None,
    *,
    cache_dir: Path | None = None,
    spec: TabularSpec = CREDITCARD,
    timeout: float = 30.0,
    seed: int = 0,
) -> LoadedData:
    """Load the credit-card fraud data: real (cached or downloaded) or the offline surrogate.

    ``source`` is ``"real"``, ``"surrogate"`` or ``"auto"`` (see :func:`resolve_source`).
    The real file comes from the mirror (:func:`mirror_dir`) when one is configured, else
    from the cache, else from a download. ``cache_dir`` defaults to :func:`data_dir`. The surrogate has ``spec.n_rows`` rows and
    ``spec.n_positive`` positives and is generated with ``seed``. Print
    ``loaded.describe()`` so the output says which data it is.
    """
    chosen = resolve_source(source)
    timeout = check_timeout(timeout)
    if chosen == "surrogate":
        return _surrogate(spec, seed, "requested with source='surrogate'")
    cache = Path(cache_dir) if cache_dir is not None else data_dir()
    try:
        return _load_real(spec, cache, timeout)
    except (DataUnavailableError, OSError) as exc:
        if chosen == "real":
            raise
        message = " ".join(str(exc).split())
        reason = exc.reason if isinstance(exc, DataUnavailableError) else message
        reason = " ".join(reason.split())
        warnings.warn(
            f"The real {spec.name} data is unavailable, so the OFFLINE SURROGATE (synthetic "
            f"stand-in) is used instead. {message}",
            UserWarning,
            stacklevel=2,
        )
        return _surrogate(spec, seed, f"real data unavailable: {reason}")


def _load_real(spec: TabularSpec, cache: Path, timeout: float) -> LoadedData:
    mirror = mirror_dir()
    if mirror is not None and spec.sha256 is not None:
        path = read_mirror_file(mirror, (spec.filename, f"{spec.filename}.gz"), spec.sha256,
                                spec.name)
        try:
            frame = _read_csv(path, spec)
        except (ValueError, OSError) as exc:  # the hash matched, so this is not expected
            reason = f"the mirror file {path} could not be read ({exc})"
            raise DataUnavailableError(reason, reason) from exc
        detail = f"read from the local mirror {_shown_mirror(path)} (SHA-256 checked)"
        return LoadedData(frame, "real", detail, label_column=spec.label_column)
    path = cache / spec.filename
    if path.exists():
        try:
            frame = _read_csv(path, spec)
        except (ValueError, OSError) as exc:
            if isinstance(exc, _InvalidFrameError):
                problem = f"not a valid copy: {exc.problems}"
            else:
                problem = f"unreadable: {' '.join(str(exc).split()).rstrip('.')}"
            aside = set_aside(path)
            print(f"The cached file {_shown(path)} was {problem}; it was moved to "
                  f"{_shown(aside)} (not deleted) and a fresh copy is downloaded.")
            try:
                path, frame = _download(spec, cache, timeout)
            except DataUnavailableError as err:
                reason = (f"{err.reason}; the invalid cached copy was moved to "
                          f"{_shown(aside)}")
                raise DataUnavailableError(f"{err} (The invalid cached copy was moved to "
                                           f"{_shown(aside)}.)", reason) from exc
            detail = (f"downloaded from {spec.url} to {_shown(path)}, replacing an invalid "
                      f"cached copy (moved to {_shown(aside)})")
        else:
            detail = f"read from cache {_shown(path)}"
    else:
        path, frame = _download(spec, cache, timeout)
        detail = f"downloaded from {spec.url} to {_shown(path)}"
    return LoadedData(frame, "real", detail, label_column=spec.label_column)


def set_aside(path: Path) -> Path:
    """Rename an invalid cached file to ``<name>.invalid-<UTC time>`` and return the new path.

    Nothing is deleted: a reader can inspect the old file. Introduced in chapter 0.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = path.with_name(f"{path.name}.invalid-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.invalid-{stamp}-{n}")
    os.replace(path, target)
    return target


def check_timeout(timeout: Any) -> float:
    """``timeout`` as seconds, or a ``ValueError``/``TypeError`` that says what to pass."""
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(f"timeout must be a number of seconds, e.g. 30; got {timeout!r}.")
    if not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(f"timeout must be a positive, finite number of seconds, e.g. 30; "
                         f"got {timeout}.")
    return float(timeout)


def _surrogate(spec: TabularSpec, seed: int, why: str) -> LoadedData:
    frame = make_creditcard_surrogate(seed=seed, n_rows=spec.n_rows, n_positive=spec.n_positive)
    return LoadedData(frame, "surrogate", f"offline surrogate, seed {seed}; {why}")


# --- the offline surrogate -------------------------------------------------------------

# Standard deviations of V1..V28 in the real file (PCA components, largest first).
_V_STD = np.array([
    1.959, 1.651, 1.516, 1.416, 1.380, 1.332, 1.237, 1.194, 1.099, 1.089, 1.021, 0.999,
    0.995, 0.959, 0.915, 0.876, 0.849, 0.838, 0.814, 0.771, 0.735, 0.726, 0.624, 0.606,
    0.521, 0.483, 0.404, 0.330,
])  # fmt: skip
# Student-t degrees of freedom per component: smaller means heavier tails.
_V_DF = np.array([
    3.5, 3.5, 4, 6, 3.5, 5, 4, 3.5, 6, 5, 8, 6, 10, 6, 10, 8, 5, 8, 10, 3.5, 3.5, 6, 3.5,
    10, 6, 8, 3.5, 3.5,
])  # fmt: skip
# Fraud shift per component, in units of that component's standard deviation (signs and
# rough sizes follow the real frauds' means), and the three "patterns" that share them.
_FRAUD_SHIFT = {
    "V14": -7.0, "V17": -6.5, "V12": -6.0, "V10": -5.0, "V3": -4.5, "V16": -4.5,
    "V7": -4.3, "V11": 3.6, "V4": 3.2, "V18": -2.7, "V1": -2.4, "V9": -2.3, "V2": 2.2,
    "V5": -2.2, "V6": -1.0, "V21": 0.9, "V27": 0.9,
}  # fmt: skip
_PATTERNS = (
    ("V14", "V12", "V10", "V11", "V4", "V21"),
    ("V17", "V16", "V7", "V18", "V9", "V27"),
    ("V3", "V1", "V2", "V5", "V6"),
)
_P_PATTERN = 0.5  # each pattern shows in a fraud with this probability (at least one does)
_P_LOOKS_LEGIT = 0.135  # share of frauds with (almost) no shift at all
_STRENGTH_MEDIAN, _STRENGTH_SIGMA = 1.0, 0.4  # log-normal strength of the other frauds
_P_UNUSUAL_LEGIT = 0.0002  # legitimate rows shifted like a weak fraud
_UNUSUAL_MEDIAN, _UNUSUAL_SIGMA = 0.5, 0.5
_JITTER_SIGMA = 0.3  # per-row, per-component log-normal jitter of the shift
_SPREAD = 0.3  # shifted rows also get (1 + _SPREAD * strength) times more noise
# Legit transactions per hour of the day (relative; few at night), after the real file.
_HOURLY = np.array([
    4.0, 2.2, 1.6, 1.8, 1.1, 1.7, 2.4, 3.9, 7.2, 10.3, 16.9, 16.6, 15.4, 15.4, 16.6, 16.5,
    16.5, 16.2, 17.0, 15.6, 16.8, 17.7, 15.4, 10.9,
])  # fmt: skip


def make_creditcard_surrogate(
    seed: int = 0, n_rows: int = 284_807, n_positive: int = 492
) -> pd.DataFrame:
    """Generate a synthetic stand-in for the credit-card fraud data (offline use only).

    Same 31 columns and dtypes as the real file (``Class`` int64, the rest float64),
    exactly ``n_rows`` rows of which exactly ``n_positive`` have ``Class == 1``, sorted by
    ``Time``; deterministic for a given ``seed`` (``numpy.random.default_rng``). Takes
    about a second at full size.

    Generative recipe:

    1. Every row starts from a heavy-tailed base draw ``t_j`` (Student-t, 3.5 to 10 degrees
       of freedom, scaled to unit variance), and ``V_j = s_j * t_j`` with ``s_j`` the real
       file's standard deviation (1.96 for V1 falling to 0.33 for V28): centred,
       uncorrelated, decreasing variance, heavy tails. The V columns are re-centred at the
       end.
    2. A fraud gets a strength ``a``: 13.5 % of frauds have ``a < 0.15`` and look
       legitimate, the rest ``a`` log-normal with median 1. Its base draw becomes
       ``t_j * (1 + 0.3 a) + a * m_j * jitter_j``, where ``m_j`` is a fixed shift over 17
       components (largest for V14, V17, V12, V10, V3, V16, V7, V11, V4, as in the real
       data, up to 7 standard deviations), grouped into three patterns that each show with
       probability 1/2 (at least one), and ``jitter_j`` is log-normal (sd 0.3). One
       legitimate row in 5,000 is shifted the same way with a weaker strength (median 0.5).
    3. ``Amount``: legit log-normal with median 22 and mean about 88 (its log correlated with
       V2, V5, V7, V20 as in the real file; 0.6 % exact zeros); fraud 5 % at 0.00, 20 % at
       1.00 ("card testing"), the rest log-normal with median 21 and a long tail up to
       2,125.87; clipped at 25,691.16 and rounded to cents.
    4. ``Time``: whole seconds in [0, 172792] (two days): legit rows follow a daily cycle
       with few transactions at night, frauds half uniform in time, half the daily cycle.

    The constants are tuned so that the book's baseline MLP (chapter 0: stratified
    60/20/20 split, Dense(16) -> Dropout(0.5) -> Dense(1), early stopping on validation
    PR-AUC) reaches a test PR-AUC (average precision) of about 0.75 for ``seed=0`` and 0.71
    to 0.85 (mean 0.79) over other generator and split seeds, the range reported for the
    real data. It is a teaching stand-in, not real data.
    """
    for value, label in ((seed, "seed"), (n_rows, "n_rows"), (n_positive, "n_positive")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{label} must be an integer, got {value!r}.")
    if n_rows < 1:
        raise ValueError(f"n_rows must be at least 1, got {n_rows}.")
    if not 0 <= n_positive <= n_rows:
        raise ValueError(f"n_positive must lie in [0, n_rows={n_rows}], got {n_positive}.")

    rng = np.random.default_rng(seed)
    n_neg = n_rows - n_positive
    v_names = [f"V{i}" for i in range(1, len(_V_STD) + 1)]
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_neg, n_positive])

    # 1. heavy-tailed, unit-variance base draw for every row
    base = rng.standard_t(_V_DF, size=(n_rows, len(_V_STD))) / np.sqrt(_V_DF / (_V_DF - 2.0))

    # 3a. legit amounts depend on the unshifted base draw (as Amount tracks V2, V5, V7, V20)
    weights = {1: -0.45, 4: -0.3, 6: 0.35, 19: 0.3}
    mix = sum(w * base[:n_neg, j] for j, w in weights.items()) / np.sqrt(
        sum(w * w for w in weights.values())
    )
    mix = np.clip(mix, -4.0, 4.0)
    log_legit = np.log(22.0) + 1.665 * (0.5 * mix + np.sqrt(0.75) * rng.standard_normal(n_neg))
    legit_amount = np.where(rng.random(n_neg) < 0.006, 0.0, np.exp(log_legit))
    kind = rng.random(n_positive)
    fraud_amount = np.minimum(np.exp(np.log(21.0) + 2.0 * rng.standard_normal(n_positive)), 2125.87)
    fraud_amount = np.where(kind < 0.05, 0.0, np.where(kind < 0.25, 1.0, fraud_amount))
    amount = np.round(np.clip(np.concatenate([legit_amount, fraud_amount]), 0.0, 25_691.16), 2)

    # 2. shift the frauds (and a few unusual legitimate rows) along the fraud patterns
    looks_legit = rng.random(n_positive) < _P_LOOKS_LEGIT
    fraud_strength = np.where(
        looks_legit,
        rng.uniform(0.0, 0.15, n_positive),
        _STRENGTH_MEDIAN * np.exp(_STRENGTH_SIGMA * rng.standard_normal(n_positive)),
    )
    unusual = rng.random(n_neg) < _P_UNUSUAL_LEGIT
    unusual_strength = _UNUSUAL_MEDIAN * np.exp(_UNUSUAL_SIGMA * rng.standard_normal(n_neg))
    strength = np.concatenate([np.where(unusual, unusual_strength, 0.0), fraud_strength])[:, None]
    shows = rng.random((n_rows, len(_PATTERNS))) < _P_PATTERN
    shows[np.arange(n_rows), rng.integers(0, len(_PATTERNS), n_rows)] = True
    pattern_of = [next((k for k, p in enumerate(_PATTERNS) if c in p), 0) for c in v_names]
    shift = np.array([_FRAUD_SHIFT.get(c, 0.0) for c in v_names])
    jitter = np.exp(_JITTER_SIGMA * rng.standard_normal(base.shape)) * shows[:, pattern_of]
    base = base * (1.0 + _SPREAD * strength) + strength * shift * jitter
    v = base * _V_STD
    v -= v.mean(axis=0)

    # 4. Time: an hour of the two days, then a second within the hour
    legit_hours = np.tile(_HOURLY, 2) / (2 * _HOURLY.sum())
    fraud_hours = 0.5 * legit_hours + 0.5 / 48
    hours = np.concatenate([
        rng.choice(48, size=n_neg, p=legit_hours),
        rng.choice(48, size=n_positive, p=fraud_hours),
    ])  # fmt: skip
    time = np.minimum(hours * 3600 + rng.integers(0, 3600, size=n_rows), _TWO_DAYS_S)

    frame = pd.DataFrame(v, columns=v_names)
    frame.insert(0, "Time", time.astype(np.float64))
    frame["Amount"] = amount.astype(np.float64)
    frame["Class"] = y
    order = np.argsort(time, kind="stable")
    return frame.iloc[order].reset_index(drop=True)
