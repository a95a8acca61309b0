"""Mistakes students really make, as small mutations of the reference solution.

Each :class:`Mistake` is a source patch of ``solutions/rnn_layers.py`` or
``solutions/classifiers/rnn.py`` (an exact text replacement inside a named
function) with the item it must cost points in and a hint in the voice of a
TA. When a student's output misses, the item graders run the mutated
references on the same inputs and show the hint of the one the output
matches. The project's mutation tests grade every mutant and require the
point loss and the hint.
"""

import ast
from dataclasses import dataclass

from . import config, paths
from .names import LAYERS_FILE, MODEL_FILE, STUDENT_FILES


class PatchError(ValueError):
    """A mistake's patch does not apply to the reference any more; the message says where."""


@dataclass(frozen=True)
class Patch:
    """Replace ``old`` by ``new`` inside one function of a student file.

    Attributes
    ----------
    file : str
        ``"rnn_layers.py"`` or ``"classifiers/rnn.py"``.
    function : str
        Qualified name of the function, e.g. ``"rnn_backward"`` or ``"CaptioningRNN.loss"``.
    old : str
        Text that occurs exactly once in the function's source.
    new : str
    """

    file: str
    function: str
    old: str
    new: str


@dataclass(frozen=True)
class Mistake:
    """A known mistake.

    Attributes
    ----------
    name : str
        Slug, unique in the catalogue.
    item : str
        The item of grading.toml it must cost points in.
    description : str
        What the mutated code does, for staff.
    hint : str
        One sentence for the student, naming the mistake.
    patch : tuple of Patch
    also : tuple of str
        Other items it costs points in.
    """

    name: str
    item: str
    description: str
    hint: str
    patch: tuple
    also: tuple = ()


def _function_span(tree, qualified):
    """``(first, last)`` line (1-based) of a function's or method's code after its docstring."""
    scope = tree.body
    *classes, function = qualified.split(".")
    for name in classes:
        scope = next((node.body for node in scope
                      if isinstance(node, ast.ClassDef) and node.name == name), [])
    for node in scope:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            body = node.body
            documented = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            first = body[1] if documented and len(body) > 1 else body[0]
            return first.lineno, node.end_lineno
    return None


def apply_patch(source, patch, mistake_name="?"):
    """Apply one patch to the text of a student file.

    Parameters
    ----------
    source : str
    patch : Patch
    mistake_name : str
        For the message.

    Returns
    -------
    str

    Raises
    ------
    PatchError
        When the function is missing or ``old`` does not occur exactly once in it.
    """
    span = _function_span(ast.parse(source), patch.function)
    where = f"mistake {mistake_name!r}: {patch.file}, {patch.function}()"
    if span is None:
        raise PatchError(f"{where} is not in the reference any more; update the mistake's patch "
                         "in autograder/mistakes.py")
    lines = source.splitlines(keepends=True)
    before, body, after = (lines[: span[0] - 1], "".join(lines[span[0] - 1 : span[1]]),
                           lines[span[1] :])
    count = body.count(patch.old)
    if count != 1:
        raise PatchError(f"{where}: the text to replace occurs {count} times instead of once; "
                         f"the reference changed, so update the patch in autograder/mistakes.py:\n"
                         f"{patch.old}")
    return "".join(before) + body.replace(patch.old, patch.new) + "".join(after)


def reference_sources():
    """The reference's student files: ``{'rnn_layers.py': text, 'classifiers/rnn.py': text}``."""
    return {name: (paths.SOLUTIONS_DIR / name).read_text(encoding="utf-8")
            for name in STUDENT_FILES}


def mutated_sources(mistake):
    """The reference's student files with a mistake applied.

    Parameters
    ----------
    mistake : Mistake

    Returns
    -------
    dict of str to str
        ``{'rnn_layers.py': text, 'classifiers/rnn.py': text}``, valid student files.

    Raises
    ------
    PatchError
    """
    sources = reference_sources()
    for patch in mistake.patch:
        sources[patch.file] = apply_patch(sources[patch.file], patch, mistake.name)
    return sources


def ordered_for(item):
    """The catalogue with the mistakes of ``item`` first, then those that also cost it points.

    Parameters
    ----------
    item : str

    Returns
    -------
    list of Mistake
    """
    def rank(mistake):
        return 0 if mistake.item == item else 1 if item in mistake.also else 2
    return sorted(MISTAKES, key=rank)


def _rnn_layers(function, old, new):
    """A patch of a function of rnn_layers.py."""
    return Patch(LAYERS_FILE, function, old, new)


def _model(method, old, new):
    """A patch of a method of CaptioningRNN in classifiers/rnn.py."""
    return Patch(MODEL_FILE, f"CaptioningRNN.{method}", old, new)


MISTAKES = [
    # --- vanilla RNN: step -------------------------------------------------------------
    Mistake(
        "rnn_step_no_bias", "rnn_step_forward",
        "rnn_step_forward leaves the bias b out of the pre-activation.",
        "This is what rnn_step_forward gives when the bias is left out: "
        "next_h = act(x @ Wx + prev_h @ Wh + b) needs the + b.",
        (_rnn_layers("rnn_step_forward", "x @ Wx + prev_h @ Wh + b", "x @ Wx + prev_h @ Wh"),),
        also=("sample_rnn",)),
    Mistake(
        "tanh_grad_of_preactivation", "rnn_step_backward",
        "The tanh derivative 1 - a**2 is taken of the pre-activation a instead of the output.",
        "This is what the RNN backward pass gives when the tanh derivative 1 - a**2 is taken of "
        "the pre-activation a; it must be 1 - next_h**2, from the output next_h = tanh(a).",
        (_rnn_layers("rnn_step_backward", "_activation_grad(next_h, use_tanh)",
                     "_activation_grad(np.arctanh(next_h), use_tanh)"),
         _rnn_layers("rnn_backward", "_activation_grad(hs[1:], use_tanh)",
                     "_activation_grad(np.arctanh(hs[1:]), use_tanh)")),
        also=("rnn_backward",)),
    Mistake(
        "tanh_reapplied_in_grad", "rnn_step_backward",
        "The tanh derivative applies tanh once more to the output: 1 - tanh(next_h)**2.",
        "This is what the RNN backward pass gives when tanh is applied again to the output: "
        "next_h already is tanh(a), so the derivative is 1 - next_h**2, not 1 - tanh(next_h)**2.",
        (_rnn_layers("rnn_step_backward", "_activation_grad(next_h, use_tanh)",
                     "_activation_grad(np.tanh(next_h), use_tanh)"),
         _rnn_layers("rnn_backward", "_activation_grad(hs[1:], use_tanh)",
                     "_activation_grad(np.tanh(hs[1:]), use_tanh)")),
        also=("rnn_backward",)),
    Mistake(
        "dWh_transposed", "rnn_step_backward",
        "dWh is computed as da.T @ prev_h, the transpose of prev_h.T @ da (square: shape passes).",
        "This is what dWh looks like transposed: Wh maps prev_h (rows) to the pre-activation "
        "(columns), so dWh = prev_h.T @ da, not da.T @ prev_h.",
        (_rnn_layers("rnn_step_backward", "dWh = prev_h.T @ da", "dWh = da.T @ prev_h"),
         _rnn_layers("rnn_backward", "dWh = hs[:-1].reshape(T * N, H).T @ da_flat",
                     "dWh = da_flat.T @ hs[:-1].reshape(T * N, H)")),
        also=("rnn_backward",)),
    Mistake(
        "db_wrong_axis", "rnn_step_backward",
        "db sums over the hidden units instead of over the minibatch.",
        "This is what db gives when it is summed over the wrong axis: the bias is shared by "
        "every example, so db = da.sum(axis=0), of shape (H,).",
        (_rnn_layers("rnn_step_backward", "db = da.sum(axis=0)", "db = da.sum(axis=1)"),
         _rnn_layers("rnn_backward", "db = da_flat.sum(axis=0)", "db = da_flat.sum(axis=1)")),
        also=("rnn_backward",)),
    Mistake(
        "db_mean", "rnn_step_backward",
        "db averages over the minibatch instead of summing.",
        "This is what db gives when the minibatch is averaged (mean) instead of summed: the "
        "loss already holds the 1/N, so db = da.sum(axis=0).",
        (_rnn_layers("rnn_step_backward", "db = da.sum(axis=0)", "db = da.mean(axis=0)"),
         _rnn_layers("rnn_backward", "db = da_flat.sum(axis=0)", "db = da_flat.mean(axis=0) * T")),
        also=("rnn_backward",)),
    Mistake(
        "rnn_activation_flag_inverted", "sigmoid_variant",
        "use_tanh is read the wrong way round: sigmoid when True, tanh when False.",
        "This is what you get with the use_tanh flag inverted: use_tanh=True means tanh, "
        "use_tanh=False the logistic sigmoid.",
        (_rnn_layers("_activate_", "np.tanh(a, out=a) if use_tanh else _sigmoid_(a)",
                     "_sigmoid_(a) if use_tanh else np.tanh(a, out=a)"),
         _rnn_layers("_activation_grad", "if use_tanh:", "if not use_tanh:")),
        also=("rnn_step_forward", "rnn_forward", "rnn_step_backward", "rnn_backward", "loss_rnn",
              "sample_rnn")),
    Mistake(
        "use_tanh_ignored_in_backward", "sigmoid_variant",
        "The RNN backward passes always use the tanh derivative, whatever use_tanh says.",
        "This is what the backward pass gives when it ignores use_tanh: with use_tanh=False the "
        "derivative of the sigmoid is s * (1 - s), from its output s.",
        (_rnn_layers("rnn_step_backward", "_activation_grad(next_h, use_tanh)",
                     "_activation_grad(next_h, True)"),
         _rnn_layers("rnn_backward", "_activation_grad(hs[1:], use_tanh)",
                     "_activation_grad(hs[1:], True)"))),
    # --- vanilla RNN: sequence -----------------------------------------------------------
    Mistake(
        "rnn_h0_every_step", "rnn_forward",
        "rnn_forward feeds h0 into every step instead of the previous step's hidden state.",
        "This is what rnn_forward gives when every step starts from h0: step t must use the "
        "hidden state of step t-1 (h0 only for the first step).",
        (_rnn_layers("rnn_forward", "np.matmul(hs[t], Wh, out=hWh)",
                     "np.matmul(hs[0], Wh, out=hWh)"),)),
    Mistake(
        "rnn_forward_last_state_only", "rnn_forward",
        "rnn_forward returns only the last hidden state, (N, H), instead of all of them.",
        "This is what rnn_forward gives when it returns only the last hidden state: h must hold "
        "every step's state, shape (N, T, H).",
        (_rnn_layers("rnn_forward", "h = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))",
                     "h = hs[-1].copy()"),)),
    Mistake(
        "no_carried_gradient", "rnn_backward",
        "rnn_backward ignores the gradient carried back from step t+1.",
        "This is what rnn_backward gives when the gradient from step t+1 is not added to "
        "dh[:, t]: each hidden state also feeds the next step.",
        (_rnn_layers("rnn_backward", "np.add(dh[:, t], dprev_hT.T, out=dnext_h)",
                     "np.add(dh[:, t], 0, out=dnext_h)"),),
        also=("loss_rnn", "overfit_rnn")),
    Mistake(
        "carried_gradient_added_twice", "rnn_backward",
        "The carried gradient is written into the caller's dh in place and then added again.",
        "This is what rnn_backward gives when the gradient from step t+1 is counted twice, e.g. "
        "added into dh[:, t] in place and then added again; add it once, and better not write "
        "into the caller's dh at all.",
        (_rnn_layers("rnn_backward", "np.add(dh[:, t], dprev_hT.T, out=dnext_h)",
                     "dh[:, t] += dprev_hT.T\n"
                     "        np.add(dh[:, t], dprev_hT.T, out=dnext_h)"),)),
    Mistake(
        "rnn_weight_grads_overwritten", "rnn_backward",
        "dWx, dWh and db are overwritten at every step, so only step 0's share is left.",
        "This is what rnn_backward gives when dWx, dWh and db are overwritten instead of "
        "accumulated: the weights are shared by all steps, so their gradients add up (+=).",
        (_rnn_layers("rnn_backward", "dWx = x_tm.reshape(T * N, D).T @ da_flat",
                     "dWx = x_tm[0].T @ da[0]"),
         _rnn_layers("rnn_backward", "dWh = hs[:-1].reshape(T * N, H).T @ da_flat",
                     "dWh = hs[0].T @ da[0]"),
         _rnn_layers("rnn_backward", "db = da_flat.sum(axis=0)", "db = da[0].sum(axis=0)")),
        also=("loss_rnn",)),
    Mistake(
        "rnn_backward_wrong_direction", "rnn_backward",
        "rnn_backward walks the time steps forwards.",
        "This is what rnn_backward gives when its loop runs forwards in time: gradients flow "
        "from the last step to the first, so loop t = T-1, ..., 0.",
        (_rnn_layers("rnn_backward", "for t in range(T - 1, -1, -1):", "for t in range(T):"),)),
    Mistake(
        "dh0_from_dh", "rnn_backward",
        "dh0 is taken from the upstream dh[:, 0] instead of the gradient passed back from step 0.",
        "This is what rnn_backward gives when dh0 is taken from dh[:, 0]: dh0 is the gradient "
        "that step 0 passes back to its previous state, dprev_h after the loop.",
        (_rnn_layers("rnn_backward", "return dx, np.ascontiguousarray(dprev_hT.T), dWx, dWh, db",
                     "return dx, dh[:, 0].copy(), dWx, dWh, db"),)),
    # --- word embedding ------------------------------------------------------------------
    Mistake(
        "embedding_forward_reshaped", "word_embedding_forward",
        "The word vectors are looked up time-major and reshaped (not transposed) to (N, T, D).",
        "This is what word_embedding_forward gives when W[x] is reshaped instead of indexed "
        "directly: out[n, t] must be W[x[n, t]], which is simply W[x].",
        (_rnn_layers("word_embedding_forward", "out = W[x]",
                     "out = W[x.T].reshape(x.shape[0], x.shape[1], -1)"),)),
    Mistake(
        "embedding_repeats_dropped", "word_embedding_backward",
        "dW[x] += dout: with fancy indexing, a repeated word receives only one of its gradients.",
        "This is what dW[x] += dout gives: a word that occurs several times keeps only one of its "
        "gradients; use np.add.at(dW, x, dout) to add them all.",
        (_rnn_layers("word_embedding_backward",
                     "dW[words[starts]] = np.add.reduceat(rows, starts, axis=0)",
                     "dW[words] += rows"),),
        also=("loss_rnn", "loss_lstm")),
    Mistake(
        "embedding_last_step_only", "word_embedding_backward",
        "dW takes only the gradient of the last time step.",
        "This is what word_embedding_backward gives when only one time step reaches dW: add "
        "the gradient of every (n, t) position into its word's row.",
        (_rnn_layers("word_embedding_backward", "words = x.reshape(-1)", "words = x[:, -1]"),
         _rnn_layers("word_embedding_backward", "rows = dout.reshape(-1, shape[1])[order]",
                     "rows = dout[:, -1][order]"))),
    # --- LSTM: step ------------------------------------------------------------------------
    Mistake(
        "lstm_gate_order", "lstm_step_forward",
        "The blocks of the pre-activation are read as i, f, g, o instead of i, f, o, g.",
        "This is what the LSTM gives with its gates out of order: the blocks of "
        "a = x @ Wx + prev_h @ Wh + b are i, f, o, g, in that order.",
        (_rnn_layers("_lstm_cell", "i, f, o, g = gates", "i, f, g, o = gates"),),
        also=("lstm_forward",)),
    Mistake(
        "lstm_g_sigmoid", "lstm_step_forward",
        "The candidate g goes through a sigmoid instead of tanh.",
        "This is what the LSTM gives when the candidate g uses a sigmoid: i, f and o are "
        "sigmoids, g is a tanh.",
        (_rnn_layers("_lstm_cell", "np.tanh(gates[3], out=gates[3])", "_sigmoid_(gates[3])"),),
        also=("lstm_forward",)),
    Mistake(
        "lstm_h_without_tanh", "lstm_step_forward",
        "next_h = o * next_c, without the tanh.",
        "This is what the LSTM gives when next_h = o * next_c: the cell state goes through a "
        "tanh first, next_h = o * tanh(next_c).",
        (_rnn_layers("_lstm_cell", "np.multiply(o, tanh_c, out=next_h)",
                     "np.multiply(o, next_c, out=next_h)"),),
        also=("lstm_forward",)),
    Mistake(
        "lstm_dc_missing_h_path", "lstm_step_backward",
        "The cell state's gradient is dnext_c alone, without the path through next_h.",
        "This is what the LSTM backward pass gives when next_c only receives dnext_c: it also "
        "feeds next_h = o * tanh(next_c), so add dnext_h * o * (1 - tanh(next_c)**2).",
        (_rnn_layers("_lstm_gates_backward", "dc = dnext_c + dnext_h * o * (1 - tanh_c * tanh_c)",
                     "dc = dnext_c"),
         _rnn_layers("lstm_backward", "dc += scratch", "pass")),
        also=("lstm_backward",)),
    Mistake(
        "lstm_df_from_next_c", "lstm_step_backward",
        "The forget gate's gradient uses next_c where it needs prev_c.",
        "This is what the LSTM backward pass gives when the forget gate's gradient uses next_c: "
        "f multiplies prev_c, so df = dc * prev_c.",
        (_rnn_layers("_lstm_gates_backward", "da[:, H : 2 * H] = dc * prev_c * f * (1 - f)",
                     "da[:, H : 2 * H] = dc * (f * prev_c + i * g) * f * (1 - f)"),
         _rnn_layers("lstm_backward", "d_f *= cs[t]", "d_f *= cs[t + 1]")),
        also=("lstm_backward",)),
    Mistake(
        "lstm_dprev_c_missing_f", "lstm_step_backward",
        "dprev_c = dc, without the factor f.",
        "This is what the LSTM backward pass gives when dprev_c misses its factor f: "
        "next_c = f * prev_c + i * g, so dprev_c = dc * f.",
        (_rnn_layers("_lstm_gates_backward", "return da, dc * f", "return da, dc"),
         _rnn_layers("lstm_backward", "dc *= f", "pass")),
        also=("lstm_backward",)),
    Mistake(
        "lstm_do_from_dc", "lstm_step_backward",
        "The output gate's gradient uses the cell state's gradient dc instead of dnext_h.",
        "This is what the LSTM backward pass gives when the output gate's gradient uses dc: "
        "o only enters next_h = o * tanh(next_c), so do = dnext_h * tanh(next_c).",
        (_rnn_layers("_lstm_gates_backward",
                     "da[:, 2 * H : 3 * H] = dnext_h * tanh_c * o * (1 - o)",
                     "da[:, 2 * H : 3 * H] = dc * tanh_c * o * (1 - o)"),)),
    Mistake(
        "lstm_db_mean", "lstm_step_backward",
        "The LSTM's db averages over the minibatch instead of summing.",
        "This is what the LSTM's db gives when the minibatch is averaged (mean) instead of "
        "summed: db = da.sum(axis=0).",
        (_rnn_layers("lstm_step_backward", "db = da.sum(axis=0)", "db = da.mean(axis=0)"),
         _rnn_layers("lstm_backward", "db = da_flat.sum(axis=0)", "db = da_flat.mean(axis=0) * T")),
        also=("lstm_backward",)),
    # --- LSTM: sequence --------------------------------------------------------------------
    Mistake(
        "lstm_c0_equals_h0", "lstm_forward",
        "lstm_forward starts the cell state from h0 instead of zero.",
        "This is what lstm_forward gives when the cell state starts at h0: the initial cell "
        "state is zero (only the hidden state starts at h0).",
        (_rnn_layers("lstm_forward", "cs[0] = 0\n", "cs[0] = h0\n"),)),
    Mistake(
        "lstm_cell_not_carried", "lstm_forward",
        "Every step of lstm_forward starts from the initial (zero) cell state.",
        "This is what lstm_forward gives when the cell state is not carried: step t must start "
        "from the cell state of step t-1.",
        (_rnn_layers("lstm_forward", "_lstm_cell(gates[t], cs[t],",
                     "_lstm_cell(gates[t], cs[0],"),)),
    Mistake(
        "lstm_h0_every_step", "lstm_forward",
        "lstm_forward feeds h0 into every step instead of the previous hidden state.",
        "This is what lstm_forward gives when every step starts from h0: step t must use the "
        "hidden state of step t-1.",
        (_rnn_layers("lstm_forward", "np.matmul(hs[t], Wh, out=a)",
                     "np.matmul(hs[0], Wh, out=a)"),)),
    Mistake(
        "lstm_forward_h_and_c_swapped", "lstm_forward",
        "lstm_forward passes the cell state as prev_h and the hidden state as prev_c.",
        "This is what lstm_forward gives when prev_h and prev_c are swapped in the call: "
        "lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b) takes the hidden state first.",
        (_rnn_layers("lstm_forward", "np.matmul(hs[t], Wh, out=a)", "np.matmul(cs[t], Wh, out=a)"),
         _rnn_layers("lstm_forward", "_lstm_cell(gates[t], cs[t],",
                     "_lstm_cell(gates[t], hs[t],"))),
    Mistake(
        "lstm_no_carried_dh", "lstm_backward",
        "lstm_backward ignores the hidden-state gradient carried back from step t+1.",
        "This is what lstm_backward gives when the gradient from step t+1 is not added to "
        "dh[:, t]: each hidden state also feeds the next step.",
        (_rnn_layers("lstm_backward", "np.add(dh[:, t], dprev_hT.T, out=dnext_h)",
                     "np.add(dh[:, t], 0, out=dnext_h)"),)),
    Mistake(
        "lstm_no_carried_dc", "lstm_backward",
        "lstm_backward does not pass the cell state's gradient from step t+1 to step t.",
        "This is what lstm_backward gives when the cell-state gradient is not carried: "
        "dprev_c of step t+1 is the dnext_c of step t.",
        (_rnn_layers("lstm_backward", "dc += scratch", "dc[...] = scratch"),)),
    Mistake(
        "lstm_weight_grads_overwritten", "lstm_backward",
        "The LSTM's dWx, dWh and db are overwritten at every step, leaving step 0's share.",
        "This is what lstm_backward gives when dWx, dWh and db are overwritten instead of "
        "accumulated: the weights are shared by all steps, so their gradients add up (+=).",
        (_rnn_layers("lstm_backward", "dWx = x_tm.reshape(T * N, D).T @ da_flat",
                     "dWx = x_tm[0].T @ da[0]"),
         _rnn_layers("lstm_backward", "dWh = hs[:-1].reshape(T * N, H).T @ da_flat",
                     "dWh = hs[0].T @ da[0]"),
         _rnn_layers("lstm_backward", "db = da_flat.sum(axis=0)", "db = da[0].sum(axis=0)"))),
    Mistake(
        "lstm_dh0_from_dh", "lstm_backward",
        "The LSTM's dh0 is taken from the upstream dh[:, 0].",
        "This is what lstm_backward gives when dh0 is taken from dh[:, 0]: dh0 is the gradient "
        "that step 0 passes back to its previous hidden state.",
        (_rnn_layers("lstm_backward", "return dx, np.ascontiguousarray(dprev_hT.T), dWx, dWh, db",
                     "return dx, dh[:, 0].copy(), dWx, dWh, db"),)),
    # --- CaptioningRNN.loss --------------------------------------------------------------
    Mistake(
        "loss_mask_omitted", "loss_rnn",
        "The <NULL> padding is scored like real words (no mask).",
        "This is what the loss gives without the mask (26.898 on the published rnn check): "
        "targets equal to <NULL> are padding and must not count.",
        (_model("loss", "temporal_softmax_loss(scores, captions_out, mask)",
                "temporal_softmax_loss(scores, captions_out, np.ones_like(mask))"),),
        also=("loss_lstm",)),
    Mistake(
        "loss_mask_inverted", "loss_rnn",
        "The mask keeps the padding and drops the real words.",
        "This is what the loss gives with the mask inverted: count the targets that are not "
        "<NULL> (captions_out != self._null).",
        (_model("loss", "mask = captions_out != self._null", "mask = captions_out == self._null"),),
        also=("loss_lstm",)),
    Mistake(
        "caption_shift_off_by_one", "loss_rnn",
        "The targets are the input words themselves instead of the next words.",
        "This is what the loss gives with the captions shifted wrongly: the input is "
        "captions[:, :-1] and the target the next word, captions[:, 1:].",
        (_model("loss", "captions_out = captions[:, 1:]", "captions_out = captions[:, :-1]"),),
        also=("loss_lstm",)),
    Mistake(
        "h0_ignores_features", "loss_rnn",
        "The initial hidden state is zero: the image features are never used.",
        "This is what the loss gives when h0 does not come from the image: "
        "h0 = features @ W_proj + b_proj.",
        (_model("loss", 'h0, _ = affine_forward(features, p["W_proj"], p["b_proj"])',
                'h0 = np.zeros((features.shape[0], p["W_proj"].shape[1]), p["W_proj"].dtype)'),),
        also=("loss_lstm", "overfit_rnn", "overfit_lstm")),
    Mistake(
        "loss_divided_by_T", "loss_rnn",
        "The loss (and its gradient) is averaged over N*T instead of N.",
        "This is what the loss gives when it is divided by N*T: temporal_softmax_loss already "
        "averages over the minibatch N only; do not divide again by T.",
        (_model("loss", "loss, dscores = temporal_softmax_loss(scores, captions_out, mask)",
                "loss, dscores = temporal_softmax_loss(scores, captions_out, mask)\n"
                "        steps = captions_out.shape[1]\n"
                "        loss, dscores = loss / steps, dscores / steps"),),
        also=("loss_lstm",)),
    Mistake(
        "loss_divided_by_mask_sum", "loss_rnn",
        "The loss (and its gradient) is averaged over the unmasked words instead of N.",
        "This is what the loss gives when it is divided by mask.sum(): average over the "
        "minibatch N only, as temporal_softmax_loss does.",
        (_model("loss", "loss, dscores = temporal_softmax_loss(scores, captions_out, mask)",
                "loss, dscores = temporal_softmax_loss(scores, captions_out, mask)\n"
                "        scale = captions.shape[0] / mask.sum()\n"
                "        loss, dscores = loss * scale, dscores * scale"),),
        also=("loss_lstm",)),
    Mistake(
        "cell_type_ignored", "loss_lstm",
        "The loss always runs the vanilla RNN, even for cell_type='lstm'.",
        "This is what the loss gives when cell_type is ignored: use lstm_forward / "
        "lstm_backward when self.cell_type == 'lstm'.",
        (_model("loss", 'if self.cell_type == "rnn":\n            h, cell_cache',
                'if True:\n            h, cell_cache'),
         _model("loss", 'if self.cell_type == "rnn":\n            dwords',
                'if True:\n            dwords'))),
    Mistake(
        "grads_key_misnamed", "loss_rnn",
        "The gradient of W_embed is stored under another key.",
        "This is what the loss gives when a gradient is stored under another name: grads must "
        "have exactly the keys of self.params (here 'W_embed').",
        (_model("loss", 'grads["W_embed"] =', 'grads["dW_embed"] ='),),
        also=("loss_lstm",)),
    Mistake(
        "use_tanh_ignored_in_model", "sigmoid_variant",
        "CaptioningRNN.loss does not pass self.use_tanh to rnn_forward / rnn_backward.",
        "This is what CaptioningRNN.loss gives when self.use_tanh is not passed on: call "
        "rnn_forward and rnn_backward with use_tanh=self.use_tanh.",
        (_model("loss", 'rnn_forward(words, h0, p["Wx"], p["Wh"], p["b"], self.use_tanh)',
                'rnn_forward(words, h0, p["Wx"], p["Wh"], p["b"])'),
         _model("loss", "dh, cell_cache, self.use_tanh", "dh, cell_cache"))),
    Mistake(
        "dtype_ignored", "loss_rnn",
        "The constructor casts the parameters to float32 whatever dtype says.",
        "This is what CaptioningRNN gives when its dtype argument is ignored: cast every "
        "parameter with .astype(dtype).",
        (_model("__init__", "value.astype(dtype)", "value.astype(np.float32)"),),
        also=("loss_lstm",)),
    # --- CaptioningRNN.sample ------------------------------------------------------------
    Mistake(
        "sample_feeds_start", "sample_rnn",
        "Every step is fed <START> instead of the previous step's word.",
        "This is what sample gives when every step is fed <START>: feed back the word chosen "
        "at the previous step.",
        (_model("sample", 'x = p["W_embed"][words]', 'x = p["W_embed"][np.full(N, self._start)]'),),
        also=("sample_lstm",)),
    Mistake(
        "sample_start_in_column_0", "sample_rnn",
        "<START> is written into column 0 and the first generated word into column 1.",
        "This is what sample gives when <START> is written into the captions: column 0 is "
        "the first generated word.",
        (_model("sample", "for t in range(max_length):",
                "captions[:, 0] = self._start\n        for t in range(1, max_length):"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_words_from_column_1", "sample_rnn",
        "The generated words are written from column 1, leaving column 0 as <NULL>.",
        "This is what sample gives when the words are written from column 1: the first "
        "generated word goes into captions[:, 0].",
        (_model("sample", "for t in range(max_length):", "for t in range(1, max_length):"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_stops_one_step_early", "sample_rnn",
        "The sampling loop runs max_length - 1 steps, so the last column is never written.",
        "This is what sample gives when the loop stops one step early: generate max_length "
        "words, for t in range(max_length).",
        (_model("sample", "for t in range(max_length):", "for t in range(max_length - 1):"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_max_instead_of_argmax", "sample_rnn",
        "The next word is the highest score itself (np.max) instead of its index (np.argmax).",
        "This is what sample gives with np.max (or np.amax) where np.argmax is meant: the "
        "next word is the index of the highest score, not the score.",
        (_model("sample", "words = np.argmax(h @ p", "words = np.max(h @ p"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_scores_before_update", "sample_rnn",
        "The vocabulary scores come from the hidden state before the step's update.",
        "This is what sample gives when the scores are taken from the hidden state before "
        "the step: take the RNN/LSTM step first, then score its new hidden state.",
        (_model("sample", 'x = p["W_embed"][words]',
                'x = p["W_embed"][words]\n            scores = h @ p["W_vocab"] + p["b_vocab"]'),
         _model("sample", 'words = np.argmax(h @ p["W_vocab"] + p["b_vocab"], axis=1)',
                "words = np.argmax(scores, axis=1)")),
        also=("sample_lstm",)),
    Mistake(
        "sample_float_captions", "sample_rnn",
        "The captions array is floating point.",
        "This is what sample gives with a float array of captions: word indices are integers "
        "(e.g. np.full(..., self._null, dtype=np.int32)).",
        (_model("sample", "dtype=np.int32", "dtype=np.float64"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_stops_at_first_end", "sample_rnn",
        "Sampling stops for every caption as soon as one caption has produced <END>.",
        "This is what sample gives when it stops as soon as any caption ends: stop only "
        "when every caption has produced <END>.",
        (_model("sample", "if finished.all():", "if finished.any():"),),
        also=("sample_lstm",)),
    Mistake(
        "sample_ignores_features", "sample_rnn",
        "Sampling starts from a zero hidden state instead of the projected features.",
        "This is what sample gives when the image is ignored: the first hidden state is "
        "features @ W_proj + b_proj.",
        (_model("sample", 'h, _ = affine_forward(features, p["W_proj"], p["b_proj"])',
                'h = np.zeros((N, p["W_proj"].shape[1]), p["W_proj"].dtype)'),),
        also=("sample_lstm",)),
    Mistake(
        "sample_lstm_cell_reset", "sample_lstm",
        "The LSTM's cell state is reset to zero at every sampling step.",
        "This is what sample gives when the LSTM's cell state is not carried from step to "
        "step: keep next_c and pass it to the next step.",
        (_model("sample", "lstm_step_forward(x, h, c,",
                "lstm_step_forward(x, h, np.zeros_like(c),"),)),
    Mistake(
        "sample_lstm_h_and_c_swapped", "sample_lstm",
        "sample passes the cell state as prev_h and the hidden state as prev_c.",
        "This is what sample gives when prev_h and prev_c are swapped in the call: "
        "lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b) takes the hidden state first.",
        (_model("sample", "lstm_step_forward(x, h, c,", "lstm_step_forward(x, c, h,"),)),
    Mistake(
        "sample_lstm_cell_from_h0", "sample_lstm",
        "The LSTM's cell state starts from the projected features instead of zero.",
        "This is what sample gives when the LSTM's cell state starts from h0: it starts at zero.",
        (_model("sample", "c = np.zeros_like(h)", "c = h.copy()"),)),
    Mistake(
        "sample_cell_type_ignored", "sample_lstm",
        "sample always takes vanilla RNN steps, even for cell_type='lstm'.",
        "This is what sample gives when cell_type is ignored: take lstm_step_forward steps "
        "(carrying the cell state) when self.cell_type == 'lstm'.",
        (_model("sample", 'if self.cell_type == "rnn":', "if True:"),)),
]


def _validate(catalogue):
    """Unique names and known items; run at import so a typo cannot hide."""
    names = [mistake.name for mistake in catalogue]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    unknown = [(mistake.name, item) for mistake in catalogue
               for item in (mistake.item, *mistake.also) if item not in config.ITEMS]
    if duplicates or unknown:
        raise ValueError(f"mistake catalogue: duplicate names {duplicates}, "
                         f"unknown items {unknown}")


_validate(MISTAKES)
