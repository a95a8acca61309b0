# Alternative correct implementation with np.einsum for every product, whole
# sequences kept as (T, N, ...) arrays in the cache.
# Appended to the reference's file by the tests (the make_package fixture), so these definitions
# win and the provided functions (sigmoid, ...) come from it.

import numpy as np


def _act(a, use_tanh):
    return np.tanh(a) if use_tanh else sigmoid(a)


def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    h = _act(np.einsum("nd,dh->nh", x, Wx) + np.einsum("nk,kh->nh", prev_h, Wh) + b, use_tanh)
    return h, (x, prev_h, Wx, Wh, h)


def rnn_step_backward(dnext_h, cache, use_tanh=True):
    x, prev_h, Wx, Wh, h = cache
    da = dnext_h * ((1 - h ** 2) if use_tanh else h * (1 - h))
    return (np.einsum("nh,dh->nd", da, Wx), np.einsum("nh,kh->nk", da, Wh),
            np.einsum("nd,nh->dh", x, da), np.einsum("nk,nh->kh", prev_h, da),
            np.einsum("nh->h", da))


def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
    xs = np.einsum("ntd->tnd", x)
    hs = []
    h = h0
    for x_t in xs:
        h, _ = rnn_step_forward(x_t, h, Wx, Wh, b, use_tanh)
        hs.append(h)
    hs = np.array(hs)
    return np.einsum("tnh->nth", hs), (xs, h0, Wx, Wh, hs)


def rnn_backward(dh, cache, use_tanh=True):
    xs, h0, Wx, Wh, hs = cache
    prev = np.concatenate([h0[None], hs[:-1]])
    das = np.empty_like(hs)
    carried = np.zeros_like(h0)
    for t in range(len(hs) - 1, -1, -1):
        d = dh[:, t] + carried
        das[t] = d * ((1 - hs[t] ** 2) if use_tanh else hs[t] * (1 - hs[t]))
        carried = np.einsum("nh,kh->nk", das[t], Wh)
    dx = np.einsum("tnh,dh->ntd", das, Wx)
    return (dx, carried, np.einsum("tnd,tnh->dh", xs, das), np.einsum("tnk,tnh->kh", prev, das),
            np.einsum("tnh->h", das))


def word_embedding_forward(x, W):
    onehot = (x[..., None] == np.arange(W.shape[0])).astype(W.dtype)
    return np.einsum("ntv,vd->ntd", onehot, W), onehot


def word_embedding_backward(dout, cache):
    return np.einsum("ntv,ntd->vd", cache, dout)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    a = np.einsum("nd,dg->ng", x, Wx) + np.einsum("nk,kg->ng", prev_h, Wh) + b
    H = prev_h.shape[1]
    gates = np.concatenate([sigmoid(a[:, :3 * H]), np.tanh(a[:, 3 * H:])], axis=1)
    i, f, o, g = np.split(gates, 4, axis=1)
    c = f * prev_c + i * g
    return o * np.tanh(c), c, (x, prev_h, prev_c, Wx, Wh, gates, c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, gates, c = cache
    i, f, o, g = np.split(gates, 4, axis=1)
    tc = np.tanh(c)
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                         dnext_h * tc * o * (1 - o), dc * i * (1 - g ** 2)], axis=1)
    return (np.einsum("ng,dg->nd", da, Wx), np.einsum("ng,kg->nk", da, Wh), dc * f,
            np.einsum("nd,ng->dg", x, da), np.einsum("nk,ng->kg", prev_h, da),
            np.einsum("ng->g", da))


def lstm_forward(x, h0, Wx, Wh, b):
    h, c = h0, np.zeros_like(h0)
    hs, caches = [], []
    for x_t in np.einsum("ntd->tnd", x):
        h, c, cache = lstm_step_forward(x_t, h, c, Wx, Wh, b)
        hs.append(h)
        caches.append(cache)
    return np.einsum("tnh->nth", np.array(hs)), caches


def lstm_backward(dh, cache):
    dxs = []
    dWx = np.zeros_like(cache[0][3])
    dWh = np.zeros_like(cache[0][4])
    db = np.zeros(dWx.shape[1])
    dprev_h = np.zeros_like(dh[:, 0])
    dprev_c = np.zeros_like(dprev_h)
    for t in range(len(cache) - 1, -1, -1):
        dx, dprev_h, dprev_c, a, b_, c = lstm_step_backward(dh[:, t] + dprev_h, dprev_c, cache[t])
        dxs.insert(0, dx)
        dWx, dWh, db = dWx + a, dWh + b_, db + c
    return np.einsum("tnd->ntd", np.array(dxs)), dprev_h, dWx, dWh, db
