"""Every plot has a title, axis labels and a legend, and refuses bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.plots import (  # noqa: E402
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_pr_curves,
    plot_reliability,
    plot_roc_curves,
    plot_threshold_contours,
    plot_training_curves,
)


@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.05).astype(int)
    p = np.clip(0.05 + 0.6 * y * rng.random(2000) + 0.1 * rng.random(2000), 0, 1)
    yield y, p
    plt.close("all")


def _labelled(ax, legend=True):
    assert ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    if legend:
        assert ax.get_legend() is not None


def test_pr_curves_have_no_skill_line(scored):
    y, p = scored
    ax = plot_pr_curves(y, {"model": p})
    _labelled(ax)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("no skill" in t for t in texts)
    no_skill = [line for line in ax.get_lines() if "no skill" in line.get_label()][0]
    assert no_skill.get_ydata()[0] == pytest.approx(y.mean())


def test_roc_curves(scored):
    y, p = scored
    _labelled(plot_roc_curves(y, {"a": p, "b": p ** 2}))


def test_confusion_matrix_counts(scored):
    y, p = scored
    ax = plot_confusion_matrix(y, p, 0.5)
    _labelled(ax, legend=False)
    numbers = sorted(int(t.get_text()) for t in ax.texts)
    assert sum(numbers) == len(y)


def test_training_curves_from_dict_and_missing_metric():
    logs = {"loss": [0.5, 0.3], "val_loss": [0.6, 0.4]}
    ax = plot_training_curves({"run": logs}, "loss", log_scale=True)
    _labelled(ax)
    assert len(ax.get_lines()) == 2
    with pytest.raises(ValueError, match="has no metric"):
        plot_training_curves({"run": logs}, "prc")
    plt.close("all")


def test_reliability(scored):
    y, p = scored
    _labelled(plot_reliability(y, {"model": p}, n_bins=5))
    _labelled(plot_reliability(y, {"model": p}, n_bins=5, strategy="uniform", log_scale=False))


def test_decision_boundary_grid_and_contour():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    y = (np.linalg.norm(x, axis=1) < 0.8).astype(int)
    ax = plot_decision_boundary(lambda g: (np.linalg.norm(g, axis=1) < 1).astype(float), x, y, step=0.1)
    _labelled(ax)
    assert ax.get_xlim() == (-4.0, 4.0)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plot_decision_boundary(lambda g: g[:, 0], np.zeros((5, 3)), np.zeros(5))
    plt.close("all")


def test_plots_reject_bad_probabilities(scored):
    y, _ = scored
    with pytest.raises(ValueError, match="logits"):
        plot_pr_curves(y, {"logits": np.linspace(-3, 3, len(y))})


def test_threshold_contours_draw_one_line_per_map_and_seed():
    ticks = np.linspace(-2, 2, 41)
    xx, yy = np.meshgrid(ticks, ticks)
    disc = 1 / (1 + np.exp(4 * (np.hypot(xx, yy) - 1)))  # 0.5 on the unit circle
    flat = np.full_like(disc, 0.1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    ax = plot_threshold_contours(ticks, {"disc": disc, "seeds": np.stack([disc, flat]),
                                         "flat": flat}, x=x, y=(x[:, 0] > 0).astype(int))
    _labelled(ax)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["disc", "seeds (1 of 2 cross 0.5)", "flat (never reaches 0.5)"]
    assert "positive points" in labels
    assert len(ax.collections) >= 2 + 2  # two contour sets and two scatter layers
    with pytest.raises(ValueError, match="expected"):
        plot_threshold_contours(ticks, {"bad": disc[:-1]})
    with pytest.raises(ValueError, match="increasing"):
        plot_threshold_contours(ticks[::-1], {"disc": disc})
    plt.close("all")
