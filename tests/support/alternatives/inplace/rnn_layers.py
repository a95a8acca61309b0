# Alternative correct implementation that works in place: activations computed
# into their own pre-activation arrays, and the backward passes writing into the
# arrays they were given (the carried gradient is added into the caller's dh /
# dnext_c / dout). Harmless to the grader, which sends every input by value.
# Appended to the reference's file by the tests (the make_package fixture), so these definitions
# win and the provided functions (sigmoid, ...) come from it.

import numpy as np


def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    a = x @ Wx
    a += prev_h @ Wh
    a += b
    if use_tanh:
        np.tanh(a, out=a)
    else:
        np.negative(a, out=a)
        np.exp(a, out=a)
        a += 1
        np.reciprocal(a, out=a)
    return a, (x, prev_h, Wx, Wh, a)


def rnn_step_backward(dnext_h, cache, use_tanh=True):
    x, prev_h, Wx, Wh, h = cache
    dnext_h *= (1 - h * h) if use_tanh else h * (1 - h)
    return dnext_h @ Wx.T, dnext_h @ Wh.T, x.T @ dnext_h, prev_h.T @ dnext_h, dnext_h.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    caches = []
    for t in range(T):
        h[:, t], c = rnn_step_forward(x[:, t], h0 if t == 0 else h[:, t - 1], Wx, Wh, b, use_tanh)
        caches.append(c)
    return h, caches


def rnn_backward(dh, cache, use_tanh=True):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dWx = np.zeros_like(cache[0][2])
    dWh = np.zeros_like(cache[0][3])
    db = np.zeros(H)
    for t in range(T - 1, -1, -1):
        dx[:, t], dprev, a, b_, c = rnn_step_backward(dh[:, t], cache[t], use_tanh)
        if t > 0:
            dh[:, t - 1] += dprev
        dWx += a
        dWh += b_
        db += c
    return dx, dprev, dWx, dWh, db


def word_embedding_forward(x, W):
    out = np.take(W, x, axis=0)
    return out, (x, W.shape[0])


def word_embedding_backward(dout, cache):
    x, V = cache
    dW = np.zeros((V, dout.shape[2]))
    dout *= 1.0  # touches the caller's array, harmlessly
    np.add.at(dW, x, dout)
    return dW


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx
    a += prev_h @ Wh
    a += b
    a[:, :3 * H] = sigmoid(a[:, :3 * H])
    np.tanh(a[:, 3 * H:], out=a[:, 3 * H:])
    next_c = a[:, H:2 * H] * prev_c
    next_c += a[:, :H] * a[:, 3 * H:]
    next_h = np.tanh(next_c)
    next_h *= a[:, 2 * H:3 * H]
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, a, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, a, next_c = cache
    H = prev_h.shape[1]
    i, f, o, g = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
    tc = np.tanh(next_c)
    dnext_c += dnext_h * o * (1 - tc * tc)  # written into the caller's array
    da = np.empty_like(a)
    da[:, :H] = dnext_c * g * i * (1 - i)
    da[:, H:2 * H] = dnext_c * prev_c * f * (1 - f)
    da[:, 2 * H:3 * H] = dnext_h * tc * o * (1 - o)
    da[:, 3 * H:] = dnext_c * i * (1 - g * g)
    return da @ Wx.T, da @ Wh.T, dnext_c * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    c = np.zeros_like(h0)
    caches = []
    for t in range(T):
        h[:, t], c, step = lstm_step_forward(x[:, t], h0 if t == 0 else h[:, t - 1], c, Wx, Wh, b)
        caches.append(step)
    return h, caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dWx = np.zeros((cache[0][0].shape[1], 4 * H))
    dWh = np.zeros((H, 4 * H))
    db = np.zeros(4 * H)
    dc = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t], dprev, dc, a, b_, c = lstm_step_backward(dh[:, t], dc, cache[t])
        if t > 0:
            dh[:, t - 1] += dprev
        dWx += a
        dWh += b_
        db += c
    return dx, dprev, dWx, dWh, db
