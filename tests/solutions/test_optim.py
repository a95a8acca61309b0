"""The update rules of optim.py against values computed by hand."""

import math

import numpy as np
import pytest

from solutions.optim import adam, rmsprop, sgd, sgd_momentum


def test_sgd_step():
    # w - lr * dw = [1 - 0.1*0.5, -2 - 0.1*0.25, 0.5 + 0.1*1] = [0.95, -2.025, 0.6]
    w, config = sgd(np.array([1.0, -2.0, 0.5]), np.array([0.5, 0.25, -1.0]), {"learning_rate": 0.1})
    np.testing.assert_allclose(w, [0.95, -2.025, 0.6], rtol=1e-15)
    assert config["learning_rate"] == 0.1


def test_sgd_default_learning_rate_is_1e_2():
    # [1 - 0.01*0.5, -2 - 0.01*0.25] = [0.995, -2.0025]
    w, config = sgd(np.array([1.0, -2.0]), np.array([0.5, 0.25]))
    np.testing.assert_allclose(w, [0.995, -2.0025], rtol=1e-15)
    assert config["learning_rate"] == 1e-2


def test_sgd_momentum_two_steps():
    config = {"learning_rate": 0.1, "momentum": 0.9}
    w, config = sgd_momentum(np.array([1.0, -2.0]), np.array([0.5, -1.0]), config)
    # v1 = -0.1 * [0.5, -1] = [-0.05, 0.1]; w1 = [0.95, -1.9]
    np.testing.assert_allclose(config["velocity"], [-0.05, 0.1], rtol=1e-14)
    np.testing.assert_allclose(w, [0.95, -1.9], rtol=1e-14)
    w, config = sgd_momentum(w, np.array([1.0, 1.0]), config)
    # v2 = 0.9 * v1 - 0.1 * [1, 1] = [-0.145, -0.01]; w2 = [0.805, -1.91]
    np.testing.assert_allclose(config["velocity"], [-0.145, -0.01], rtol=1e-13)
    np.testing.assert_allclose(w, [0.805, -1.91], rtol=1e-14)


def test_sgd_momentum_defaults():
    w, config = sgd_momentum(np.array([1.0]), np.array([2.0]))
    # v1 = -0.01 * 2 = -0.02
    assert (config["learning_rate"], config["momentum"]) == (1e-2, 0.9)
    np.testing.assert_allclose(w, [0.98], rtol=1e-15)


def test_rmsprop_two_steps():
    dw = np.array([0.5, -0.2])
    w, config = rmsprop(np.array([1.0, -2.0]), dw, {"learning_rate": 1e-2})
    # cache1 = (1 - 0.99) * dw^2 = 0.01 * dw^2, so sqrt(cache1) = 0.1 * |dw| and
    # the step is 1e-2 * dw / (0.1 * |dw|) = 0.1 * sign(dw) (epsilon 1e-8 is
    # negligible): w1 = [0.9, -1.9]
    np.testing.assert_allclose(config["cache"], 0.01 * dw ** 2, rtol=1e-14)
    np.testing.assert_allclose(w, [0.9, -1.9], rtol=1e-6)
    w2, config = rmsprop(w, dw, config)
    # cache2 = 0.99 * 0.01 dw^2 + 0.01 dw^2 = 0.0199 dw^2: step = 1e-2 * sign / sqrt(0.0199)
    np.testing.assert_allclose(w - w2, 1e-2 * np.sign(dw) / math.sqrt(0.0199), rtol=1e-6)
    assert (config["decay_rate"], config["epsilon"]) == (0.99, 1e-8)


def test_adam_first_step_moves_every_weight_by_learning_rate_times_sign():
    # t becomes 1 before the bias correction: m_hat = 0.1 dw / (1 - 0.9) = dw,
    # v_hat = 0.001 dw^2 / (1 - 0.999) = dw^2, step = lr * dw / |dw| = lr * sign(dw),
    # whatever the size of dw (epsilon 1e-8 is negligible next to |dw| >= 1e-3).
    w0, dw = np.array([1.0, -2.0, 3.0]), np.array([0.1, -5.0, 1e-3])
    w1, config = adam(w0.copy(), dw)
    np.testing.assert_allclose(w0 - w1, 1e-3 * np.sign(dw), rtol=2e-5)
    assert config["t"] == 1
    np.testing.assert_allclose(config["m"], 0.1 * dw, rtol=1e-14)
    np.testing.assert_allclose(config["v"], 0.001 * dw ** 2, rtol=1e-12)
    assert (config["learning_rate"], config["beta1"], config["beta2"], config["epsilon"]) == \
        (1e-3, 0.9, 0.999, 1e-8)


def test_adam_second_step():
    g = np.array([0.5, -0.25])
    w1, config = adam(np.array([1.0, -2.0]), g, {"learning_rate": 0.01})
    w2, config = adam(w1, 2 * g, config)
    # m2 = 0.9 * 0.1 g + 0.1 * 2g = 0.29 g,           m_hat = 0.29 g / (1 - 0.9^2)
    # v2 = 0.999 * 0.001 g^2 + 0.001 * 4g^2 = 0.004999 g^2,  v_hat = 0.004999 g^2 / (1 - 0.999^2)
    # step = 0.01 * (0.29 / 0.19) / sqrt(0.004999 / 0.001999) * sign(g)
    assert config["t"] == 2
    step = 0.01 * (0.29 / 0.19) / math.sqrt(0.004999 / 0.001999)
    np.testing.assert_allclose(w1 - w2, step * np.sign(g), rtol=1e-6)


@pytest.mark.parametrize("rule", [sgd, sgd_momentum, rmsprop, adam])
def test_update_does_not_change_its_inputs(rule):
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    rule(w, dw)
    np.testing.assert_array_equal(w, [1.0, -2.0])
    np.testing.assert_array_equal(dw, [0.5, 0.25])
