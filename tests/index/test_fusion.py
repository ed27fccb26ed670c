"""Fusion arithmetic."""

from __future__ import annotations

import pytest

from matcher.fusion import convex, minmax, rrf


def test_rrf_rewards_agreement() -> None:
    fused = rrf([[1, 2, 3], [2, 1, 4]], [1.0, 1.0], k=60)
    assert fused[1] == pytest.approx(fused[2])
    assert fused[1] > fused[3] > 0
    assert fused[4] == pytest.approx(1 / 63)


def test_rrf_weights() -> None:
    fused = rrf([[1], [2]], [2.0, 1.0], k=10)
    assert fused[1] == pytest.approx(2 / 11)
    assert fused[2] == pytest.approx(1 / 11)


def test_rrf_needs_one_weight_per_ranking() -> None:
    with pytest.raises(ValueError, match="one weight per ranking"):
        rrf([[1]], [1.0, 2.0])


def test_minmax_and_convex() -> None:
    assert minmax({1: 2.0, 2: 4.0}) == {1: 0.0, 2: 1.0}
    assert minmax({1: 3.0}) == {1: 1.0}
    fused = convex({1: 0.9, 2: 0.5}, {2: 10.0, 3: 5.0}, alpha=0.5)
    assert fused[1] == pytest.approx(0.5)
    assert fused[2] == pytest.approx(0.5)
    assert fused[3] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="alpha"):
        convex({}, {}, 1.5)
