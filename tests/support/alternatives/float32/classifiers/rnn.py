# Alternative correct model: casts its parameters and the features to float32
# in loss and sample, so the loss and every gradient are float32.
# Appended to the reference's classifiers/rnn.py by the tests (the make_package fixture):
# the CaptioningRNN it subclasses, with its constructor, comes from that file.

import numpy as np

from ..layers import affine_backward, affine_forward
from ..rnn_layers import (lstm_backward, lstm_forward, lstm_step_forward, rnn_backward, rnn_forward,
                          rnn_step_forward, temporal_affine_backward, temporal_affine_forward,
                          temporal_softmax_loss, word_embedding_backward, word_embedding_forward)


class CaptioningRNN(CaptioningRNN):

    def _p32(self):
        return {k: v.astype(np.float32) for k, v in self.params.items()}

    def loss(self, features, captions):
        p = self._p32()
        features = features.astype(np.float32)
        cin, cout = captions[:, :-1], captions[:, 1:]
        mask = cout != self._null
        h0, proj_cache = affine_forward(features, p["W_proj"], p["b_proj"])
        x, emb_cache = word_embedding_forward(cin, p["W_embed"])
        if self.cell_type == "rnn":
            h, cell_cache = rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"], self.use_tanh)
        else:
            h, cell_cache = lstm_forward(x, h0, p["Wx"], p["Wh"], p["b"])
        scores, voc_cache = temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])
        loss, dscores = temporal_softmax_loss(scores, cout, mask)
        grads = {}
        dh, grads["W_vocab"], grads["b_vocab"] = temporal_affine_backward(dscores, voc_cache)
        if self.cell_type == "rnn":
            dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = rnn_backward(dh, cell_cache,
                                                                         self.use_tanh)
        else:
            dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = lstm_backward(dh, cell_cache)
        grads["W_embed"] = word_embedding_backward(dx, emb_cache)
        _, grads["W_proj"], grads["b_proj"] = affine_backward(dh0, proj_cache)
        return np.float32(loss), {k: v.astype(np.float32) for k, v in grads.items()}

    def sample(self, features, max_length=30):
        p = self._p32()
        N = features.shape[0]
        captions = self._null * np.ones((N, max_length), dtype=np.int64)
        h = features.astype(np.float32) @ p["W_proj"] + p["b_proj"]
        c = np.zeros_like(h)
        word = np.full(N, self._start)
        for t in range(max_length):
            x = p["W_embed"][word]
            if self.cell_type == "rnn":
                h, _ = rnn_step_forward(x, h, p["Wx"], p["Wh"], p["b"], self.use_tanh)
            else:
                h, c, _ = lstm_step_forward(x, h, c, p["Wx"], p["Wh"], p["b"])
            word = (h @ p["W_vocab"] + p["b_vocab"]).argmax(axis=1)
            captions[:, t] = word
        return captions
