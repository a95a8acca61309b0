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
        # TODO: forward pass: h0 from the features (affine), word vectors of
        # TODO: captions_in, the RNN or LSTM, the vocabulary scores (temporal
        # TODO: affine) and temporal_softmax_loss against captions_out with the
        # TODO: mask. Then the backward pass, in reverse, filling grads with
        # TODO: one entry per key of self.params.
        raise NotImplementedError('loss: not implemented yet. Fill in the TODO in classifiers/rnn.py.')

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
        # TODO: start from h0 = the projected features and the word <START>
        # TODO: (and, for the LSTM, a zero cell state). At each step embed the
        # TODO: previous word, take one rnn/lstm step, score the vocabulary and
        # TODO: store the highest-scoring word, which becomes the next input.
        raise NotImplementedError('sample: not implemented yet. Fill in the TODO in classifiers/rnn.py.')
