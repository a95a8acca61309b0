# Alternative correct implementation: dict caches holding pre-activations (the
# backward pass recomputes the activations from them), a cache per step in a
# dict keyed by time, and the embedding as a one-hot matrix product.
# Appended to the reference's file by the tests (the make_package fixture), so these definitions
# win and the provided functions (sigmoid, ...) come from it.

import numpy as np


def _act(a, use_tanh):
    return np.tanh(a) if use_tanh else sigmoid(a)


def _dact(a, use_tanh):
    y = _act(a, use_tanh)
    return 1 - y ** 2 if use_tanh else y * (1 - y)


def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    a = x @ Wx + prev_h @ Wh + b
    return _act(a, use_tanh), {"x": x, "h": prev_h, "Wx": Wx, "Wh": Wh, "a": a}


def rnn_step_backward(dnext_h, cache, use_tanh=True):
    da = dnext_h * _dact(cache["a"], use_tanh)
    return (da @ cache["Wx"].T, da @ cache["Wh"].T, cache["x"].T @ da, cache["h"].T @ da,
            da.sum(0))


def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
    T = x.shape[1]
    states, steps = [], {}
    h = h0
    for t in range(T):
        h, steps[t] = rnn_step_forward(x[:, t], h, Wx, Wh, b, use_tanh)
        states.append(h)
    return np.stack(states, axis=1), {"steps": steps, "T": T, "D": x.shape[2]}


def rnn_backward(dh, cache, use_tanh=True):
    grads = {"dx": [None] * cache["T"], "dWx": 0, "dWh": 0, "db": 0}
    carried = 0
    for t in range(cache["T"] - 1, -1, -1):
        dx, carried, dWx, dWh, db = rnn_step_backward(dh[:, t] + carried, cache["steps"][t],
                                                      use_tanh)
        grads["dx"][t] = dx
        grads["dWx"] = grads["dWx"] + dWx
        grads["dWh"] = grads["dWh"] + dWh
        grads["db"] = grads["db"] + db
    return np.stack(grads["dx"], axis=1), carried, grads["dWx"], grads["dWh"], grads["db"]


def word_embedding_forward(x, W):
    onehot = np.eye(W.shape[0])[x]
    return onehot @ W, {"onehot": onehot}


def word_embedding_backward(dout, cache):
    onehot = cache["onehot"]
    V = onehot.shape[-1]
    return onehot.reshape(-1, V).T @ dout.reshape(-1, dout.shape[-1])


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    a = x @ Wx + prev_h @ Wh + b
    ai, af, ao, ag = np.split(a, 4, axis=1)
    c = sigmoid(af) * prev_c + sigmoid(ai) * np.tanh(ag)
    h = sigmoid(ao) * np.tanh(c)
    return h, c, {"a": a, "x": x, "h": prev_h, "c": prev_c, "next_c": c, "Wx": Wx, "Wh": Wh}


def lstm_step_backward(dnext_h, dnext_c, cache):
    ai, af, ao, ag = np.split(cache["a"], 4, axis=1)
    i, f, o, g = sigmoid(ai), sigmoid(af), sigmoid(ao), np.tanh(ag)
    tc = np.tanh(cache["next_c"])
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * cache["c"] * f * (1 - f),
                         dnext_h * tc * o * (1 - o), dc * i * (1 - g ** 2)], axis=1)
    return (da @ cache["Wx"].T, da @ cache["Wh"].T, dc * f, cache["x"].T @ da,
            cache["h"].T @ da, da.sum(0))


def lstm_forward(x, h0, Wx, Wh, b):
    h, c = h0, np.zeros_like(h0)
    out, steps = [], {}
    for t in range(x.shape[1]):
        h, c, steps[t] = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        out.append(h)
    return np.stack(out, axis=1), {"steps": steps}


def lstm_backward(dh, cache):
    steps = cache["steps"]
    dxs = {}
    dWx = dWh = db = 0
    dh_next = np.zeros_like(dh[:, 0])
    dc_next = np.zeros_like(dh[:, 0])
    for t in sorted(steps, reverse=True):
        dxs[t], dh_next, dc_next, a, b_, c = lstm_step_backward(dh[:, t] + dh_next, dc_next,
                                                                steps[t])
        dWx, dWh, db = dWx + a, dWh + b_, db + c
    return np.stack([dxs[t] for t in sorted(dxs)], axis=1), dh_next, dWx, dWh, db
