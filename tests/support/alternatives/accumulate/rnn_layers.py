# Alternative correct implementation: sequence backward passes written out in
# full (no step functions), with explicit per-step accumulation of every weight
# gradient, and the cell state of the LSTM kept in the cache as a list.
# Appended to the reference's file by the tests (the make_package fixture), so these definitions
# win and the provided functions (sigmoid, ...) come from it.

import numpy as np


def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
    N, T, D = x.shape
    hs = [h0]
    for t in range(T):
        a = x[:, t] @ Wx + hs[-1] @ Wh + b
        hs.append(np.tanh(a) if use_tanh else sigmoid(a))
    return np.stack(hs[1:], axis=1), (x, hs, Wx, Wh)


def rnn_backward(dh, cache, use_tanh=True):
    x, hs, Wx, Wh = cache
    N, T, D = x.shape
    dx = np.zeros_like(x)
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros(Wh.shape[0])
    dnext = np.zeros_like(hs[0])
    for t in reversed(range(T)):
        h = hs[t + 1]
        da = (dh[:, t] + dnext) * ((1 - h * h) if use_tanh else h * (1 - h))
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hs[t].T @ da
        db += da.sum(axis=0)
        dnext = da @ Wh.T
    return dx, dnext, dWx, dWh, db


def word_embedding_forward(x, W):
    return W[x], (x, W.shape, W.dtype)


def word_embedding_backward(dout, cache):
    x, shape, dtype = cache
    dW = np.zeros(shape, dtype=dtype)
    for word in np.unique(x):
        dW[word] = dout[x == word].sum(axis=0)
    return dW


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    hs, cs, gates = [h0], [np.zeros_like(h0)], []
    for t in range(T):
        a = x[:, t] @ Wx + hs[-1] @ Wh + b
        i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
        g = np.tanh(a[:, 3 * H:])
        cs.append(f * cs[-1] + i * g)
        hs.append(o * np.tanh(cs[-1]))
        gates.append((i, f, o, g))
    return np.stack(hs[1:], axis=1), (x, hs, cs, gates, Wx, Wh)


def lstm_backward(dh, cache):
    x, hs, cs, gates, Wx, Wh = cache
    N, T, D = x.shape
    dx = np.zeros_like(x)
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    db = np.zeros(Wx.shape[1])
    dh_next = np.zeros_like(hs[0])
    dc_next = np.zeros_like(hs[0])
    for t in reversed(range(T)):
        i, f, o, g = gates[t]
        tc = np.tanh(cs[t + 1])
        dht = dh[:, t] + dh_next
        dc = dc_next + dht * o * (1 - tc ** 2)
        da = np.hstack([dc * g * i * (1 - i), dc * cs[t] * f * (1 - f),
                        dht * tc * o * (1 - o), dc * i * (1 - g ** 2)])
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hs[t].T @ da
        db += da.sum(axis=0)
        dh_next = da @ Wh.T
        dc_next = dc * f
    return dx, dh_next, dWx, dWh, db
