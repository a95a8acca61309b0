"""The image-captioning model: image features in, a word distribution per step out."""

import numpy as np

from ..layers import affine_forward, affine_backward
from ..rnn_layers import (
    lstm_backward,
    lstm_forward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_forward,
    temporal_affine_backward,
    temporal_affine_forward,
    temporal_softmax_loss,
    word_embedding_backward,
    word_embedding_forward,
)

CELL_TYPES = ("rnn", "lstm")


class CaptioningRNN:
    """Generates captions from image features with a recurrent network.

    The network maps an image feature vector (D) to the initial hidden state
    (H) with an affine layer, embeds the words of a caption (W), runs an RNN or
    LSTM over them and scores every vocabulary word (V) at every step.

    Parameters
    ----------
    word_to_idx : dict of str to int
        The vocabulary: V words with distinct indices in ``range(V)``. It must
        contain ``<NULL>``; ``<START>`` and ``<END>`` are needed for sampling.
    input_dim : int
        Size D of an image feature vector.
    wordvec_dim : int
        Size W of a word vector.
    hidden_dim : int
        Size H of the hidden state.
    cell_type : {'rnn', 'lstm'}
    dtype : numpy dtype
        Type of every parameter: float32 to train, float64 for gradient checks.
    use_tanh : bool
        Activation of the vanilla RNN cell: tanh when True, logistic sigmoid
        when False. The LSTM does not use it.

    Raises
    ------
    ValueError
        For an unknown ``cell_type`` or a vocabulary without ``<NULL>``.
    """

    def __init__(
        self,
        word_to_idx,
        input_dim=512,
        wordvec_dim=128,
        hidden_dim=128,
        cell_type="rnn",
        dtype=np.float32,
        use_tanh=True,
    ):
        if cell_type not in CELL_TYPES:
            raise ValueError(f"cell_type must be one of {CELL_TYPES}, got {cell_type!r}")
        if "<NULL>" not in word_to_idx:
            raise ValueError("word_to_idx has no '<NULL>' entry: the model needs it to mask padding")
        self.cell_type = cell_type
        self.dtype = dtype
        self.use_tanh = use_tanh
        self.word_to_idx = word_to_idx
        self.idx_to_word = {i: w for w, i in word_to_idx.items()}
        self._null = word_to_idx["<NULL>"]
        self._start = word_to_idx.get("<START>")
        self._end = word_to_idx.get("<END>")

        V, D, W, H = len(word_to_idx), input_dim, wordvec_dim, hidden_dim
        gates = 4 if cell_type == "lstm" else 1
        self.params = {
            "W_embed": np.random.randn(V, W) / 100,
            "W_proj": np.random.randn(D, H) / np.sqrt(D),
            "b_proj": np.zeros(H),
            "Wx": np.random.randn(W, gates * H) / np.sqrt(W),
            "Wh": np.random.randn(H, gates * H) / np.sqrt(H),
            "b": np.zeros(gates * H),
            "W_vocab": np.random.randn(H, V) / np.sqrt(H),
            "b_vocab": np.zeros(V),
        }
        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def loss(self, features, captions):
        """Training loss and gradients of one minibatch.

        The caption without its last word is the input; without its first word
        (``<START>``) it is the target. Targets equal to ``<NULL>`` are padding
        and do not count.

        Parameters
        ----------
        features : ndarray, shape (N, D)
            Image features.
        captions : ndarray of int, shape (N, T)
            Ground-truth captions, each starting with ``<START>``.

        Returns
        -------
        loss : scalar
        grads : dict of str to ndarray
            The same keys and shapes as ``self.params``.
        """
        # BEGIN SOLUTION
        # TODO: forward pass: h0 from the features (affine), word vectors of
        # TODO: captions_in, the RNN or LSTM, the vocabulary scores (temporal
        # TODO: affine) and temporal_softmax_loss against captions_out with the
        # TODO: mask. Then the backward pass, in reverse, filling grads with
        # TODO: one entry per key of self.params.
        captions_in = captions[:, :-1]
        captions_out = captions[:, 1:]
        mask = captions_out != self._null
        p = self.params
        features = features.astype(p["W_proj"].dtype, copy=False)

        h0, _ = affine_forward(features, p["W_proj"], p["b_proj"])
        words, embed_cache = word_embedding_forward(captions_in, p["W_embed"])
        if self.cell_type == "rnn":
            h, cell_cache = rnn_forward(words, h0, p["Wx"], p["Wh"], p["b"], self.use_tanh)
        else:
            h, cell_cache = lstm_forward(words, h0, p["Wx"], p["Wh"], p["b"])
        scores, vocab_cache = temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])
        loss, dscores = temporal_softmax_loss(scores, captions_out, mask)

        grads = {}
        dh, grads["W_vocab"], grads["b_vocab"] = temporal_affine_backward(dscores, vocab_cache)
        if self.cell_type == "rnn":
            dwords, dh0, grads["Wx"], grads["Wh"], grads["b"] = rnn_backward(
                dh, cell_cache, self.use_tanh
            )
        else:
            dwords, dh0, grads["Wx"], grads["Wh"], grads["b"] = lstm_backward(dh, cell_cache)
        grads["W_embed"] = word_embedding_backward(dwords, embed_cache)
        # affine_backward would also return the gradient of the features, which
        # nothing needs: take the two weight gradients directly.
        grads["W_proj"] = features.T @ dh0
        grads["b_proj"] = dh0.sum(axis=0)
        return loss, grads
        # END SOLUTION

    def sample(self, features, max_length=30):
        """Greedy captions for a minibatch of images.

        Starting from ``<START>`` and the projected features, each step feeds
        the previous step's most likely word back in.

        Parameters
        ----------
        features : ndarray, shape (N, D)
            Image features.
        max_length : int
            Number T of words to generate.

        Returns
        -------
        captions : ndarray of int, shape (N, max_length)
            ``captions[:, 0]`` is the first generated word (not ``<START>``).
            Positions after every caption has produced ``<END>`` may be left
            as ``<NULL>``.
        """
        if self._start is None:
            raise ValueError("word_to_idx has no '<START>' entry: sampling needs one")
        # BEGIN SOLUTION
        # TODO: start from h0 = the projected features and the word <START>
        # TODO: (and, for the LSTM, a zero cell state). At each step embed the
        # TODO: previous word, take one rnn/lstm step, score the vocabulary and
        # TODO: store the highest-scoring word, which becomes the next input.
        p = self.params
        features = features.astype(p["W_proj"].dtype, copy=False)
        N = features.shape[0]
        captions = np.full((N, max_length), self._null, dtype=np.int32)
        h, _ = affine_forward(features, p["W_proj"], p["b_proj"])
        c = np.zeros_like(h)
        words = np.full(N, self._start)
        finished = np.zeros(N, dtype=bool)
        for t in range(max_length):
            x = p["W_embed"][words]
            if self.cell_type == "rnn":
                h, _ = rnn_step_forward(x, h, p["Wx"], p["Wh"], p["b"], self.use_tanh)
            else:
                h, c, _ = lstm_step_forward(x, h, c, p["Wx"], p["Wh"], p["b"])
            words = np.argmax(h @ p["W_vocab"] + p["b_vocab"], axis=1)
            captions[:, t] = words
            finished |= words == self._end
            if finished.all():
                break
        return captions
        # END SOLUTION
