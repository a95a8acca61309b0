"""Known mistakes of lstm_forward and lstm_backward over a whole sequence."""

from .mistake import Mistake
from .patches import in_layers

TITLE = "LSTM: a whole sequence"
MISTAKES = [
    Mistake(
        "lstm_c0_equals_h0", "lstm_forward",
        "lstm_forward starts the cell state from h0 instead of zero.",
        "This is what lstm_forward gives when the cell state starts at h0: the initial cell "
        "state is zero (only the hidden state starts at h0).",
        (in_layers("lstm_forward", "cs[0] = 0\n", "cs[0] = h0\n"),)),
    Mistake(
        "lstm_cell_not_carried", "lstm_forward",
        "Every step of lstm_forward starts from the initial (zero) cell state.",
        "This is what lstm_forward gives when the cell state is not carried: step t must start "
        "from the cell state of step t-1.",
        (in_layers("lstm_forward", "_lstm_cell(gates[t], cs[t],",
                     "_lstm_cell(gates[t], cs[0],"),)),
    Mistake(
        "lstm_h0_every_step", "lstm_forward",
        "lstm_forward feeds h0 into every step instead of the previous hidden state.",
        "This is what lstm_forward gives when every step starts from h0: step t must use the "
        "hidden state of step t-1.",
        (in_layers("lstm_forward", "np.matmul(hs[t], Wh, out=a)",
                     "np.matmul(hs[0], Wh, out=a)"),)),
    Mistake(
        "lstm_forward_h_and_c_swapped", "lstm_forward",
        "lstm_forward passes the cell state as prev_h and the hidden state as prev_c.",
        "This is what lstm_forward gives when prev_h and prev_c are swapped in the call: "
        "lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b) takes the hidden state first.",
        (in_layers("lstm_forward", "np.matmul(hs[t], Wh, out=a)", "np.matmul(cs[t], Wh, out=a)"),
         in_layers("lstm_forward", "_lstm_cell(gates[t], cs[t],",
                     "_lstm_cell(gates[t], hs[t],"))),
    Mistake(
        "lstm_no_carried_dh", "lstm_backward",
        "lstm_backward ignores the hidden-state gradient carried back from step t+1.",
        "This is what lstm_backward gives when the gradient from step t+1 is not added to "
        "dh[:, t]: each hidden state also feeds the next step.",
        (in_layers("lstm_backward", "np.add(dh[:, t], dprev_hT.T, out=dnext_h)",
                     "np.add(dh[:, t], 0, out=dnext_h)"),)),
    Mistake(
        "lstm_no_carried_dc", "lstm_backward",
        "lstm_backward does not pass the cell state's gradient from step t+1 to step t.",
        "This is what lstm_backward gives when the cell-state gradient is not carried: "
        "dprev_c of step t+1 is the dnext_c of step t.",
        (in_layers("lstm_backward", "dc += scratch", "dc[...] = scratch"),)),
    Mistake(
        "lstm_weight_grads_overwritten", "lstm_backward",
        "The LSTM's dWx, dWh and db are overwritten at every step, leaving step 0's share.",
        "This is what lstm_backward gives when dWx, dWh and db are overwritten instead of "
        "accumulated: the weights are shared by all steps, so their gradients add up (+=).",
        (in_layers("lstm_backward", "dWx = x_tm.reshape(T * N, D).T @ da_flat",
                     "dWx = x_tm[0].T @ da[0]"),
         in_layers("lstm_backward", "dWh = hs[:-1].reshape(T * N, H).T @ da_flat",
                     "dWh = hs[0].T @ da[0]"),
         in_layers("lstm_backward", "db = da_flat.sum(axis=0)", "db = da[0].sum(axis=0)"))),
    Mistake(
        "lstm_dh0_from_dh", "lstm_backward",
        "The LSTM's dh0 is taken from the upstream dh[:, 0].",
        "This is what lstm_backward gives when dh0 is taken from dh[:, 0]: dh0 is the gradient "
        "that step 0 passes back to its previous hidden state.",
        (in_layers("lstm_backward", "return dx, np.ascontiguousarray(dprev_hT.T), dWx, dWh, db",
                     "return dx, dh[:, 0].copy(), dWx, dWh, db"),)),
]
