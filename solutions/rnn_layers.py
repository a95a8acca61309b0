"""Recurrent layers for image captioning: a vanilla RNN, an LSTM, word embeddings.

Students implement the first ten functions; ``sigmoid`` and the temporal
affine / softmax layers at the end are provided. Every function keeps the dtype
of its inputs, so a float32 model stays float32 and float64 works for gradient
checks. Shapes: N minibatch size, T sequence length, D input size, H hidden
size, V vocabulary size.
"""

import numpy as np


# BEGIN SOLUTION
def _activation(a, use_tanh):
    """tanh(a), or the logistic sigmoid of a when ``use_tanh`` is False; same shape."""
    return np.tanh(a) if use_tanh else sigmoid(a)


def _activation_grad(out, use_tanh):
    """Derivative of the activation, written in terms of its output ``out``; same shape."""
    return 1 - out * out if use_tanh else out * (1 - out)
# END SOLUTION


def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    """One time step of a vanilla RNN: ``next_h = act(x @ Wx + prev_h @ Wh + b)``.

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
        The activation ``act`` is tanh when True, the logistic sigmoid when False.

    Returns
    -------
    next_h : ndarray, shape (N, H)
        Next hidden state.
    cache : object
        Whatever :func:`rnn_step_backward` needs.
    """
    # BEGIN SOLUTION
    # TODO: compute the next hidden state with act = np.tanh (or sigmoid when
    # TODO: use_tanh is False) and keep in `cache` what the backward pass needs.
    next_h = _activation(x @ Wx + prev_h @ Wh + b, use_tanh)
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
    N, T, _ = x.shape
    # The input projection of all steps is one large matrix product; only the
    # hidden-to-hidden product has to run step by step.
    h = (x.reshape(N * T, -1) @ Wx + b).reshape(N, T, -1)
    prev_h = h0
    for t in range(T):
        prev_h = h[:, t] = _activation(h[:, t] + prev_h @ Wh, use_tanh)
    cache = (x, h0, Wx, Wh, h)
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
    x, h0, Wx, Wh, h = cache
    N, T, D = x.shape
    da = np.empty_like(h)
    dprev_h = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        da[:, t] = (dh[:, t] + dprev_h) * _activation_grad(h[:, t], use_tanh)
        dprev_h = da[:, t] @ Wh.T
    # Every weight gradient sums over all steps: one matrix product each.
    da_flat = da.reshape(N * T, -1)
    prev_h = np.concatenate([h0[:, None], h[:, :-1]], axis=1).reshape(N * T, -1)
    dx = (da_flat @ Wx.T).reshape(N, T, D)
    dWx = x.reshape(N * T, D).T @ da_flat
    dWh = prev_h.T @ da_flat
    db = da_flat.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db
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
    np.add.at(dW, x.reshape(-1), dout.reshape(-1, shape[1]))
    return dW
    # END SOLUTION


# BEGIN SOLUTION
def _lstm_gates(a, prev_c):
    """Apply the LSTM non-linearities to the pre-activations of one step.

    ``a`` (N, 4H) holds the blocks i, f, o, g in that order and is overwritten
    with the gate values (sigmoid of i, f, o; tanh of g). Returns
    ``(next_c, tanh_c, next_h)``, each (N, H).
    """
    H = prev_c.shape[1]
    a[:, : 3 * H] = sigmoid(a[:, : 3 * H])
    a[:, 3 * H :] = np.tanh(a[:, 3 * H :])
    i, f, o, g = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    return next_c, tanh_c, o * tanh_c


def _lstm_gates_backward(dnext_h, dnext_c, gates, prev_c, tanh_c):
    """Backward pass through the gate arithmetic of one LSTM step.

    ``gates`` (N, 4H) holds i, f, o, g as left by :func:`_lstm_gates`;
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
    gates = x @ Wx + prev_h @ Wh + b
    next_c, tanh_c, next_h = _lstm_gates(gates, prev_c)
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
    gates = (x.reshape(N * T, D) @ Wx + b).reshape(N, T, 4 * H)
    c = np.empty((N, T, H), dtype=gates.dtype)
    tanh_c = np.empty_like(c)
    h = np.empty_like(c)
    prev_h, prev_c = h0, np.zeros_like(c[:, 0])
    for t in range(T):
        gates[:, t] += prev_h @ Wh
        # Work on a contiguous copy of this step's pre-activations: the gate
        # arithmetic runs over strided blocks otherwise.
        step_gates = np.ascontiguousarray(gates[:, t])
        prev_c, tanh_c[:, t], prev_h = _lstm_gates(step_gates, prev_c)
        gates[:, t], c[:, t], h[:, t] = step_gates, prev_c, prev_h
    cache = (x, h0, Wx, Wh, gates, c, tanh_c, h)
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
    x, h0, Wx, Wh, gates, c, tanh_c, h = cache
    N, T, D = x.shape
    da = np.empty_like(gates)
    dprev_h = np.zeros_like(h0)
    dprev_c = np.zeros_like(dprev_h)
    zero_c = dprev_c.copy()
    for t in range(T - 1, -1, -1):
        prev_c = c[:, t - 1] if t > 0 else zero_c
        da[:, t], dprev_c = _lstm_gates_backward(
            dh[:, t] + dprev_h, dprev_c, gates[:, t], prev_c, tanh_c[:, t]
        )
        dprev_h = da[:, t] @ Wh.T
    da_flat = da.reshape(N * T, -1)
    prev_h = np.concatenate([h0[:, None], h[:, :-1]], axis=1).reshape(N * T, -1)
    dx = (da_flat @ Wx.T).reshape(N, T, D)
    dWx = x.reshape(N * T, D).T @ da_flat
    dWh = prev_h.T @ da_flat
    db = da_flat.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db
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
    targets = y.reshape(N * T)
    weights = mask.reshape(N * T, 1) / N

    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    normaliser = exp.sum(axis=1, keepdims=True)
    rows = np.arange(N * T)
    log_p_target = shifted[rows, targets] - np.log(normaliser[:, 0])
    loss = -np.sum(weights[:, 0] * log_p_target)

    dx = exp / normaliser
    dx[rows, targets] -= 1
    dx *= weights.astype(dx.dtype, copy=False)
    if verbose:
        print("dx:", dx.shape)
    return loss, dx.reshape(N, T, V)
