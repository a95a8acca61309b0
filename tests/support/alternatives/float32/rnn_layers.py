# Alternative correct implementation: every function computes in float32,
# whatever it is given, and returns float32 results (graded at float32 precision;
# the numerical gradient check does not apply).
# Appended to the reference's file by the tests (the make_package fixture), so these definitions
# win and the provided functions (sigmoid, ...) come from it.

import numpy as np


F = np.float32


def _f(*arrays):
    return [np.asarray(a, dtype=F) for a in arrays]


def _act(a, use_tanh):
    return np.tanh(a) if use_tanh else (1 / (1 + np.exp(-a))).astype(F)


def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    x, prev_h, Wx, Wh, b = _f(x, prev_h, Wx, Wh, b)
    next_h = _act(x @ Wx + prev_h @ Wh + b, use_tanh)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache, use_tanh=True):
    x, prev_h, Wx, Wh, next_h = cache
    (dnext_h,) = _f(dnext_h)
    da = dnext_h * ((1 - next_h * next_h) if use_tanh else next_h * (1 - next_h))
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=F)
    caches, prev = [], h0
    for t in range(T):
        prev, c = rnn_step_forward(x[:, t], prev, Wx, Wh, b, use_tanh)
        h[:, t] = prev
        caches.append(c)
    return h, caches


def rnn_backward(dh, cache, use_tanh=True):
    (dh,) = _f(dh)
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.empty((N, T, D), dtype=F)
    dWx, dWh, db = np.zeros((D, H), F), np.zeros((H, H), F), np.zeros(H, F)
    dprev = np.zeros((N, H), F)
    for t in reversed(range(T)):
        dx[:, t], dprev, a, b_, c = rnn_step_backward(dh[:, t] + dprev, cache[t], use_tanh)
        dWx += a
        dWh += b_
        db += c
    return dx, dprev, dWx, dWh, db


def word_embedding_forward(x, W):
    (W,) = _f(W)
    return W[x], (x, W.shape[0])


def word_embedding_backward(dout, cache):
    x, V = cache
    (dout,) = _f(dout)
    dW = np.zeros((V, dout.shape[-1]), dtype=F)
    np.add.at(dW, x, dout)
    return dW


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    x, prev_h, prev_c, Wx, Wh, b = _f(x, prev_h, prev_c, Wx, Wh, b)
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = (_act(a[:, k * H:(k + 1) * H], False) for k in range(3))
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, np.tanh(next_c))


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc = cache
    dnext_h, dnext_c = _f(dnext_h, dnext_c)
    dc = dnext_c + dnext_h * o * (1 - tc * tc)
    da = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                         dnext_h * tc * o * (1 - o), dc * i * (1 - g * g)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H), dtype=F)
    prev_h, prev_c, caches = h0, np.zeros((N, H), F), []
    for t in range(T):
        prev_h, prev_c, c = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
        caches.append(c)
    return h, caches


def lstm_backward(dh, cache):
    (dh,) = _f(dh)
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.empty((N, T, D), dtype=F)
    dWx, dWh, db = np.zeros((D, 4 * H), F), np.zeros((H, 4 * H), F), np.zeros(4 * H, F)
    dprev_h, dprev_c = np.zeros((N, H), F), np.zeros((N, H), F)
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dprev_c, a, b_, c = lstm_step_backward(dh[:, t] + dprev_h, dprev_c,
                                                                  cache[t])
        dWx += a
        dWh += b_
        db += c
    return dx, dprev_h, dWx, dWh, db
