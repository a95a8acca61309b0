"""Known mistakes of rnn_forward and rnn_backward over a whole sequence."""

from .mistake import Mistake
from .patches import in_layers

TITLE = "Vanilla RNN: a whole sequence"
MISTAKES = [
    Mistake(
        "rnn_h0_every_step", "rnn_forward",
        "rnn_forward feeds h0 into every step instead of the previous step's hidden state.",
        "This is what rnn_forward gives when every step starts from h0: step t must use the "
        "hidden state of step t-1 (h0 only for the first step).",
        (in_layers("rnn_forward", "np.matmul(hs[t], Wh, out=hWh)",
                     "np.matmul(hs[0], Wh, out=hWh)"),)),
    Mistake(
        "rnn_forward_last_state_only", "rnn_forward",
        "rnn_forward returns only the last hidden state, (N, H), instead of all of them.",
        "This is what rnn_forward gives when it returns only the last hidden state: h must hold "
        "every step's state, shape (N, T, H).",
        (in_layers("rnn_forward", "h = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))",
                     "h = hs[-1].copy()"),)),
    Mistake(
        "no_carried_gradient", "rnn_backward",
        "rnn_backward ignores the gradient carried back from step t+1.",
        "This is what rnn_backward gives when the gradient from step t+1 is not added to "
        "dh[:, t]: each hidden state also feeds the next step.",
        (in_layers("rnn_backward", "np.add(dh[:, t], dprev_hT.T, out=dnext_h)",
                     "np.add(dh[:, t], 0, out=dnext_h)"),),
        also=("loss_rnn", "overfit_rnn")),
    Mistake(
        "carried_gradient_added_twice", "rnn_backward",
        "The carried gradient is written into the caller's dh in place and then added again.",
        "This is what rnn_backward gives when the gradient from step t+1 is counted twice, e.g. "
        "added into dh[:, t] in place and then added again; add it once, and better not write "
        "into the caller's dh at all.",
        (in_layers("rnn_backward", "np.add(dh[:, t], dprev_hT.T, out=dnext_h)",
                     "dh[:, t] += dprev_hT.T\n"
                     "        np.add(dh[:, t], dprev_hT.T, out=dnext_h)"),)),
    Mistake(
        "rnn_weight_grads_overwritten", "rnn_backward",
        "dWx, dWh and db are overwritten at every step, so only step 0's share is left.",
        "This is what rnn_backward gives when dWx, dWh and db are overwritten instead of "
        "accumulated: the weights are shared by all steps, so their gradients add up (+=).",
        (in_layers("rnn_backward", "dWx = x_tm.reshape(T * N, D).T @ da_flat",
                     "dWx = x_tm[0].T @ da[0]"),
         in_layers("rnn_backward", "dWh = hs[:-1].reshape(T * N, H).T @ da_flat",
                     "dWh = hs[0].T @ da[0]"),
         in_layers("rnn_backward", "db = da_flat.sum(axis=0)", "db = da[0].sum(axis=0)")),
        also=("loss_rnn",)),
    Mistake(
        "rnn_backward_wrong_direction", "rnn_backward",
        "rnn_backward walks the time steps forwards.",
        "This is what rnn_backward gives when its loop runs forwards in time: gradients flow "
        "from the last step to the first, so loop t = T-1, ..., 0.",
        (in_layers("rnn_backward", "for t in range(T - 1, -1, -1):", "for t in range(T):"),)),
    Mistake(
        "dh0_from_dh", "rnn_backward",
        "dh0 is taken from the upstream dh[:, 0] instead of the gradient passed back from step 0.",
        "This is what rnn_backward gives when dh0 is taken from dh[:, 0]: dh0 is the gradient "
        "that step 0 passes back to its previous state, dprev_h after the loop.",
        (in_layers("rnn_backward", "return dx, np.ascontiguousarray(dprev_hT.T), dWx, dWh, db",
                     "return dx, dh[:, 0].copy(), dWx, dWh, db"),)),
]
