"""Recurrent layers for image captioning: a vanilla RNN, an LSTM, word embeddings.

Students implement the first ten functions; ``sigmoid`` and the temporal
affine / softmax layers at the end are provided. Every function keeps the dtype
of its inputs, so a float32 model stays float32 and float64 works for gradient
checks. Shapes: N minibatch size, T sequence length, D input size, H hidden
size, V vocabulary size.
"""

import numpy as np


# BEGIN SOLUTION
def _sigmoid_(a):
    """Logistic sigmoid of ``a`` computed in place (``a`` is overwritten); returns ``a``.

    ``1 / (1 + exp(-a))`` takes fewer passes over the data than the two-branch
    form of :func:`sigmoid`. Where ``-a`` is very large, exp overflows to inf
    and 1 / inf = 0 is the correct value, so only the warnings are silenced.
    """
    np.negative(a, out=a)
    with np.errstate(over="ignore", under="ignore"):
        np.exp(a, out=a)
    a += 1
    return np.reciprocal(a, out=a)


def _activate_(a, use_tanh=True):
    """tanh(a), or the logistic sigmoid of a when ``use_tanh`` is False, in place; returns ``a``."""
    return np.tanh(a, out=a) if use_tanh else _sigmoid_(a)


def _activation_grad(out, use_tanh=True):
    """Derivative of the activation, written in terms of its output ``out``; a new array."""
    if use_tanh:
        grad = out * out
        return np.subtract(1, grad, out=grad)
    grad = 1 - out
    grad *= out
    return grad
# END SOLUTION


def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    """One time step of a vanilla RNN: ``next_h = tanh(x @ Wx + prev_h @ Wh + b)``.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        Input of this time step.
    prev_h : ndarray, shape (N, H)
        Hidden state of the previous time step.
    Wx : ndarray, shape (D, H)
        Input-to-hidden weights.
    Wh : ndarray, shape (H, H)
        Hidden-to-hidden weights.
    b : ndarray, shape (H,)
        Bias.
    use_tanh : bool
        The activation is tanh when True, the logistic sigmoid when False.

    Returns
    -------
    next_h : ndarray, shape (N, H)
        Next hidden state.
    cache : object
        Whatever :func:`rnn_step_backward` needs.
    """
    # BEGIN SOLUTION
    # TODO: compute the next hidden state with np.tanh and keep in `cache` what
    # TODO: the backward pass needs.
    # TODO: With use_tanh=False the activation is the logistic sigmoid instead.
    next_h = _activate_(x @ Wx + prev_h @ Wh + b, use_tanh)
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache
    # END SOLUTION


def rnn_step_backward(dnext_h, cache, use_tanh=True):
    """Backward pass of :func:`rnn_step_forward`.

    Parameters
    ----------
    dnext_h : ndarray, shape (N, H)
        Gradient of the loss with respect to ``next_h``.
    cache : object
        From :func:`rnn_step_forward`.
    use_tanh : bool
        Must match the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dprev_h : ndarray, shape (N, H)
    dWx : ndarray, shape (D, H)
    dWh : ndarray, shape (H, H)
    db : ndarray, shape (H,)
    """
    # BEGIN SOLUTION
    # TODO: backpropagate through the activation (its derivative is easiest to
    # TODO: write from its output, next_h) and then through the affine map.
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * _activation_grad(next_h, use_tanh)
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db
    # END SOLUTION


def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
    """A vanilla RNN over a whole sequence of T inputs.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequence.
    h0 : ndarray, shape (N, H)
        Initial hidden state.
    Wx : ndarray, shape (D, H)
    Wh : ndarray, shape (H, H)
    b : ndarray, shape (H,)
    use_tanh : bool
        tanh activation when True, logistic sigmoid when False.

    Returns
    -------
    h : ndarray, shape (N, T, H)
        Hidden states of every time step.
    cache : object
        Whatever :func:`rnn_backward` needs.
    """
    # BEGIN SOLUTION
    # TODO: run rnn_step_forward once per time step, feeding each step the
    # TODO: hidden state of the step before (h0 for the first step).
    N, T, D = x.shape
    H = h0.shape[1]
    dtype = np.result_type(x, h0, Wx, Wh, b)
    # Time-major internally, (T, N, .): the rows of one step are contiguous.
    # hs[0] is h0 and hs[t + 1] the hidden state of step t, so hs[:-1] holds
    # the previous state of every step without a copy.
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    hs = np.empty((T + 1, N, H), dtype=dtype)
    hs[0] = h0
    # The input projection of all steps is one large matrix product; only the
    # hidden-to-hidden product has to run step by step.
    np.matmul(x_tm.reshape(T * N, D), Wx, out=hs[1:].reshape(T * N, H))
    hs[1:] += b
    hWh = np.empty((N, H), dtype=dtype)
    for t in range(T):
        np.matmul(hs[t], Wh, out=hWh)
        hs[t + 1] += hWh
        _activate_(hs[t + 1], use_tanh)
    h = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))
    cache = (x_tm, Wx, Wh, hs)
    return h, cache
    # END SOLUTION


def rnn_backward(dh, cache, use_tanh=True):
    """Backward pass of :func:`rnn_forward`.

    Parameters
    ----------
    dh : ndarray, shape (N, T, H)
        Upstream gradient of every hidden state (from the layers above, not the
        gradient passed between time steps). Left unchanged.
    cache : object
        From :func:`rnn_forward`.
    use_tanh : bool
        Must match the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    dWx : ndarray, shape (D, H)
    dWh : ndarray, shape (H, H)
    db : ndarray, shape (H,)
    """
    # BEGIN SOLUTION
    # TODO: walk the time steps backwards with rnn_step_backward. The gradient
    # TODO: reaching step t is dh[:, t] plus what step t+1 passed back; the
    # TODO: weight gradients add up over all steps.
    x_tm, Wx, Wh, hs = cache
    T, N, D = x_tm.shape
    H = hs.shape[2]
    # da starts as the activation's derivative at every step (one vectorised
    # pass) and becomes, step by step, the gradient of the pre-activation.
    da = _activation_grad(hs[1:], use_tanh)
    # The gradient passed back to the previous step is kept transposed, (H, N)
    # in memory: the product Wh @ da_t.T runs markedly faster than da_t @ Wh.T.
    dprev_hT = np.zeros((H, N), dtype=da.dtype)
    dnext_h = np.empty((N, H), dtype=da.dtype)
    for t in range(T - 1, -1, -1):
        np.add(dh[:, t], dprev_hT.T, out=dnext_h)
        da[t] *= dnext_h
        np.matmul(Wh, da[t].T, out=dprev_hT)
    # Every weight gradient sums over all steps: one matrix product each.
    da_flat = da.reshape(T * N, H)
    dx = np.ascontiguousarray((da_flat @ Wx.T).reshape(T, N, D).transpose(1, 0, 2))
    dWx = x_tm.reshape(T * N, D).T @ da_flat
    dWh = hs[:-1].reshape(T * N, H).T @ da_flat
    db = da_flat.sum(axis=0)
    return dx, np.ascontiguousarray(dprev_hT.T), dWx, dWh, db
    # END SOLUTION


def word_embedding_forward(x, W):
    """Look up the vectors of a minibatch of word indices.

    Parameters
    ----------
    x : ndarray of int, shape (N, T)
        Word indices, each in ``range(V)``.
    W : ndarray, shape (V, D)
        One word vector per row.

    Returns
    -------
    out : ndarray, shape (N, T, D)
        ``out[n, t] = W[x[n, t]]``.
    cache : object
        Whatever :func:`word_embedding_backward` needs.
    """
    # BEGIN SOLUTION
    # TODO: index W with x (a single line of numpy does it).
    out = W[x]
    cache = (x, W.shape, W.dtype)
    return out, cache
    # END SOLUTION


def word_embedding_backward(dout, cache):
    """Backward pass of :func:`word_embedding_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, T, D)
        Upstream gradient.
    cache : object
        From :func:`word_embedding_forward`.

    Returns
    -------
    dW : ndarray, shape (V, D)
        Words that occur several times receive the sum of their gradients.
    """
    # BEGIN SOLUTION
    # TODO: scatter dout into the rows of dW. A word can occur more than once,
    # TODO: so accumulate (np.add.at) instead of assigning.
    x, shape, dtype = cache
    dW = np.zeros(shape, dtype=dtype)
    words = x.reshape(-1)
    if words.size == 0:
        return dW
    # Same sums as np.add.at(dW, words, rows), in the same order, but much
    # faster: sort the rows by word (stably) and add up each run of equal words.
    order = np.argsort(words, kind="stable")
    words = words[order]
    starts = np.flatnonzero(np.concatenate(([True], words[1:] != words[:-1])))
    rows = dout.reshape(-1, shape[1])[order]
    dW[words[starts]] = np.add.reduceat(rows, starts, axis=0)
    return dW
    # END SOLUTION


# BEGIN SOLUTION
def _lstm_cell(gates, prev_c, next_c, tanh_c, next_h, scratch):
    """Gate arithmetic of one LSTM step, written into the arrays given.

    ``gates`` (4, N, H) holds the pre-activations of i, f, o, g (``gates[0]``
    is i, and so on) and is overwritten with the gate values: sigmoid of i, f,
    o and tanh of g. ``prev_c`` is (N, H); ``next_c``, ``tanh_c`` (=
    tanh(next_c)), ``next_h`` and the work array ``scratch`` are (N, H) arrays
    that receive the results.
    """
    _sigmoid_(gates[:3])
    np.tanh(gates[3], out=gates[3])
    i, f, o, g = gates
    np.multiply(f, prev_c, out=next_c)
    next_c += np.multiply(i, g, out=scratch)
    np.tanh(next_c, out=tanh_c)
    np.multiply(o, tanh_c, out=next_h)


def _lstm_gates_backward(dnext_h, dnext_c, gates, prev_c, tanh_c):
    """Backward pass through the gate arithmetic of one LSTM step.

    ``gates`` (N, 4H) holds i, f, o, g as left by :func:`_lstm_cell`;
    ``dnext_h``, ``dnext_c``, ``prev_c``, ``tanh_c`` are (N, H). Returns
    ``(da, dprev_c)``: the gradient of the pre-activations (N, 4H) and of the
    previous cell state (N, H).
    """
    H = prev_c.shape[1]
    i, f, o, g = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]
    dc = dnext_c + dnext_h * o * (1 - tanh_c * tanh_c)
    da = np.empty_like(gates)
    da[:, :H] = dc * g * i * (1 - i)
    da[:, H : 2 * H] = dc * prev_c * f * (1 - f)
    da[:, 2 * H : 3 * H] = dnext_h * tanh_c * o * (1 - o)
    da[:, 3 * H :] = dc * i * (1 - g * g)
    return da, dc * f
# END SOLUTION


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One time step of an LSTM.

    The pre-activation ``a = x @ Wx + prev_h @ Wh + b`` is split into four
    blocks of H columns, in the order i, f, o, g. The input, forget and output
    gates are ``sigmoid`` of their blocks, the candidate g is ``tanh`` of its
    block; ``next_c = f * prev_c + i * g`` and ``next_h = o * tanh(next_c)``.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    prev_h : ndarray, shape (N, H)
    prev_c : ndarray, shape (N, H)
    Wx : ndarray, shape (D, 4H)
    Wh : ndarray, shape (H, 4H)
    b : ndarray, shape (4H,)

    Returns
    -------
    next_h : ndarray, shape (N, H)
    next_c : ndarray, shape (N, H)
    cache : object
        Whatever :func:`lstm_step_backward` needs.
    """
    # BEGIN SOLUTION
    # TODO: compute the pre-activation, split it into i, f, o, g (in that
    # TODO: order), apply sigmoid / tanh, and update the cell and hidden state.
    N, H = prev_c.shape
    gates = x @ Wx + prev_h @ Wh + b
    next_c, tanh_c, next_h, scratch = np.empty((4, N, H), np.result_type(gates, prev_c))
    # gates.reshape(N, 4, H).transpose(1, 0, 2) views the blocks i, f, o, g as (4, N, H).
    _lstm_cell(gates.reshape(N, 4, H).transpose(1, 0, 2), prev_c, next_c, tanh_c, next_h, scratch)
    cache = (x, prev_h, prev_c, Wx, Wh, gates, tanh_c)
    return next_h, next_c, cache
    # END SOLUTION


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward pass of :func:`lstm_step_forward`.

    Parameters
    ----------
    dnext_h : ndarray, shape (N, H)
    dnext_c : ndarray, shape (N, H)
    cache : object
        From :func:`lstm_step_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dprev_h : ndarray, shape (N, H)
    dprev_c : ndarray, shape (N, H)
    dWx : ndarray, shape (D, 4H)
    dWh : ndarray, shape (H, 4H)
    db : ndarray, shape (4H,)
    """
    # BEGIN SOLUTION
    # TODO: next_c receives gradient both directly (dnext_c) and through
    # TODO: next_h = o * tanh(next_c). Backpropagate into each gate, then
    # TODO: through the affine map, as in rnn_step_backward.
    x, prev_h, prev_c, Wx, Wh, gates, tanh_c = cache
    da, dprev_c = _lstm_gates_backward(dnext_h, dnext_c, gates, prev_c, tanh_c)
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db
    # END SOLUTION


def lstm_forward(x, h0, Wx, Wh, b):
    """An LSTM over a whole sequence of T inputs; the initial cell state is zero.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    h0 : ndarray, shape (N, H)
        Initial hidden state.
    Wx : ndarray, shape (D, 4H)
    Wh : ndarray, shape (H, 4H)
    b : ndarray, shape (4H,)

    Returns
    -------
    h : ndarray, shape (N, T, H)
        Hidden states of every time step (the cell states are not returned).
    cache : object
        Whatever :func:`lstm_backward` needs.
    """
    # BEGIN SOLUTION
    # TODO: run lstm_step_forward once per time step, carrying both the hidden
    # TODO: state and the cell state; the cell state starts at zero.
    N, T, D = x.shape
    H = h0.shape[1]
    dtype = np.result_type(x, h0, Wx, Wh, b)
    # Time-major internally, as in rnn_forward: hs[t] and cs[t] are the hidden
    # and cell state before step t (hs[0] = h0, cs[0] = 0).
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    x_proj = (x_tm.reshape(T * N, D) @ Wx).reshape(T, N, 4 * H)
    hs = np.empty((T + 1, N, H), dtype=dtype)
    hs[0] = h0
    cs = np.empty_like(hs)
    cs[0] = 0
    tanh_c = np.empty((T, N, H), dtype=dtype)
    # The gate values are kept gate-major: gates[t, k] is the contiguous (N, H)
    # block of gate k (i, f, o, g) at step t. numpy's element-wise operations
    # are several times faster on such blocks than on column slices of an
    # (N, 4H) array, and copying a step into this layout is cheap.
    gates = np.empty((T, 4, N, H), dtype=dtype)
    a = np.empty((N, 4 * H), dtype=dtype)
    scratch = np.empty((N, H), dtype=dtype)
    for t in range(T):
        np.matmul(hs[t], Wh, out=a)
        a += x_proj[t]
        a += b
        np.copyto(gates[t], a.reshape(N, 4, H).transpose(1, 0, 2))
        _lstm_cell(gates[t], cs[t], cs[t + 1], tanh_c[t], hs[t + 1], scratch)
    h = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))
    cache = (x_tm, Wx, Wh, gates, cs, tanh_c, hs)
    return h, cache
    # END SOLUTION


def lstm_backward(dh, cache):
    """Backward pass of :func:`lstm_forward`.

    Parameters
    ----------
    dh : ndarray, shape (N, T, H)
        Upstream gradient of every hidden state. Left unchanged.
    cache : object
        From :func:`lstm_forward`.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    dWx : ndarray, shape (D, 4H)
    dWh : ndarray, shape (H, 4H)
    db : ndarray, shape (4H,)
    """
    # BEGIN SOLUTION
    # TODO: walk the time steps backwards with lstm_step_backward, passing both
    # TODO: the hidden-state and the cell-state gradient from step t+1 to step
    # TODO: t, and add up the weight gradients over all steps.
    x_tm, Wx, Wh, gates, cs, tanh_c, hs = cache
    T, N, D = x_tm.shape
    H = hs.shape[2]
    dtype = np.result_type(gates, dh)
    # da[t] is the gradient of step t's pre-activations, (N, 4H) as the weight
    # products after the loop need it; each step is computed gate-major in d
    # (see lstm_forward) and copied in.
    da = np.empty((T, N, 4 * H), dtype=dtype)
    d = np.empty((4, N, H), dtype=dtype)
    d_i, d_f, d_o, d_g = d
    # As in rnn_backward the gradient passed back to step t-1 is kept
    # transposed, (H, N) in memory, for the faster product Wh @ da_t.T.
    dprev_hT = np.zeros((H, N), dtype=dtype)
    dnext_h, dc, scratch = np.zeros((3, N, H), dtype=dtype)
    for t in range(T - 1, -1, -1):
        i, f, o, g = gates[t]
        np.add(dh[:, t], dprev_hT.T, out=dnext_h)
        # The cell state's gradient: from step t+1 (dc holds dprev_c) and
        # through next_h = o * tanh(next_c).
        np.multiply(tanh_c[t], tanh_c[t], out=scratch)
        np.subtract(1, scratch, out=scratch)
        scratch *= o
        scratch *= dnext_h
        dc += scratch
        np.subtract(1, gates[t, :3], out=d[:3])  # sigmoid' = s (1 - s) for i, f, o
        d[:3] *= gates[t, :3]
        d_i *= g
        d_f *= cs[t]
        d[:2] *= dc  # i and f
        d_o *= tanh_c[t]
        d_o *= dnext_h
        np.multiply(g, g, out=d_g)  # tanh' = 1 - g^2
        np.subtract(1, d_g, out=d_g)
        d_g *= i
        d_g *= dc
        dc *= f  # now the gradient of the previous cell state
        np.copyto(da[t].reshape(N, 4, H).transpose(1, 0, 2), d)
        np.matmul(Wh, da[t].T, out=dprev_hT)
    da_flat = da.reshape(T * N, 4 * H)
    dx = np.ascontiguousarray((da_flat @ Wx.T).reshape(T, N, D).transpose(1, 0, 2))
    dWx = x_tm.reshape(T * N, D).T @ da_flat
    dWh = hs[:-1].reshape(T * N, H).T @ da_flat
    db = da_flat.sum(axis=0)
    return dx, np.ascontiguousarray(dprev_hT.T), dWx, dWh, db
    # END SOLUTION


def sigmoid(x):
    """Logistic sigmoid, computed without overflow for large |x|.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    ndarray, same shape and dtype as x
    """
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def temporal_affine_forward(x, w, b):
    """An affine layer applied to every time step of a sequence.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    w : ndarray, shape (D, M)
    b : ndarray, shape (M,)

    Returns
    -------
    out : ndarray, shape (N, T, M)
    cache : tuple
        ``(x, w)`` for :func:`temporal_affine_backward`.
    """
    N, T, D = x.shape
    out = (x.reshape(N * T, D) @ w + b).reshape(N, T, -1)
    return out, (x, w)


def temporal_affine_backward(dout, cache):
    """Backward pass of :func:`temporal_affine_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, T, M)
    cache : tuple
        From :func:`temporal_affine_forward`.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dw : ndarray, shape (D, M)
    db : ndarray, shape (M,)
    """
    x, w = cache
    N, T, D = x.shape
    dout_flat = dout.reshape(N * T, -1)
    dx = (dout_flat @ w.T).reshape(N, T, D)
    dw = x.reshape(N * T, D).T @ dout_flat
    db = dout_flat.sum(axis=0)
    return dx, dw, db


def temporal_softmax_loss(x, y, mask, verbose=False):
    """Softmax cross-entropy summed over time steps, averaged over the minibatch.

    Positions where ``mask`` is False (the padding after a caption ends) add
    nothing to the loss or the gradient. The sum over time is divided by N,
    not by N*T and not by the number of unmasked positions.

    Parameters
    ----------
    x : ndarray, shape (N, T, V)
        Scores of every word at every time step.
    y : ndarray of int, shape (N, T)
        Target word indices, each in ``range(V)``.
    mask : ndarray of bool, shape (N, T)
        Which positions count.
    verbose : bool
        Print the shape of the gradient.

    Returns
    -------
    loss : scalar
    dx : ndarray, shape (N, T, V)
        Gradient of the loss with respect to x.
    """
    N, T, V = x.shape
    scores = x.reshape(N * T, V)
    rows, targets = np.arange(N * T), y.reshape(N * T)
    # Weight of each position: 1 / N where the mask is set, 0 elsewhere, in
    # the dtype of the scores (a float64 weight would upcast float32 scores).
    weights = mask.reshape(N * T).astype(scores.dtype)
    weights /= N

    dx = scores - scores.max(axis=1, keepdims=True)  # shifted scores, then probabilities
    log_p_target = dx[rows, targets]
    np.exp(dx, out=dx)
    normaliser = dx.sum(axis=1)
    log_p_target -= np.log(normaliser)
    loss = -np.dot(weights, log_p_target)

    dx *= (weights / normaliser)[:, None]  # probabilities times the weight, in one pass
    dx[rows, targets] -= weights
    if verbose:
        print("dx:", dx.shape)
    return loss, dx.reshape(N, T, V)
