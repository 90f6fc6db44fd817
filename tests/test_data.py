"""helpers.data: real download with validation and cache, offline surrogate, clear labels.

A local HTTP server stands in for the real host, serving a small valid file and the ways a
download goes wrong (truncated, cut off, wrong schema, 404, too slow).
"""

from __future__ import annotations

import csv
import socket
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers.data as data_module
from helpers.data import (
    CREDITCARD,
    DATA_DIR_ENV_VAR,
    SOURCE_ENV_VAR,
    DataUnavailableError,
    LoadedData,
    TabularSpec,
    data_dir,
    download_to_cache,
    load_creditcard,
    make_creditcard_surrogate,
    resolve_source,
    validate_frame,
)
from tests._http import serve_routes

N_ROWS, N_POS = 200, 5
SMALL = replace(CREDITCARD, name="small test", url="unset", n_rows=N_ROWS, n_positive=N_POS)


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _real_style_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Written like the real file: quoted header and quoted labels ("0"), bare numbers."""
    labels_as_text = frame.assign(Class=frame["Class"].astype(str))
    return labels_as_text.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode()


@pytest.fixture(scope="module")
def small_frame() -> pd.DataFrame:
    return make_creditcard_surrogate(seed=1, n_rows=N_ROWS, n_positive=N_POS)


@pytest.fixture(scope="module")
def server(small_frame):
    """A local HTTP server; ``server.hits`` counts requests per path."""
    valid = _real_style_csv_bytes(small_frame)
    assert valid.startswith(b'"Time","V1",') and b',"1"\n' in valid
    routes = {
        "/valid.csv": ("full", valid),
        "/truncated.csv": ("truncated", valid),  # Content-Length says more than is sent
        "/cutoff.csv": ("cutoff", valid[: len(valid) * 3 // 5]),  # no Content-Length
        "/wrong-schema.csv": ("full", _csv_bytes(small_frame.drop(columns=["V14"]))),
        "/slow.csv": ("slow", valid),
    }
    with serve_routes(routes) as httpd:
        yield httpd


def _spec(server, path: str) -> TabularSpec:
    return replace(SMALL, url=server.base + path)


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connection refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/creditcard.csv"


# --- downloading and caching -----------------------------------------------------------


def test_valid_download_is_cached_then_read_from_cache(server, small_frame, tmp_path, capsys):
    spec = _spec(server, "/valid.csv")
    cache = tmp_path / "nested" / "cache"  # created on demand
    loaded = load_creditcard("real", cache_dir=cache, spec=spec)
    assert loaded.source == "real" and loaded.is_real
    assert "downloaded from" in loaded.detail
    assert sorted(p.name for p in cache.iterdir()) == ["creditcard.csv"]
    pd.testing.assert_frame_equal(loaded.frame, small_frame)
    assert loaded.frame["Class"].dtype == np.int64
    assert loaded.frame["V1"].dtype == np.float64
    assert len(capsys.readouterr().out.strip().splitlines()) <= 1  # at most one line
    assert server.hits["/valid.csv"] == 1

    again = load_creditcard("real", cache_dir=cache, spec=spec)
    assert server.hits["/valid.csv"] == 1  # no second request
    assert again.source == "real"
    assert again.detail == f"read from cache {cache / 'creditcard.csv'}"
    pd.testing.assert_frame_equal(again.frame, small_frame)
    line = again.describe()
    assert line.startswith("Data: REAL")
    assert "200 rows, 5 positives (2.500%)" in line and "\n" not in line


def test_auto_uses_the_real_file_when_it_is_there(server, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_creditcard("auto", cache_dir=tmp_path, spec=_spec(server, "/valid.csv"))
    assert loaded.source == "real"


@pytest.mark.parametrize(
    ("path", "fragments"),
    [
        ("/truncated.csv", ["closed", "bytes"]),
        ("/cutoff.csv", ["wrong row count", "truncated"]),
        ("/wrong-schema.csv", ["missing columns: V14"]),
        ("/missing.csv", ["HTTP 404"]),
        ("/slow.csv", ["timeout"]),
    ],
)
def test_bad_downloads_raise_and_leave_nothing_behind(server, tmp_path, path, fragments):
    spec = _spec(server, path)
    with pytest.raises(DataUnavailableError) as info:
        download_to_cache(spec, tmp_path, timeout=0.5)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message
    # ... and says what to do
    assert "source='surrogate'" in message
    assert str(tmp_path / "creditcard.csv") in message
    assert list(tmp_path.iterdir()) == []  # neither the final file nor a .part file


def test_real_propagates_download_errors(server, tmp_path):
    with pytest.raises(DataUnavailableError, match="HTTP 404"):
        load_creditcard("real", cache_dir=tmp_path, spec=_spec(server, "/missing.csv"))
    assert list(tmp_path.iterdir()) == []


def test_real_with_unreachable_host_raises(closed_port_url, tmp_path):
    spec = replace(SMALL, url=closed_port_url)
    with pytest.raises(DataUnavailableError, match="could not reach"):
        load_creditcard("real", cache_dir=tmp_path, spec=spec, timeout=2)
    assert list(tmp_path.iterdir()) == []


def test_auto_with_unreachable_host_falls_back_to_the_surrogate(closed_port_url, tmp_path):
    spec = replace(SMALL, url=closed_port_url)
    with pytest.warns(UserWarning, match="OFFLINE SURROGATE") as record:
        loaded = load_creditcard("auto", cache_dir=tmp_path, spec=spec, timeout=2)
    assert "could not reach" in str(record[0].message)
    assert loaded.source == "surrogate" and not loaded.is_real
    assert len(loaded.frame) == N_ROWS and int(loaded.frame["Class"].sum()) == N_POS
    line = loaded.describe()
    assert line.startswith("Data: OFFLINE SURROGATE (synthetic stand-in")
    assert "real data unavailable: " in line and "could not reach" in line
    assert "\n" not in line
    assert list(tmp_path.iterdir()) == []


def test_auto_falls_back_after_a_bad_download(server, tmp_path):
    with pytest.warns(UserWarning, match="wrong row count"):
        loaded = load_creditcard("auto", cache_dir=tmp_path, spec=_spec(server, "/cutoff.csv"))
    assert loaded.source == "surrogate"
    assert list(tmp_path.iterdir()) == []


def test_surrogate_source_never_touches_the_network(server, tmp_path):
    before = sum(server.hits.values())
    loaded = load_creditcard("surrogate", cache_dir=tmp_path, spec=_spec(server, "/valid.csv"))
    assert sum(server.hits.values()) == before
    assert loaded.source == "surrogate"
    assert loaded.detail == "offline surrogate, seed 0; requested with source='surrogate'"
    assert "OFFLINE SURROGATE" in loaded.describe()
    assert list(tmp_path.iterdir()) == []


def test_environment_variable_picks_the_source(server, tmp_path, monkeypatch):
    monkeypatch.setenv(SOURCE_ENV_VAR, "surrogate")
    loaded = load_creditcard(cache_dir=tmp_path, spec=_spec(server, "/valid.csv"))
    assert loaded.source == "surrogate"
    loaded = load_creditcard("real", cache_dir=tmp_path, spec=_spec(server, "/valid.csv"))
    assert loaded.source == "real"  # the argument wins


def test_invalid_cached_file_is_set_aside_and_replaced(small_frame, server, tmp_path, capsys):
    cached = tmp_path / "creditcard.csv"
    broken = _csv_bytes(small_frame.iloc[:150])  # an interrupted copy
    cached.write_bytes(broken)
    loaded = load_creditcard("auto", cache_dir=tmp_path, spec=_spec(server, "/valid.csv"))
    assert loaded.source == "real" and "replacing an invalid cached copy" in loaded.detail
    (aside,) = tmp_path.glob("creditcard.csv.invalid-*")
    assert aside.read_bytes() == broken, "the old file is renamed, never deleted"
    assert cached.exists() and cached.read_bytes() != broken
    out = capsys.readouterr().out
    assert "wrong row count" in out and aside.name in out


def test_invalid_cached_file_without_network_says_where_it_went(small_frame, tmp_path):
    cached = tmp_path / "creditcard.csv"
    cached.write_bytes(_csv_bytes(small_frame.iloc[:150]))
    with pytest.raises(DataUnavailableError) as info:
        load_creditcard("real", cache_dir=tmp_path, spec=SMALL)
    (aside,) = tmp_path.glob("creditcard.csv.invalid-*")
    assert aside.name in str(info.value) and not cached.exists()
    assert not list(tmp_path.glob("*.part"))
    with pytest.warns(UserWarning, match="OFFLINE SURROGATE"):
        assert load_creditcard("auto", cache_dir=tmp_path, spec=SMALL).source == "surrogate"


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_bad_timeout_is_named_before_any_network_call(tmp_path, timeout):
    with pytest.raises(ValueError, match="timeout must be a positive, finite number"):
        load_creditcard("real", cache_dir=tmp_path, spec=SMALL, timeout=timeout)
    with pytest.raises(TypeError, match="timeout must be a number of seconds"):
        load_creditcard("auto", cache_dir=tmp_path, spec=SMALL, timeout="30")
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_cleans_up(tmp_path, monkeypatch):
    class Response:
        headers = {"Content-Length": "1000"}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, n):
            raise KeyboardInterrupt

    monkeypatch.setattr(data_module.urllib.request, "urlopen", lambda url, timeout: Response())
    with pytest.raises(KeyboardInterrupt):
        download_to_cache(SMALL, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_cache_dir_is_explained(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataUnavailableError, match=DATA_DIR_ENV_VAR):
        download_to_cache(SMALL, blocker / "cache")


# --- choosing the source and the folder ------------------------------------------------


def test_resolve_source_order(monkeypatch):
    monkeypatch.delenv(SOURCE_ENV_VAR, raising=False)
    assert resolve_source() == "auto"
    monkeypatch.setenv(SOURCE_ENV_VAR, "real")
    assert resolve_source() == "real"
    assert resolve_source("surrogate") == "surrogate"
    assert resolve_source(" AUTO ") == "auto"
    monkeypatch.setenv(SOURCE_ENV_VAR, "")
    assert resolve_source() == "auto"


@pytest.mark.parametrize("bad", ["online", "", "synthetic"])
def test_resolve_source_rejects_unknown_values(bad, monkeypatch):
    with pytest.raises(ValueError, match=SOURCE_ENV_VAR) as info:
        resolve_source(bad)
    assert "'real', 'surrogate', 'auto'" in str(info.value)
    monkeypatch.setenv(SOURCE_ENV_VAR, "offline")
    with pytest.raises(ValueError, match=f"environment variable {SOURCE_ENV_VAR}"):
        resolve_source()


def test_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_DIR_ENV_VAR, raising=False)
    assert data_dir() == Path(data_module.__file__).resolve().parent.parent / "data"
    monkeypatch.setenv(DATA_DIR_ENV_VAR, str(tmp_path))
    assert data_dir() == tmp_path


def test_paths_inside_the_book_are_shown_relative(monkeypatch, tmp_path):
    # so that rendered output names data/creditcard.csv, not the build machine's folders
    monkeypatch.delenv(DATA_DIR_ENV_VAR, raising=False)
    assert data_module._shown(data_dir() / "creditcard.csv") == str(Path("data", "creditcard.csv"))
    assert data_module._shown(tmp_path / "x.csv") == str(tmp_path / "x.csv")


# --- validation ------------------------------------------------------------------------


def _set(frame, column, row, value):
    frame = frame.copy()
    frame.loc[row, column] = value
    return frame


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda f: f.drop(columns=["V3", "Amount"]), "missing columns: V3, Amount"),
        (lambda f: f.assign(Extra=1.0), "unexpected extra columns: Extra"),
        (lambda f: f.iloc[:-10], "expected 200 rows, got 190"),
        (lambda f: pd.concat([f, f.iloc[:3]]), "expected 200 rows, got 203"),
        (lambda f: _set(f.astype({"Class": float}), "Class", 0, 2.0), "labels not 0/1"),
        (lambda f: _set(f, "V7", 3, np.nan), "NaN"),
        (lambda f: f.assign(Class=0), "expected 5 rows with Class == 1, got 0"),
    ],
)
def test_validate_frame_names_the_problem(small_frame, mutate, fragment):
    validate_frame(small_frame, SMALL)  # the original is fine
    with pytest.raises(ValueError, match="Not a valid copy") as info:
        validate_frame(mutate(small_frame), SMALL)
    assert fragment in str(info.value)


def test_validation_hints_at_a_truncated_download(small_frame):
    with pytest.raises(ValueError, match="truncated download"):
        validate_frame(small_frame.iloc[:100], SMALL)


def test_describe_counts():
    frame = pd.DataFrame({"x": np.zeros(1000), "Class": np.r_[np.ones(2), np.zeros(998)]})
    line = LoadedData(frame, "real", "read from cache x.csv").describe()
    assert line == (
        "Data: REAL credit-card fraud data, 1,000 rows, 2 positives (0.200%); read from cache x.csv"
    )


# --- the surrogate ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_surrogate() -> pd.DataFrame:
    return make_creditcard_surrogate(seed=0)


def test_full_size_surrogate_matches_the_real_schema(full_surrogate):
    frame = full_surrogate
    validate_frame(frame, CREDITCARD)  # 284,807 rows, 492 positives, the 31 columns, no NaN
    assert tuple(frame.columns) == CREDITCARD.columns
    assert frame["Class"].dtype == np.int64
    assert all(frame[c].dtype == np.float64 for c in CREDITCARD.columns[:-1])
    assert (frame["Amount"] >= 0).all()
    assert np.allclose(frame["Amount"], frame["Amount"].round(2))
    assert frame["Time"].between(0, 172_792).all() and frame["Time"].is_monotonic_increasing
    std = frame[[f"V{i}" for i in range(1, 29)]].std()
    assert std["V1"] > std["V14"] > std["V28"]
    assert abs(std["V1"] - 1.96) < 0.1 and abs(std["V28"] - 0.33) < 0.05
    assert np.corrcoef(np.arange(28), std.to_numpy())[0, 1] < -0.95  # decreasing overall
    assert frame[[f"V{i}" for i in range(1, 29)]].mean().abs().max() < 1e-9  # centred
    legit = frame.loc[frame["Class"] == 0, "Amount"]
    fraud = frame.loc[frame["Class"] == 1, "Amount"]
    assert 15 < legit.median() < 30 and 60 < legit.mean() < 120  # heavy right tail
    assert fraud.median() < legit.median()
    # fewer legitimate transactions at night (hours 1-6) than in the afternoon
    hour = (frame["Time"] // 3600 % 24).astype(int)
    per_hour = hour[frame["Class"] == 0].value_counts().sort_index()
    assert per_hour.loc[1:6].mean() < 0.3 * per_hour.loc[13:18].mean()
    # the fraud signal: frauds sit low on V14, yet some look legitimate
    v14 = frame.loc[frame["Class"] == 1, "V14"]
    assert v14.median() < -2 and (v14 > -1).mean() > 0.1


def test_surrogate_is_deterministic(full_surrogate):
    pd.testing.assert_frame_equal(make_creditcard_surrogate(seed=0), full_surrogate)
    small_a = make_creditcard_surrogate(seed=3, n_rows=500, n_positive=7)
    small_b = make_creditcard_surrogate(seed=3, n_rows=500, n_positive=7)
    other = make_creditcard_surrogate(seed=4, n_rows=500, n_positive=7)
    pd.testing.assert_frame_equal(small_a, small_b)
    assert not small_a.equals(other)


def test_surrogate_is_fast():
    start = time.perf_counter()
    make_creditcard_surrogate(seed=5)
    assert time.perf_counter() - start < 10


@settings(max_examples=40, deadline=None, database=None)
@given(
    n_rows=st.integers(1, 300),
    positive_share=st.floats(0, 1),
    seed=st.integers(0, 2**32 - 1),
)
def test_surrogate_counts_are_always_exact(n_rows, positive_share, seed):
    n_positive = round(positive_share * n_rows)
    frame = make_creditcard_surrogate(seed=seed, n_rows=n_rows, n_positive=n_positive)
    assert len(frame) == n_rows
    assert int((frame["Class"] == 1).sum()) == n_positive
    assert set(frame["Class"].unique()) <= {0, 1}
    assert tuple(frame.columns) == CREDITCARD.columns
    assert not frame.isna().any().any()
    assert frame["Time"].is_monotonic_increasing and frame["Time"].between(0, 172_792).all()
    assert (frame["Amount"] >= 0).all()


@pytest.mark.parametrize(
    "kwargs",
    [{"n_rows": 0}, {"n_rows": 10, "n_positive": 11}, {"n_positive": -1}, {"seed": 1.5}],
)
def test_surrogate_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError):
        make_creditcard_surrogate(**kwargs)
