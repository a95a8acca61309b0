"""Quick correctness check of the reference solution, for use after every speed change.

Run: ``python benchmarks/check_reference.py [--package solutions|assignment]``.

Prints the maximum errors of
* the classic published checks (docs/assignment.md) in float64;
* the fast whole-sequence layers against plain step-by-step loops written here;
* centred-difference gradient checks (norm-wise relative error) of
  ``CaptioningRNN.loss`` (rnn with tanh, rnn with sigmoid, lstm) and of the
  layers, in float64 on small sizes;
* dtypes in the float32 path (loss, every gradient, every update rule, the
  Adam state) and that no function writes into its inputs.

A development script, not the test suite: it exits with status 1 when an error
is above its tolerance and prints which one.
"""

import argparse
import importlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FAILURES = []


def report(name, err, tol):
    ok = err <= tol
    if not ok:
        FAILURES.append(name)
    print(f"  {'ok  ' if ok else 'FAIL'} {name:<58} {err:10.3e}  (tol {tol:.0e})")


def rel_err(a, b):
    """Norm-wise relative error, which does not blow up on near-zero entries."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def lin(lo, hi, *shape):
    return np.linspace(lo, hi, num=int(np.prod(shape))).reshape(*shape)


def num_grad(f, x, h=1e-5):
    """Centred differences of a scalar function of x (x is perturbed in place and restored)."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = f()
        x[i] = old - h
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


# ---------------------------------------------------------------- naive references
def naive_sigmoid(a):
    return 1 / (1 + np.exp(-a))


def naive_rnn(x, h0, Wx, Wh, b, use_tanh):
    act = np.tanh if use_tanh else naive_sigmoid
    N, T, _ = x.shape
    hs, h = [], h0
    for t in range(T):
        h = act(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    return np.stack(hs, axis=1)


def naive_rnn_backward(dh, x, h0, Wx, Wh, h, use_tanh):
    N, T, D = x.shape
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), 0
    dnext = np.zeros_like(h0)
    for t in reversed(range(T)):
        out = h[:, t]
        prev = h[:, t - 1] if t else h0
        da = (dh[:, t] + dnext) * (1 - out**2 if use_tanh else out * (1 - out))
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += prev.T @ da
        db = db + da.sum(0)
        dnext = da @ Wh.T
    return dx, dnext, dWx, dWh, db


def naive_lstm(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    H = h0.shape[1]
    h, c, hs, cache = h0, np.zeros_like(h0), [], []
    for t in range(T):
        a = x[:, t] @ Wx + h @ Wh + b
        i, f, o = (naive_sigmoid(a[:, k * H:(k + 1) * H]) for k in range(3))
        g = np.tanh(a[:, 3 * H:])
        cache.append((x[:, t], h, c, i, f, o, g))
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), cache


def naive_lstm_backward(dh, cache, Wx, Wh):
    T = len(cache)
    dnext_h = np.zeros_like(cache[0][1])
    dnext_c = np.zeros_like(dnext_h)
    dxs, dWx, dWh, db = [None] * T, 0, 0, 0
    for t in reversed(range(T)):
        x, prev_h, prev_c, i, f, o, g = cache[t]
        c = f * prev_c + i * g
        dhh = dh[:, t] + dnext_h
        dc = dnext_c + dhh * o * (1 - np.tanh(c) ** 2)
        da = np.concatenate(
            [dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dhh * np.tanh(c) * o * (1 - o),
             dc * i * (1 - g**2)], axis=1)
        dxs[t] = da @ Wx.T
        dWx = dWx + x.T @ da
        dWh = dWh + prev_h.T @ da
        db = db + da.sum(0)
        dnext_h, dnext_c = da @ Wh.T, dc * f
    return np.stack(dxs, axis=1), dnext_h, dWx, dWh, db


def naive_softmax_loss(x, y, mask):
    N, T, V = x.shape
    s = x.reshape(N * T, V).astype(np.float64)
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    m = mask.reshape(-1)
    loss = -np.sum(np.log(p[np.arange(N * T), y.reshape(-1)]) * m) / N
    p[np.arange(N * T), y.reshape(-1)] -= 1
    p *= m[:, None] / N
    return loss, p.reshape(N, T, V)


def naive_adam(w, dw, m, v, t, lr, b1=0.9, b2=0.999, eps=1e-8):
    w, dw, m, v = (a.astype(np.float64) for a in (w, dw, m, v))
    t += 1
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw * dw
    w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return w, m, v


# ---------------------------------------------------------------- checks
def classic(L, rnn_mod):
    print("classic published checks (float64)")
    N, D, H = 3, 10, 4
    next_h, _ = L.rnn_step_forward(lin(-0.4, 0.7, N, D), lin(-0.2, 0.5, N, H), lin(-0.1, 0.9, D, H),
                                   lin(-0.3, 0.7, H, H), np.linspace(-0.2, 0.4, H))
    expected = np.array([[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
                         [0.66854692, 0.79562378, 0.87755553, 0.92795967],
                         [0.97934501, 0.99144213, 0.99646691, 0.99854353]])
    report("rnn_step_forward next_h", np.abs(next_h - expected).max(), 1e-8)

    N, T, D, H = 2, 3, 4, 5
    h, _ = L.rnn_forward(lin(-0.1, 0.3, N, T, D), lin(-0.3, 0.1, N, H), lin(-0.2, 0.4, D, H),
                         lin(-0.4, 0.1, H, H), np.linspace(-0.7, 0.1, H))
    err = max(np.abs(h[0, 0] - [-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251]).max(),
              np.abs(h[1, 2] - [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]).max())
    report("rnn_forward h[0,0], h[1,2]", err, 1e-8)

    x = np.array([[0, 3, 1, 2], [2, 1, 0, 3]])
    W = np.linspace(0, 1, 15).reshape(5, 3)
    out, _ = L.word_embedding_forward(x, W)
    report("word_embedding_forward", np.abs(out - W[x]).max(), 0)

    N, D, H = 3, 4, 5
    next_h, next_c, _ = L.lstm_step_forward(
        lin(-0.4, 1.2, N, D), lin(-0.3, 0.7, N, H), lin(-0.4, 0.9, N, H), lin(-2.1, 1.3, D, 4 * H),
        lin(-0.7, 2.2, H, 4 * H), np.linspace(0.3, 0.7, 4 * H))
    err = max(np.abs(next_h[0] - [0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904]).max(),
              np.abs(next_c[2] - [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]).max())
    report("lstm_step_forward next_h[0], next_c[2]", err, 1e-8)

    N, D, W, H, T = 10, 20, 30, 40, 13
    word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}
    V = len(word_to_idx)
    for cell, lo, hi, expected in (("rnn", -1.5, 0.3, 9.83235591003), ("lstm", -0.5, 1.7, 9.82445935443)):
        model = rnn_mod.CaptioningRNN(word_to_idx, input_dim=D, wordvec_dim=W, hidden_dim=H,
                                      cell_type=cell, dtype=np.float64)
        for k, v in model.params.items():
            model.params[k] = np.linspace(-1.4, 1.3, num=v.size).reshape(*v.shape)
        features = lin(lo, hi, N, D)
        captions = (np.arange(N * T) % V).reshape(N, T)
        loss, _ = model.loss(features, captions)
        report(f"CaptioningRNN.loss {cell} = {expected}", abs(loss - expected), 1e-10)


def layers_vs_naive(L):
    print("whole-sequence layers vs step-by-step loops written here (float64, random)")
    rng = np.random.default_rng(0)
    N, T, D, H, V = 4, 7, 6, 5, 9
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H))
    dh = rng.standard_normal((N, T, H))
    for use_tanh in (True, False):
        Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)) / 2, rng.standard_normal(H)
        h, cache = L.rnn_forward(x, h0, Wx, Wh, b, use_tanh)
        ref = naive_rnn(x, h0, Wx, Wh, b, use_tanh)
        report(f"rnn_forward (tanh={use_tanh})", rel_err(h, ref), 1e-14)
        dh_copy = dh.copy()
        got = L.rnn_backward(dh, cache, use_tanh)
        want = naive_rnn_backward(dh, x, h0, Wx, Wh, ref, use_tanh)
        report(f"rnn_backward dx,dh0,dWx,dWh,db (tanh={use_tanh})",
               max(rel_err(g, w) for g, w in zip(got, want)), 1e-13)
        report("rnn_backward leaves dh unchanged", np.abs(dh - dh_copy).max(), 0)
    Wx, Wh, b = rng.standard_normal((D, 4 * H)), rng.standard_normal((H, 4 * H)) / 2, rng.standard_normal(4 * H)
    h, cache = L.lstm_forward(x, h0, Wx, Wh, b)
    ref, ref_cache = naive_lstm(x, h0, Wx, Wh, b)
    report("lstm_forward", rel_err(h, ref), 1e-14)
    dh_copy = dh.copy()
    got = L.lstm_backward(dh, cache)
    want = naive_lstm_backward(dh, ref_cache, Wx, Wh)
    report("lstm_backward dx,dh0,dWx,dWh,db", max(rel_err(g, w) for g, w in zip(got, want)), 1e-13)
    report("lstm_backward leaves dh unchanged", np.abs(dh - dh_copy).max(), 0)
    for name, got in zip(("dx", "dh0", "dWx", "dWh", "db"), got):
        if not got.flags.c_contiguous:
            report(f"lstm_backward {name} is C-contiguous", 1, 0)

    idx = rng.integers(0, V, size=(N, T))
    idx[0, :3] = 2  # repeated words
    W = rng.standard_normal((V, D))
    out, cache = L.word_embedding_forward(idx, W)
    dout = rng.standard_normal(out.shape)
    dW = L.word_embedding_backward(dout, cache)
    ref = np.zeros_like(W)
    np.add.at(ref, idx, dout)
    report("word_embedding_backward vs np.add.at", np.abs(dW - ref).max(), 1e-14)

    scores = rng.standard_normal((N, T, V)) * 3
    y = rng.integers(0, V, size=(N, T))
    mask = rng.random((N, T)) > 0.3
    loss, dx = L.temporal_softmax_loss(scores, y, mask)
    ref_loss, ref_dx = naive_softmax_loss(scores, y, mask)
    report("temporal_softmax_loss loss", abs(loss - ref_loss) / abs(ref_loss), 1e-14)
    report("temporal_softmax_loss dx", rel_err(dx, ref_dx), 1e-14)
    for T1, frac, expected in ((1, 1.0, 2.3), (10, 1.0, 23), (10, 0.1, 2.3)):
        Nb = 5000 if frac < 1 else 100
        s = 0.001 * rng.standard_normal((Nb, T1, 10))
        yy = rng.integers(0, 10, size=(Nb, T1))
        mm = rng.random((Nb, T1)) <= frac
        loss, _ = L.temporal_softmax_loss(s, yy, mm)
        report(f"temporal_softmax_loss ~{expected} (N={Nb},T={T1},mask {frac:.0%})",
               abs(loss - expected) / expected, 0.05)


def gradient_checks(L, rnn_mod):
    print("centred-difference gradient checks, norm-wise relative error (float64)")
    rng = np.random.default_rng(1)
    N, D, W, H, T = 3, 5, 4, 6, 5
    word_to_idx = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "b": 4, "c": 5, "d": 6}
    V = len(word_to_idx)
    captions = rng.integers(0, V, size=(N, T))
    captions[:, 0] = 1
    captions[0, 3:] = 0  # some padding
    features = rng.standard_normal((N, D))
    for cell, use_tanh in (("rnn", True), ("rnn", False), ("lstm", True)):
        np.random.seed(3)
        model = rnn_mod.CaptioningRNN(word_to_idx, input_dim=D, wordvec_dim=W, hidden_dim=H,
                                      cell_type=cell, dtype=np.float64, use_tanh=use_tanh)
        for k in model.params:  # non-zero biases, larger embeddings: every path is exercised
            model.params[k] = rng.standard_normal(model.params[k].shape) * 0.5
        _, grads = model.loss(features, captions)
        worst = max(
            rel_err(num_grad(lambda: model.loss(features, captions)[0], model.params[k]), grads[k])
            for k in model.params)
        label = f"{cell}{'' if cell == 'lstm' else (' tanh' if use_tanh else ' sigmoid')}"
        report(f"CaptioningRNN.loss {label}: worst parameter", worst, 1e-7)

    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H))
    dh = rng.standard_normal((N, T, H))
    Wx, Wh, b = rng.standard_normal((D, 4 * H)), rng.standard_normal((H, 4 * H)), rng.standard_normal(4 * H)
    _, cache = L.lstm_forward(x, h0, Wx, Wh, b)
    got = L.lstm_backward(dh, cache)
    f = lambda: np.sum(L.lstm_forward(x, h0, Wx, Wh, b)[0] * dh)
    worst = max(rel_err(num_grad(f, a), g) for a, g in zip((x, h0, Wx, Wh, b), got))
    report("lstm_backward (all five gradients)", worst, 1e-7)
    for use_tanh in (True, False):
        Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)), rng.standard_normal(H)
        _, cache = L.rnn_forward(x, h0, Wx, Wh, b, use_tanh)
        got = L.rnn_backward(dh, cache, use_tanh)
        f = lambda: np.sum(L.rnn_forward(x, h0, Wx, Wh, b, use_tanh)[0] * dh)
        worst = max(rel_err(num_grad(f, a), g) for a, g in zip((x, h0, Wx, Wh, b), got))
        report(f"rnn_backward tanh={use_tanh} (all five gradients)", worst, 1e-7)


def float32_path(L, rnn_mod, optim):
    print("float32 path: dtypes, Adam against a float64 textbook Adam, inputs left unchanged")
    rng = np.random.default_rng(2)
    N, D, W, H, T = 4, 8, 6, 7, 9
    word_to_idx = {"<NULL>": 0, "<START>": 1, "<END>": 2, **{f"w{i}": i for i in range(3, 11)}}
    V = len(word_to_idx)
    captions = rng.integers(0, V, size=(N, T)).astype(np.int32)
    captions[:, 0] = 1
    captions[1, 5:] = 0
    features = rng.standard_normal((N, D)).astype(np.float32)
    bad = []
    for cell in ("rnn", "lstm"):
        for use_tanh in ((True, False) if cell == "rnn" else (True,)):
            model = rnn_mod.CaptioningRNN(word_to_idx, input_dim=D, wordvec_dim=W, hidden_dim=H,
                                          cell_type=cell, dtype=np.float32, use_tanh=use_tanh)
            loss, grads = model.loss(features, captions)
            if np.asarray(loss).dtype != np.float32:
                bad.append(f"{cell} loss {np.asarray(loss).dtype}")
            bad += [f"{cell} grad {k} {g.dtype}" for k, g in grads.items() if g.dtype != np.float32]
            if set(grads) != set(model.params):
                bad.append(f"{cell} grads keys {sorted(grads)}")
            for rule in optim.UPDATE_RULES.values():
                config = {}
                for _ in range(2):
                    nxt, config = rule(model.params["Wh"], grads["Wh"], config)
                    if nxt.dtype != np.float32:
                        bad.append(f"{rule.__name__} next_w {nxt.dtype}")
                    bad += [f"{rule.__name__} config {k} {v.dtype}" for k, v in config.items()
                            if isinstance(v, np.ndarray) and v.dtype != np.float32]
            sample = model.sample(features, max_length=5)
            if not np.issubdtype(sample.dtype, np.integer):
                bad.append(f"sample dtype {sample.dtype}")
    h, cache = L.lstm_forward(*(a.astype(np.float32) for a in (
        rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((D, 4 * H)),
        rng.standard_normal((H, 4 * H)), rng.standard_normal(4 * H))))
    bad += [f"lstm_backward out {g.dtype}" for g in L.lstm_backward(h, cache) if g.dtype != np.float32]
    loss, dx = L.temporal_softmax_loss(rng.standard_normal((N, T, V)).astype(np.float32),
                                       captions, captions != 0)
    bad += [f"softmax {n} {np.asarray(a).dtype}" for n, a in (("loss", loss), ("dx", dx))
            if np.asarray(a).dtype != np.float32]
    for item in bad:
        print("   ", item)
    report("float32 values that are not float32", len(bad), 0)

    # Adam: float32 vs float64 textbook over several steps; caller arrays untouched.
    # 300 x 250 spans several of the blocks Adam works in, and w is a transposed
    # (non-contiguous) view.
    w = rng.standard_normal((250, 300)).astype(np.float32).T
    m0 = rng.standard_normal(w.shape).astype(np.float32) * 0.1
    v0 = rng.random(w.shape).astype(np.float32) * 0.01
    config = {"learning_rate": 5e-3, "m": m0, "v": v0, "t": 3}
    snapshot = [a.copy() for a in (w, m0, v0)]
    ref_w, ref_m, ref_v, t = w.astype(np.float64), m0.astype(np.float64), v0.astype(np.float64), 3
    cur = w
    worst_w = worst_mv = 0
    for step in range(5):
        dw = rng.standard_normal(w.shape).astype(np.float32)
        dw_copy = dw.copy()
        cur, config = optim.adam(cur, dw, config)
        ref_w, ref_m, ref_v = naive_adam(ref_w, dw, ref_m, ref_v, t, 5e-3)
        t += 1
        worst_w = max(worst_w, np.abs(cur - ref_w).max() / np.abs(ref_w).max())
        worst_mv = max(worst_mv, rel_err(config["m"], ref_m), rel_err(config["v"], ref_v))
        if not np.array_equal(dw, dw_copy):
            FAILURES.append("adam changed dw")
    report("adam float32 vs float64 textbook: w (max abs / max |w|)", worst_w, 1e-6)
    report("adam float32 vs float64 textbook: m, v", worst_mv, 1e-6)
    report("adam t after 5 steps from t=3", abs(config["t"] - 8), 0)
    report("adam leaves the caller's w, m, v unchanged",
           max(np.abs(a - s).max() for a, s in zip((w, m0, v0), snapshot)), 0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--package", default="solutions", choices=("solutions", "assignment"))
    args = parser.parse_args(argv)
    L = importlib.import_module(f"{args.package}.rnn_layers")
    rnn_mod = importlib.import_module(f"{args.package}.classifiers.rnn")
    optim = importlib.import_module(f"{args.package}.optim")
    try:
        with np.errstate(all="raise"):
            classic(L, rnn_mod)
            layers_vs_naive(L)
        gradient_checks(L, rnn_mod)
        float32_path(L, rnn_mod, optim)
    except NotImplementedError as error:  # unfilled stubs of the student package
        print(f"stopped: {error}")
        return 1
    print("FAILED: " + "; ".join(FAILURES) if FAILURES else "all checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
