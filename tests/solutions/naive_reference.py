"""An independent, deliberately plain implementation of the assignment's maths.

Written from the formulas of the contract (docs/assignment.md), not from ``solutions/``:
every function loops over examples and time steps and works on one vector at
a time, and derivatives of tanh and sigmoid are taken from the
pre-activation (``1 / cosh(a)**2``, ``s(a) * (1 - s(a))``) rather than from
the layer's output. Everything is computed in float64. Slow, and only meant
for the tiny shapes of the tests.
"""

import numpy as np


def sigmoid(a):
    """Logistic function of a vector."""
    return 1.0 / (1.0 + np.exp(-a))


def _act(a, use_tanh):
    return np.tanh(a) if use_tanh else sigmoid(a)


def _act_slope(a, use_tanh):
    """d act / d a, evaluated at the pre-activation ``a``."""
    if use_tanh:
        return 1.0 / np.cosh(a) ** 2
    s = sigmoid(a)
    return s * (1.0 - s)


# ----------------------------------------------------------------- vanilla RNN
def rnn_step(x, h, Wx, Wh, b, use_tanh=True):
    """next_h of shape (N, H), one example at a time."""
    return np.array([_act(x[n] @ Wx + h[n] @ Wh + b, use_tanh) for n in range(len(x))])


def rnn_step_grads(x, h, Wx, Wh, b, dnext_h, use_tanh=True):
    """(dx, dprev_h, dWx, dWh, db) of ``sum(rnn_step(...) * dnext_h)``."""
    dx, dh = np.zeros(x.shape), np.zeros(h.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    for n in range(len(x)):
        da = dnext_h[n] * _act_slope(x[n] @ Wx + h[n] @ Wh + b, use_tanh)
        dx[n] = Wx @ da
        dh[n] = Wh @ da
        dWx += np.outer(x[n], da)
        dWh += np.outer(h[n], da)
        db += da
    return dx, dh, dWx, dWh, db


def rnn_seq(x, h0, Wx, Wh, b, use_tanh=True):
    """Hidden states (N, T, H) of the RNN run over x (N, T, D) from h0."""
    N, T, _ = x.shape
    out = np.zeros((N, T, h0.shape[1]))
    for n in range(N):
        h = h0[n]
        for t in range(T):
            h = _act(x[n, t] @ Wx + h @ Wh + b, use_tanh)
            out[n, t] = h
    return out


def rnn_seq_grads(x, h0, Wx, Wh, b, dhs, use_tanh=True):
    """(dx, dh0, dWx, dWh, db) of ``sum(rnn_seq(...) * dhs)``."""
    N, T, _ = x.shape
    hs = rnn_seq(x, h0, Wx, Wh, b, use_tanh)
    dx, dh0 = np.zeros(x.shape), np.zeros(h0.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    for n in range(N):
        from_later = np.zeros(h0.shape[1])
        for t in reversed(range(T)):
            prev = h0[n] if t == 0 else hs[n, t - 1]
            da = (dhs[n, t] + from_later) * _act_slope(x[n, t] @ Wx + prev @ Wh + b, use_tanh)
            dx[n, t] = Wx @ da
            from_later = Wh @ da
            dWx += np.outer(x[n, t], da)
            dWh += np.outer(prev, da)
            db += da
        dh0[n] = from_later
    return dx, dh0, dWx, dWh, db


# ------------------------------------------------------------- word embedding
def embed(words, W):
    """(N, T, D) word vectors of an (N, T) index array."""
    N, T = words.shape
    out = np.zeros((N, T, W.shape[1]))
    for n in range(N):
        for t in range(T):
            out[n, t] = W[words[n, t]]
    return out


def embed_grad(words, vocab_size, dout):
    """dW (V, D) of ``sum(embed(words, W) * dout)``."""
    dW = np.zeros((vocab_size, dout.shape[2]))
    for n in range(words.shape[0]):
        for t in range(words.shape[1]):
            dW[words[n, t]] += dout[n, t]
    return dW


# ----------------------------------------------------------------------- LSTM
def _lstm_one(x, h, c, Wx, Wh, b):
    """One example, one step: the gates i, f, o, g, next_c and next_h."""
    H = len(h)
    a = x @ Wx + h @ Wh + b
    i, f, o = sigmoid(a[:H]), sigmoid(a[H:2 * H]), sigmoid(a[2 * H:3 * H])
    g = np.tanh(a[3 * H:])
    next_c = f * c + i * g
    return a, (i, f, o, g), next_c, o * np.tanh(next_c)


def _lstm_one_grads(x, h, c, Wx, Wh, b, dnext_h, dnext_c):
    """Gradients of one example's step: (dx, dh, dc, dWx, dWh, db)."""
    H = len(h)
    a, (i, f, o, g), next_c, _ = _lstm_one(x, h, c, Wx, Wh, b)
    dc_total = dnext_c + dnext_h * o / np.cosh(next_c) ** 2
    d_i = dc_total * g * i * (1 - i)
    d_f = dc_total * c * f * (1 - f)
    d_o = dnext_h * np.tanh(next_c) * o * (1 - o)
    d_g = dc_total * i / np.cosh(a[3 * H:]) ** 2
    da = np.concatenate([d_i, d_f, d_o, d_g])
    return Wx @ da, Wh @ da, dc_total * f, np.outer(x, da), np.outer(h, da), da


def lstm_step(x, h, c, Wx, Wh, b):
    """(next_h, next_c), each (N, H)."""
    steps = [_lstm_one(x[n], h[n], c[n], Wx, Wh, b) for n in range(len(x))]
    return np.array([s[3] for s in steps]), np.array([s[2] for s in steps])


def lstm_step_grads(x, h, c, Wx, Wh, b, dnext_h, dnext_c):
    """(dx, dprev_h, dprev_c, dWx, dWh, db) of ``sum(next_h*dnext_h + next_c*dnext_c)``."""
    dx, dh, dc = np.zeros(x.shape), np.zeros(h.shape), np.zeros(c.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    for n in range(len(x)):
        dx[n], dh[n], dc[n], gWx, gWh, gb = _lstm_one_grads(
            x[n], h[n], c[n], Wx, Wh, b, dnext_h[n], dnext_c[n])
        dWx += gWx
        dWh += gWh
        db += gb
    return dx, dh, dc, dWx, dWh, db


def _lstm_states(x, h0, Wx, Wh, b):
    """Hidden and cell states, each (N, T, H), from h0 and a zero cell."""
    N, T, _ = x.shape
    hs, cs = np.zeros((N, T, h0.shape[1])), np.zeros((N, T, h0.shape[1]))
    for n in range(N):
        h, c = h0[n], np.zeros(h0.shape[1])
        for t in range(T):
            _, _, c, h = _lstm_one(x[n, t], h, c, Wx, Wh, b)
            hs[n, t], cs[n, t] = h, c
    return hs, cs


def lstm_seq(x, h0, Wx, Wh, b):
    """Hidden states (N, T, H) of the LSTM run over x (N, T, D)."""
    return _lstm_states(x, h0, Wx, Wh, b)[0]


def lstm_seq_grads(x, h0, Wx, Wh, b, dhs):
    """(dx, dh0, dWx, dWh, db) of ``sum(lstm_seq(...) * dhs)``."""
    N, T, _ = x.shape
    H = h0.shape[1]
    hs, cs = _lstm_states(x, h0, Wx, Wh, b)
    dx, dh0 = np.zeros(x.shape), np.zeros(h0.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    for n in range(N):
        dh_later, dc_later = np.zeros(H), np.zeros(H)
        for t in reversed(range(T)):
            prev_h = h0[n] if t == 0 else hs[n, t - 1]
            prev_c = np.zeros(H) if t == 0 else cs[n, t - 1]
            dx[n, t], dh_later, dc_later, gWx, gWh, gb = _lstm_one_grads(
                x[n, t], prev_h, prev_c, Wx, Wh, b, dhs[n, t] + dh_later, dc_later)
            dWx += gWx
            dWh += gWh
            db += gb
        dh0[n] = dh_later
    return dx, dh0, dWx, dWh, db


# ------------------------------------------------------------ softmax and model
def softmax_loss(scores, targets, mask):
    """(loss, dscores): cross-entropy summed over unmasked steps, divided by N."""
    N, T, _ = scores.shape
    loss, dscores = 0.0, np.zeros(scores.shape)
    for n in range(N):
        for t in range(T):
            if not mask[n, t]:
                continue
            p = np.exp(scores[n, t] - scores[n, t].max())
            p /= p.sum()
            loss -= np.log(p[targets[n, t]])
            dscores[n, t] = p
            dscores[n, t, targets[n, t]] -= 1
    return loss / N, dscores / N


def caption_loss(params, features, captions, null, cell_type="rnn", use_tanh=True):
    """(loss, grads) of the captioning model, from its definition in docs/assignment.md."""
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    features = np.asarray(features, dtype=np.float64)
    words_in, targets = captions[:, :-1], captions[:, 1:]
    mask = targets != null
    N, T = words_in.shape

    h0 = np.array([features[n] @ p["W_proj"] + p["b_proj"] for n in range(N)])
    x = embed(words_in, p["W_embed"])
    if cell_type == "rnn":
        hs = rnn_seq(x, h0, p["Wx"], p["Wh"], p["b"], use_tanh)
    else:
        hs = lstm_seq(x, h0, p["Wx"], p["Wh"], p["b"])
    scores = np.zeros((N, T, p["W_vocab"].shape[1]))
    for n in range(N):
        for t in range(T):
            scores[n, t] = hs[n, t] @ p["W_vocab"] + p["b_vocab"]
    loss, dscores = softmax_loss(scores, targets, mask)

    grads = {k: np.zeros(v.shape) for k, v in p.items()}
    dhs = np.zeros(hs.shape)
    for n in range(N):
        for t in range(T):
            grads["W_vocab"] += np.outer(hs[n, t], dscores[n, t])
            grads["b_vocab"] += dscores[n, t]
            dhs[n, t] = p["W_vocab"] @ dscores[n, t]
    if cell_type == "rnn":
        dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = rnn_seq_grads(
            x, h0, p["Wx"], p["Wh"], p["b"], dhs, use_tanh)
    else:
        dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = lstm_seq_grads(
            x, h0, p["Wx"], p["Wh"], p["b"], dhs)
    grads["W_embed"] = embed_grad(words_in, p["W_embed"].shape[0], dx)
    for n in range(N):
        grads["W_proj"] += np.outer(features[n], dh0[n])
        grads["b_proj"] += dh0[n]
    return loss, grads


def greedy_captions(params, features, start, end, max_length, cell_type="rnn",
                    use_tanh=True, carry_cell=True):
    """Greedy decode of every example: a list of word lists, each ending at the
    first ``end`` (included) or after ``max_length`` words.

    ``carry_cell=False`` resets the LSTM cell to zero before every step: a
    deliberately wrong variant, used to show that a test can tell them apart.
    """
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    H = p["W_proj"].shape[1]
    out = []
    for feature in np.asarray(features, dtype=np.float64):
        h, c, word, words = feature @ p["W_proj"] + p["b_proj"], np.zeros(H), start, []
        while len(words) < max_length and end not in words:
            x = p["W_embed"][word]
            if cell_type == "rnn":
                h = _act(x @ p["Wx"] + h @ p["Wh"] + p["b"], use_tanh)
            else:
                if not carry_cell:
                    c = np.zeros(H)
                _, _, c, h = _lstm_one(x, h, c, p["Wx"], p["Wh"], p["b"])
            word = int(np.argmax(h @ p["W_vocab"] + p["b_vocab"]))
            words.append(word)
        out.append(words)
    return out
