# Alternative correct sample: one caption at a time, each stopped at its own
# <END>; the rest of the row keeps the <END> token (anything after the first
# <END> is free). LSTM steps written out with the step function per row.
# Appended to the reference's classifiers/rnn.py by the tests (the make_package fixture):
# the CaptioningRNN it subclasses, with its constructor, comes from that file.

import numpy as np

from ..rnn_layers import lstm_step_forward, rnn_step_forward


class CaptioningRNN(CaptioningRNN):

    def sample(self, features, max_length=30):
        p = self.params
        N = features.shape[0]
        captions = np.zeros((N, max_length), dtype=int)
        for n in range(N):
            h = features[n:n + 1] @ p["W_proj"] + p["b_proj"]
            c = np.zeros_like(h)
            word = self._start
            for t in range(max_length):
                x = p["W_embed"][[word]]
                if self.cell_type == "lstm":
                    h, c, _ = lstm_step_forward(x, h, c, p["Wx"], p["Wh"], p["b"])
                else:
                    h, _ = rnn_step_forward(x, h, p["Wx"], p["Wh"], p["b"], self.use_tanh)
                word = int(np.argmax(h[0] @ p["W_vocab"] + p["b_vocab"]))
                captions[n, t] = word
                if word == self._end:
                    captions[n, t:] = self._end
                    break
        return captions
