"""Known mistakes of CaptioningRNN.sample, greedy captioning with either cell."""

from .mistake import Mistake
from .patches import in_model

TITLE = "CaptioningRNN.sample"
MISTAKES = [
    Mistake(
        "sample_feeds_start", "sample_rnn",
        "Every step is fed <START> instead of the previous step's word.",
        "This is what sample gives when every step is fed <START>: feed back the word chosen "
        "at the previous step.",
        (in_model("sample", 'x = p["W_embed"][words]',
                  'x = p["W_embed"][np.full(N, self._start)]'),),
        also=("sample_lstm",)),
    Mistake(
        "sample_start_in_column_0", "sample_rnn",
        "<START> is written into column 0 and the first generated word into column 1.",
        "This is what sample gives when <START> is written into the captions: column 0 is "
        "the first generated word.",
        (in_model("sample", "for t in range(max_length):",
                "captions[:, 0] = self._start\n        for t in range(1, max_length):"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_words_from_column_1", "sample_rnn",
        "The generated words are written from column 1, leaving column 0 as <NULL>.",
        "This is what sample gives when the words are written from column 1: the first "
        "generated word goes into captions[:, 0].",
        (in_model("sample", "for t in range(max_length):", "for t in range(1, max_length):"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_stops_one_step_early", "sample_rnn",
        "The sampling loop runs max_length - 1 steps, so the last column is never written.",
        "This is what sample gives when the loop stops one step early: generate max_length "
        "words, for t in range(max_length).",
        (in_model("sample", "for t in range(max_length):", "for t in range(max_length - 1):"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_max_instead_of_argmax", "sample_rnn",
        "The next word is the highest score itself (np.max) instead of its index (np.argmax).",
        "This is what sample gives with np.max (or np.amax) where np.argmax is meant: the "
        "next word is the index of the highest score, not the score.",
        (in_model("sample", "words = np.argmax(h @ p", "words = np.max(h @ p"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_scores_before_update", "sample_rnn",
        "The vocabulary scores come from the hidden state before the step's update.",
        "This is what sample gives when the scores are taken from the hidden state before "
        "the step: take the RNN/LSTM step first, then score its new hidden state.",
        (in_model("sample", 'x = p["W_embed"][words]',
                'x = p["W_embed"][words]\n            scores = h @ p["W_vocab"] + p["b_vocab"]'),
         in_model("sample", 'words = np.argmax(h @ p["W_vocab"] + p["b_vocab"], axis=1)',
                "words = np.argmax(scores, axis=1)")),
        also=("sample_lstm",)),
    Mistake(
        "sample_float_captions", "sample_rnn",
        "The captions array is floating point.",
        "This is what sample gives with a float array of captions: word indices are integers "
        "(e.g. np.full(..., self._null, dtype=np.int32)).",
        (in_model("sample", "dtype=np.int32", "dtype=np.float64"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_stops_at_first_end", "sample_rnn",
        "Sampling stops for every caption as soon as one caption has produced <END>.",
        "This is what sample gives when it stops as soon as any caption ends: stop only "
        "when every caption has produced <END>.",
        (in_model("sample", "if finished.all():", "if finished.any():"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_ignores_features", "sample_rnn",
        "Sampling starts from a zero hidden state instead of the projected features.",
        "This is what sample gives when the image is ignored: the first hidden state is "
        "features @ W_proj + b_proj.",
        (in_model("sample", 'h, _ = affine_forward(features, p["W_proj"], p["b_proj"])',
                'h = np.zeros((N, p["W_proj"].shape[1]), p["W_proj"].dtype)'),),
        also=("sample_lstm",)),
    Mistake(
        "sample_lstm_cell_reset", "sample_lstm",
        "The LSTM's cell state is reset to zero at every sampling step.",
        "This is what sample gives when the LSTM's cell state is not carried from step to "
        "step: keep next_c and pass it to the next step.",
        (in_model("sample", "lstm_step_forward(x, h, c,",
                "lstm_step_forward(x, h, np.zeros_like(c),"),)),
    Mistake(
        "sample_lstm_h_and_c_swapped", "sample_lstm",
        "sample passes the cell state as prev_h and the hidden state as prev_c.",
        "This is what sample gives when prev_h and prev_c are swapped in the call: "
        "lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b) takes the hidden state first.",
        (in_model("sample", "lstm_step_forward(x, h, c,", "lstm_step_forward(x, c, h,"),)),
    Mistake(
        "sample_lstm_cell_from_h0", "sample_lstm",
        "The LSTM's cell state starts from the projected features instead of zero.",
        "This is what sample gives when the LSTM's cell state starts from h0: it starts at zero.",
        (in_model("sample", "c = np.zeros_like(h)", "c = h.copy()"),)),
    Mistake(
        "sample_cell_type_ignored", "sample_lstm",
        "sample always takes vanilla RNN steps, even for cell_type='lstm'.",
        "This is what sample gives when cell_type is ignored: take lstm_step_forward steps "
        "(carrying the cell state) when self.cell_type == 'lstm'.",
        (in_model("sample", 'if self.cell_type == "rnn":', "if True:"),)),
]
