"""Known mistakes of the vanilla RNN's single step: forward, backward and the use_tanh flag."""

from .mistake import Mistake
from .patches import in_layers

TITLE = "Vanilla RNN: one step"
MISTAKES = [
    Mistake(
        "rnn_step_no_bias", "rnn_step_forward",
        "rnn_step_forward leaves the bias b out of the pre-activation.",
        "This is what rnn_step_forward gives when the bias is left out: "
        "next_h = act(x @ Wx + prev_h @ Wh + b) needs the + b.",
        (in_layers("rnn_step_forward", "x @ Wx + prev_h @ Wh + b", "x @ Wx + prev_h @ Wh"),),
        also=("sample_rnn",)),
    Mistake(
        "tanh_grad_of_preactivation", "rnn_step_backward",
        "The tanh derivative 1 - a**2 is taken of the pre-activation a instead of the output.",
        "This is what the RNN backward pass gives when the tanh derivative 1 - a**2 is taken of "
        "the pre-activation a; it must be 1 - next_h**2, from the output next_h = tanh(a).",
        (in_layers("rnn_step_backward", "_activation_grad(next_h, use_tanh)",
                     "_activation_grad(np.arctanh(next_h), use_tanh)"),
         in_layers("rnn_backward", "_activation_grad(hs[1:], use_tanh)",
                     "_activation_grad(np.arctanh(hs[1:]), use_tanh)")),
        also=("rnn_backward",)),
    Mistake(
        "tanh_reapplied_in_grad", "rnn_step_backward",
        "The tanh derivative applies tanh once more to the output: 1 - tanh(next_h)**2.",
        "This is what the RNN backward pass gives when tanh is applied again to the output: "
        "next_h already is tanh(a), so the derivative is 1 - next_h**2, not 1 - tanh(next_h)**2.",
        (in_layers("rnn_step_backward", "_activation_grad(next_h, use_tanh)",
                     "_activation_grad(np.tanh(next_h), use_tanh)"),
         in_layers("rnn_backward", "_activation_grad(hs[1:], use_tanh)",
                     "_activation_grad(np.tanh(hs[1:]), use_tanh)")),
        also=("rnn_backward",)),
    Mistake(
        "dWh_transposed", "rnn_step_backward",
        "dWh is computed as da.T @ prev_h, the transpose of prev_h.T @ da (square: shape passes).",
        "This is what dWh looks like transposed: Wh maps prev_h (rows) to the pre-activation "
        "(columns), so dWh = prev_h.T @ da, not da.T @ prev_h.",
        (in_layers("rnn_step_backward", "dWh = prev_h.T @ da", "dWh = da.T @ prev_h"),
         in_layers("rnn_backward", "dWh = hs[:-1].reshape(T * N, H).T @ da_flat",
                     "dWh = da_flat.T @ hs[:-1].reshape(T * N, H)")),
        also=("rnn_backward",)),
    Mistake(
        "db_wrong_axis", "rnn_step_backward",
        "db sums over the hidden units instead of over the minibatch.",
        "This is what db gives when it is summed over the wrong axis: the bias is shared by "
        "every example, so db = da.sum(axis=0), of shape (H,).",
        (in_layers("rnn_step_backward", "db = da.sum(axis=0)", "db = da.sum(axis=1)"),
         in_layers("rnn_backward", "db = da_flat.sum(axis=0)", "db = da_flat.sum(axis=1)")),
        also=("rnn_backward",)),
    Mistake(
        "db_mean", "rnn_step_backward",
        "db averages over the minibatch instead of summing.",
        "This is what db gives when the minibatch is averaged (mean) instead of summed: the "
        "loss already holds the 1/N, so db = da.sum(axis=0).",
        (in_layers("rnn_step_backward", "db = da.sum(axis=0)", "db = da.mean(axis=0)"),
         in_layers("rnn_backward", "db = da_flat.sum(axis=0)", "db = da_flat.mean(axis=0) * T")),
        also=("rnn_backward",)),
    Mistake(
        "rnn_activation_flag_inverted", "sigmoid_variant",
        "use_tanh is read the wrong way round: sigmoid when True, tanh when False.",
        "This is what you get with the use_tanh flag inverted: use_tanh=True means tanh, "
        "use_tanh=False the logistic sigmoid.",
        (in_layers("_activate_", "np.tanh(a, out=a) if use_tanh else _sigmoid_(a)",
                     "_sigmoid_(a) if use_tanh else np.tanh(a, out=a)"),
         in_layers("_activation_grad", "if use_tanh:", "if not use_tanh:")),
        also=("rnn_step_forward", "rnn_forward", "rnn_step_backward", "rnn_backward", "loss_rnn",
              "sample_rnn")),
    Mistake(
        "use_tanh_ignored_in_backward", "sigmoid_variant",
        "The RNN backward passes always use the tanh derivative, whatever use_tanh says.",
        "This is what the backward pass gives when it ignores use_tanh: with use_tanh=False the "
        "derivative of the sigmoid is s * (1 - s), from its output s.",
        (in_layers("rnn_step_backward", "_activation_grad(next_h, use_tanh)",
                     "_activation_grad(next_h, True)"),
         in_layers("rnn_backward", "_activation_grad(hs[1:], use_tanh)",
                     "_activation_grad(hs[1:], True)"))),
]
