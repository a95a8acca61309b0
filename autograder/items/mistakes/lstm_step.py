"""Known mistakes of the LSTM's single step: its gates, forward and backward."""

from .mistake import Mistake
from .patches import in_layers

TITLE = "LSTM: one step"
MISTAKES = [
    Mistake(
        "lstm_gate_order", "lstm_step_forward",
        "The blocks of the pre-activation are read as i, f, g, o instead of i, f, o, g.",
        "This is what the LSTM gives with its gates out of order: the blocks of "
        "a = x @ Wx + prev_h @ Wh + b are i, f, o, g, in that order.",
        (in_layers("_lstm_cell", "i, f, o, g = gates", "i, f, g, o = gates"),),
        also=("lstm_forward",)),
    Mistake(
        "lstm_g_sigmoid", "lstm_step_forward",
        "The candidate g goes through a sigmoid instead of tanh.",
        "This is what the LSTM gives when the candidate g uses a sigmoid: i, f and o are "
        "sigmoids, g is a tanh.",
        (in_layers("_lstm_cell", "np.tanh(gates[3], out=gates[3])", "_sigmoid_(gates[3])"),),
        also=("lstm_forward",)),
    Mistake(
        "lstm_h_without_tanh", "lstm_step_forward",
        "next_h = o * next_c, without the tanh.",
        "This is what the LSTM gives when next_h = o * next_c: the cell state goes through a "
        "tanh first, next_h = o * tanh(next_c).",
        (in_layers("_lstm_cell", "np.multiply(o, tanh_c, out=next_h)",
                     "np.multiply(o, next_c, out=next_h)"),),
        also=("lstm_forward",)),
    Mistake(
        "lstm_dc_missing_h_path", "lstm_step_backward",
        "The cell state's gradient is dnext_c alone, without the path through next_h.",
        "This is what the LSTM backward pass gives when next_c only receives dnext_c: it also "
        "feeds next_h = o * tanh(next_c), so add dnext_h * o * (1 - tanh(next_c)**2).",
        (in_layers("_lstm_gates_backward", "dc = dnext_c + dnext_h * o * (1 - tanh_c * tanh_c)",
                     "dc = dnext_c"),
         in_layers("lstm_backward", "dc += scratch", "pass")),
        also=("lstm_backward",)),
    Mistake(
        "lstm_df_from_next_c", "lstm_step_backward",
        "The forget gate's gradient uses next_c where it needs prev_c.",
        "This is what the LSTM backward pass gives when the forget gate's gradient uses next_c: "
        "f multiplies prev_c, so df = dc * prev_c.",
        (in_layers("_lstm_gates_backward", "da[:, H : 2 * H] = dc * prev_c * f * (1 - f)",
                     "da[:, H : 2 * H] = dc * (f * prev_c + i * g) * f * (1 - f)"),
         in_layers("lstm_backward", "d_f *= cs[t]", "d_f *= cs[t + 1]")),
        also=("lstm_backward",)),
    Mistake(
        "lstm_dprev_c_missing_f", "lstm_step_backward",
        "dprev_c = dc, without the factor f.",
        "This is what the LSTM backward pass gives when dprev_c misses its factor f: "
        "next_c = f * prev_c + i * g, so dprev_c = dc * f.",
        (in_layers("_lstm_gates_backward", "return da, dc * f", "return da, dc"),
         in_layers("lstm_backward", "dc *= f", "pass")),
        also=("lstm_backward",)),
    Mistake(
        "lstm_do_from_dc", "lstm_step_backward",
        "The output gate's gradient uses the cell state's gradient dc instead of dnext_h.",
        "This is what the LSTM backward pass gives when the output gate's gradient uses dc: "
        "o only enters next_h = o * tanh(next_c), so do = dnext_h * tanh(next_c).",
        (in_layers("_lstm_gates_backward",
                     "da[:, 2 * H : 3 * H] = dnext_h * tanh_c * o * (1 - o)",
                     "da[:, 2 * H : 3 * H] = dc * tanh_c * o * (1 - o)"),)),
    Mistake(
        "lstm_db_mean", "lstm_step_backward",
        "The LSTM's db averages over the minibatch instead of summing.",
        "This is what the LSTM's db gives when the minibatch is averaged (mean) instead of "
        "summed: db = da.sum(axis=0).",
        (in_layers("lstm_step_backward", "db = da.sum(axis=0)", "db = da.mean(axis=0)"),
         in_layers("lstm_backward", "db = da_flat.sum(axis=0)", "db = da_flat.mean(axis=0) * T")),
        also=("lstm_backward",)),
]
