"""Known mistakes of word_embedding_forward and word_embedding_backward."""

from .mistake import Mistake
from .patches import in_layers

TITLE = "Word embedding"
MISTAKES = [
    Mistake(
        "embedding_forward_reshaped", "word_embedding_forward",
        "The word vectors are looked up time-major and reshaped (not transposed) to (N, T, D).",
        "This is what word_embedding_forward gives when W[x] is reshaped instead of indexed "
        "directly: out[n, t] must be W[x[n, t]], which is simply W[x].",
        (in_layers("word_embedding_forward", "out = W[x]",
                     "out = W[x.T].reshape(x.shape[0], x.shape[1], -1)"),)),
    Mistake(
        "embedding_repeats_dropped", "word_embedding_backward",
        "dW[x] += dout: with fancy indexing, a repeated word receives only one of its gradients.",
        "This is what dW[x] += dout gives: a word that occurs several times keeps only one of its "
        "gradients; use np.add.at(dW, x, dout) to add them all.",
        (in_layers("word_embedding_backward",
                     "dW[words[starts]] = np.add.reduceat(rows, starts, axis=0)",
                     "dW[words] += rows"),),
        also=("loss_rnn", "loss_lstm")),
    Mistake(
        "embedding_last_step_only", "word_embedding_backward",
        "dW takes only the gradient of the last time step.",
        "This is what word_embedding_backward gives when only one time step reaches dW: add "
        "the gradient of every (n, t) position into its word's row.",
        (in_layers("word_embedding_backward", "words = x.reshape(-1)", "words = x[:, -1]"),
         in_layers("word_embedding_backward", "rows = dout.reshape(-1, shape[1])[order]",
                     "rows = dout[:, -1][order]"))),
]
