"""Chapter 3's exercise checks accept right answers and name the usual wrong ones."""

import numpy as np
import pytest

from helpers.calibration import correct_undersampling
from helpers.checks import CheckFailed
from helpers.checks_blobs import check_bags, check_balanced_threshold, check_short_fine_tune

Y = np.r_[np.ones(20, int), np.zeros(300, int)]  # 20 positives, 300 negatives


def test_balanced_threshold(capsys):
    check_balanced_threshold(0.25, 3)
    check_balanced_threshold(correct_undersampling(0.5, 1 / 15), 15)
    assert capsys.readouterr().out.count("Correct") == 2
    with pytest.raises(CheckFailed, match="odds"):
        check_balanced_threshold(1 / 3, 3)
    with pytest.raises(CheckFailed, match="balanced model's threshold"):
        check_balanced_threshold(0.5, 3)
    with pytest.raises(CheckFailed, match="share of negatives"):
        check_balanced_threshold(0.75, 3)
    with pytest.raises(CheckFailed, match="percentage"):
        check_balanced_threshold(25, 3)
    with pytest.raises(CheckFailed, match="No answer yet"):
        check_balanced_threshold(None, 3)
    with pytest.raises(CheckFailed, match="none of the usual mistakes") as err:
        check_balanced_threshold(0.3, 3)
    assert "0.25" not in str(err.value) and "1/4" not in str(err.value)
    with pytest.raises(ValueError, match="positive"):
        check_balanced_threshold(0.25, 0)


def test_short_fine_tune(capsys):
    check_short_fine_tune(0.18, before=0.30, after_full=0.07, natural_rate=0.0625)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="before"):
        check_short_fine_tune(0.299, before=0.30, after_full=0.07, natural_rate=0.0625)
    with pytest.raises(CheckFailed, match="full fine-tuning"):
        check_short_fine_tune(0.071, before=0.30, after_full=0.07, natural_rate=0.0625)
    with pytest.raises(CheckFailed, match="outside the range"):
        check_short_fine_tune(0.5, before=0.30, after_full=0.07, natural_rate=0.0625)
    with pytest.raises(CheckFailed, match="natural positive rate"):
        check_short_fine_tune(0.0625, before=0.30, after_full=0.02, natural_rate=0.0625)
    with pytest.raises(CheckFailed, match="single number"):
        check_short_fine_tune("a lot", before=0.30, after_full=0.07, natural_rate=0.0625)
    with pytest.raises(ValueError, match="differ"):
        check_short_fine_tune(0.2, before=0.3, after_full=0.3, natural_rate=0.0625)


def _good_bags(n_bags, seed=0):
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(Y == 1), np.flatnonzero(Y == 0)
    return [np.r_[pos, rng.choice(neg, pos.size, replace=False)] for _ in range(n_bags)]


def test_bags(capsys):
    check_bags(_good_bags(3), Y, 3)
    assert "Correct" in capsys.readouterr().out
    pos, neg = np.flatnonzero(Y == 1), np.flatnonzero(Y == 0)
    rng = np.random.default_rng(1)
    with pytest.raises(CheckFailed, match="No answer yet"):
        check_bags(None, Y, 3)
    with pytest.raises(CheckFailed, match="Expected 3 bags"):
        check_bags(_good_bags(2), Y, 3)
    with pytest.raises(CheckFailed, match="misses some positives"):
        check_bags([rng.choice(np.arange(Y.size), 40, replace=False) for _ in range(2)], Y, 2)
    with pytest.raises(CheckFailed, match="repeats negatives"):
        check_bags([np.r_[pos, np.repeat(neg[:10], 2)] for _ in range(2)], Y, 2)
    with pytest.raises(CheckFailed, match="as many of each"):
        check_bags([np.r_[pos, neg[:30]] for _ in range(2)], Y, 2)
    with pytest.raises(CheckFailed, match="a positive is repeated"):
        check_bags([np.r_[pos, pos[:1], rng.choice(neg, 20, replace=False)] for _ in range(2)], Y, 2)
    with pytest.raises(CheckFailed, match="same rows"):
        same = _good_bags(1)[0]
        check_bags([same, same[::-1].copy()], Y, 2)
    with pytest.raises(CheckFailed, match="integer row indices"):
        check_bags([b.astype(float) for b in _good_bags(2)], Y, 2)
    with pytest.raises(CheckFailed, match="outside"):
        check_bags([np.r_[b, 10_000] for b in _good_bags(2)], Y, 2)
