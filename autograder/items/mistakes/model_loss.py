"""Known mistakes of CaptioningRNN's constructor and loss."""

from .mistake import Mistake
from .patches import in_model

TITLE = "CaptioningRNN: constructor and loss"
MISTAKES = [
    Mistake(
        "loss_mask_omitted", "loss_rnn",
        "The <NULL> padding is scored like real words (no mask).",
        "This is what the loss gives without the mask (26.898 on the published rnn check): "
        "targets equal to <NULL> are padding and must not count.",
        (in_model("loss", "temporal_softmax_loss(scores, captions_out, mask)",
                "temporal_softmax_loss(scores, captions_out, np.ones_like(mask))"),),
        also=("loss_lstm",)),
    Mistake(
        "loss_mask_inverted", "loss_rnn",
        "The mask keeps the padding and drops the real words.",
        "This is what the loss gives with the mask inverted: count the targets that are not "
        "<NULL> (captions_out != self._null).",
        (in_model("loss", "mask = captions_out != self._null",
                  "mask = captions_out == self._null"),),
        also=("loss_lstm",)),
    Mistake(
        "caption_shift_off_by_one", "loss_rnn",
        "The targets are the input words themselves instead of the next words.",
        "This is what the loss gives with the captions shifted wrongly: the input is "
        "captions[:, :-1] and the target the next word, captions[:, 1:].",
        (in_model("loss", "captions_out = captions[:, 1:]", "captions_out = captions[:, :-1]"),),
        also=("loss_lstm",)),
    Mistake(
        "h0_ignores_features", "loss_rnn",
        "The initial hidden state is zero: the image features are never used.",
        "This is what the loss gives when h0 does not come from the image: "
        "h0 = features @ W_proj + b_proj.",
        (in_model("loss", 'h0, _ = affine_forward(features, p["W_proj"], p["b_proj"])',
                'h0 = np.zeros((features.shape[0], p["W_proj"].shape[1]), p["W_proj"].dtype)'),),
        also=("loss_lstm", "overfit_rnn", "overfit_lstm")),
    Mistake(
        "loss_divided_by_T", "loss_rnn",
        "The loss (and its gradient) is averaged over N*T instead of N.",
        "This is what the loss gives when it is divided by N*T: temporal_softmax_loss already "
        "averages over the minibatch N only; do not divide again by T.",
        (in_model("loss", "loss, dscores = temporal_softmax_loss(scores, captions_out, mask)",
                "loss, dscores = temporal_softmax_loss(scores, captions_out, mask)\n"
                "        steps = captions_out.shape[1]\n"
                "        loss, dscores = loss / steps, dscores / steps"),),
        also=("loss_lstm",)),
    Mistake(
        "loss_divided_by_mask_sum", "loss_rnn",
        "The loss (and its gradient) is averaged over the unmasked words instead of N.",
        "This is what the loss gives when it is divided by mask.sum(): average over the "
        "minibatch N only, as temporal_softmax_loss does.",
        (in_model("loss", "loss, dscores = temporal_softmax_loss(scores, captions_out, mask)",
                "loss, dscores = temporal_softmax_loss(scores, captions_out, mask)\n"
                "        scale = captions.shape[0] / mask.sum()\n"
                "        loss, dscores = loss * scale, dscores * scale"),),
        also=("loss_lstm",)),
    Mistake(
        "cell_type_ignored", "loss_lstm",
        "The loss always runs the vanilla RNN, even for cell_type='lstm'.",
        "This is what the loss gives when cell_type is ignored: use lstm_forward / "
        "lstm_backward when self.cell_type == 'lstm'.",
        (in_model("loss", 'if self.cell_type == "rnn":\n            h, cell_cache',
                'if True:\n            h, cell_cache'),
         in_model("loss", 'if self.cell_type == "rnn":\n            dwords',
                'if True:\n            dwords'))),
    Mistake(
        "grads_key_misnamed", "loss_rnn",
        "The gradient of W_embed is stored under another key.",
        "This is what the loss gives when a gradient is stored under another name: grads must "
        "have exactly the keys of self.params (here 'W_embed').",
        (in_model("loss", 'grads["W_embed"] =', 'grads["dW_embed"] ='),),
        also=("loss_lstm",)),
    Mistake(
        "use_tanh_ignored_in_model", "sigmoid_variant",
        "CaptioningRNN.loss does not pass self.use_tanh to rnn_forward / rnn_backward.",
        "This is what CaptioningRNN.loss gives when self.use_tanh is not passed on: call "
        "rnn_forward and rnn_backward with use_tanh=self.use_tanh.",
        (in_model("loss", 'rnn_forward(words, h0, p["Wx"], p["Wh"], p["b"], self.use_tanh)',
                'rnn_forward(words, h0, p["Wx"], p["Wh"], p["b"])'),
         in_model("loss", "dh, cell_cache, self.use_tanh", "dh, cell_cache"))),
    Mistake(
        "dtype_ignored", "loss_rnn",
        "The constructor casts the parameters to float32 whatever dtype says.",
        "This is what CaptioningRNN gives when its dtype argument is ignored: cast every "
        "parameter with .astype(dtype).",
        (in_model("__init__", "value.astype(dtype)", "value.astype(np.float32)"),),
        also=("loss_lstm",)),
]
