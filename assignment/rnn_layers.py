"""Recurrent layers for image captioning: a vanilla RNN, an LSTM, word embeddings.

Students implement the first ten functions; ``sigmoid`` and the temporal
affine / softmax layers at the end are provided. Every function keeps the dtype
of its inputs, so a float32 model stays float32 and float64 works for gradient
checks. Shapes: N minibatch size, T sequence length, D input size, H hidden
size, V vocabulary size.
"""

import numpy as np


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
    # TODO: compute the next hidden state with np.tanh and keep in `cache` what
    # TODO: the backward pass needs.
    # TODO: With use_tanh=False the activation is the logistic sigmoid instead.
    raise NotImplementedError('rnn_step_forward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
    # TODO: backpropagate through the activation (its derivative is easiest to
    # TODO: write from its output, next_h) and then through the affine map.
    raise NotImplementedError('rnn_step_backward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
    # TODO: run rnn_step_forward once per time step, feeding each step the
    # TODO: hidden state of the step before (h0 for the first step).
    raise NotImplementedError('rnn_forward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
    # TODO: walk the time steps backwards with rnn_step_backward. The gradient
    # TODO: reaching step t is dh[:, t] plus what step t+1 passed back; the
    # TODO: weight gradients add up over all steps.
    raise NotImplementedError('rnn_backward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
    # TODO: index W with x (a single line of numpy does it).
    raise NotImplementedError('word_embedding_forward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
    # TODO: scatter dout into the rows of dW. A word can occur more than once,
    # TODO: so accumulate (np.add.at) instead of assigning.
    raise NotImplementedError('word_embedding_backward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
    # TODO: compute the pre-activation, split it into i, f, o, g (in that
    # TODO: order), apply sigmoid / tanh, and update the cell and hidden state.
    raise NotImplementedError('lstm_step_forward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
    # TODO: next_c receives gradient both directly (dnext_c) and through
    # TODO: next_h = o * tanh(next_c). Backpropagate into each gate, then
    # TODO: through the affine map, as in rnn_step_backward.
    raise NotImplementedError('lstm_step_backward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
    # TODO: run lstm_step_forward once per time step, carrying both the hidden
    # TODO: state and the cell state; the cell state starts at zero.
    raise NotImplementedError('lstm_forward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
    # TODO: walk the time steps backwards with lstm_step_backward, passing both
    # TODO: the hidden-state and the cell-state gradient from step t+1 to step
    # TODO: t, and add up the weight gradients over all steps.
    raise NotImplementedError('lstm_backward: not implemented yet. Fill in the TODO in rnn_layers.py.')


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
