"""CaptioningRNN.loss for both cells, and the sigmoid variant of the vanilla RNN.

The student's model is built in the sandbox with float64 parameters, which
the grader then replaces with its own values (``set_params``), so the loss
and every gradient can be compared with the reference model's on the same
parameters. Gradients are looked up by the reference's parameter names: a
missing or misnamed key fails, named in the message.
"""

import numpy as np

from ..names import MODEL_MODULE
from . import classic, inputs, seeds
from .engine import REFERENCE, Case, Output
from .layers import LAYERS, backward_case, forward_case, sizes_text
from .student import Missing, OutputError, unpack

MODEL = f"{MODEL_MODULE}.CaptioningRNN"
LOSS_WEIGHT = 2.0
GRADIENT_WEIGHT = 1.0
CLASSIC_WEIGHT = 1.0
CONSTRUCTOR_WEIGHT = 1.0
VARIANT_WEIGHT = 1.0  # each check of sigmoid_variant


def constructor_kwargs(sizes, cell_type, **extra):
    """Keyword arguments of CaptioningRNN for float64 parameters.

    Parameters
    ----------
    sizes : dict of str to int
        Needs D (input), W (word vector) and H (hidden) sizes.
    cell_type : {'rnn', 'lstm'}
    **extra
        More keyword arguments, e.g. ``use_tanh=False``.

    Returns
    -------
    dict
    """
    return dict(input_dim=sizes["D"], wordvec_dim=sizes["W"], hidden_dim=sizes["H"],
                cell_type=cell_type, dtype=np.float64, **extra)


def reference_model(word_to_idx, kwargs, params):
    """The reference CaptioningRNN with the given parameters, in this process.

    Parameters
    ----------
    word_to_idx : dict of str to int
    kwargs : dict
        CaptioningRNN keyword arguments.
    params : dict of str to ndarray
        Values for its parameters (copied).

    Returns
    -------
    solutions.classifiers.rnn.CaptioningRNN
    """
    with seeds.global_random(0):  # the constructor draws from np.random
        model = REFERENCE.new(MODEL, word_to_idx, **kwargs)
    REFERENCE.set_params(model, params)
    return model


def param_shapes(word_to_idx, kwargs):
    """Shapes of the reference model's parameters.

    Parameters
    ----------
    word_to_idx : dict of str to int
    kwargs : dict
        CaptioningRNN keyword arguments.

    Returns
    -------
    dict of str to tuple of int
        In the reference's order of ``params``.
    """
    with seeds.global_random(0):  # the constructor draws from np.random
        model = REFERENCE.new(MODEL, word_to_idx, **kwargs)
    return {name: value.shape for name, value in model.params.items()}


def param_symbols(cell_type):
    """The parameters' shapes in size letters (docs/assignment.md), for messages."""
    gates = "4H" if cell_type == "lstm" else "H"
    return {"W_embed": ("V", "W"), "W_proj": ("D", "H"), "b_proj": ("H",), "Wx": ("W", gates),
            "Wh": ("H", gates), "b": (gates,), "W_vocab": ("H", "V"), "b_vocab": ("V",)}


def grad_name(name):
    """The output name of the gradient of parameter ``name``: ``grads['Wx']``."""
    return f"grads[{name!r}]"


def loss_program(runner, word_to_idx, kwargs, params, features, captions):
    """Build the model, set its parameters, return its loss and gradients by name.

    Parameters
    ----------
    runner : runner API
    word_to_idx : dict of str to int
    kwargs : dict
        CaptioningRNN keyword arguments.
    params : dict of str to ndarray
        Values for every parameter of the reference model.
    features : ndarray, shape (N, D)
    captions : ndarray of int, shape (N, T + 1)

    Returns
    -------
    dict
        ``loss`` (0-d array) and ``grads['<name>']`` for every name of ``params``
        (a :class:`Missing` when the student's grads lack it).

    Raises
    ------
    OutputError
        When loss does not return ``(loss, dict)``.
    """
    model = runner.new(MODEL, word_to_idx, **kwargs)
    runner.set_params(model, params)
    shapes = {"loss": ()} | {grad_name(name): value.shape for name, value in params.items()}
    loss, grads = unpack(runner.method(model, "loss", features, captions, expect=shapes),
                         ("loss", "grads"), "CaptioningRNN.loss")
    runner.drop(model)
    if not isinstance(grads, dict):
        raise OutputError(f"CaptioningRNN.loss returned grads of type {type(grads).__name__}; "
                          "expected a dict with one gradient per key of self.params")
    loss = loss.reshape(()) if isinstance(loss, np.ndarray) and loss.size == 1 else loss
    return {"loss": loss} | by_name(grads, params, "grads", grad_name)


def by_name(found, names, what, label):
    """``{label(name): found[name]}`` for every expected name, :class:`Missing` where absent.

    Parameters
    ----------
    found : dict
        What the student's code produced, e.g. its ``grads``.
    names : iterable of str
        The reference's keys.
    what : str
        How ``found`` is called in messages, e.g. ``"grads"``.
    label : callable
        Output name of a key, e.g. ``grads['Wx']``.

    Returns
    -------
    dict
    """
    extra = sorted(set(found) - set(names))
    unexpected = f"; unexpected: {', '.join(map(repr, extra))}" if extra else ""
    return {label(name): found[name] if name in found else Missing(
        name, f"{what} has no key {name!r} (it has {sorted(found)}{unexpected}): use exactly "
              "the keys of self.params")
        for name in names}


def constructor_program(runner, word_to_idx, kwargs, shapes):
    """Build the model and return its parameters (by the reference's names) as constructed.

    ``shapes`` are the reference's parameter shapes, ``{name: tuple of int}``.
    """
    model = runner.new(MODEL, word_to_idx, **kwargs)
    params = runner.get_attr(model, "params", expect=param_shapes_by_output(shapes))
    runner.drop(model)
    if not isinstance(params, dict):
        raise OutputError(f"CaptioningRNN.params is a {type(params).__name__}, not a dict")
    return by_name(params, shapes, "model.params", param_name)


def param_shapes_by_output(shapes):
    """``{params['<name>']: shape}`` of ``{name: shape}``: what a reply of parameters holds."""
    return {param_name(name): tuple(shape) for name, shape in shapes.items()}


def param_name(name):
    """The output name of parameter ``name``: ``params['Wx']``."""
    return f"params[{name!r}]"


def loss_case(label, word_to_idx, kwargs, values, sizes, cell_type, weight=None, graded=None):
    """A case of CaptioningRNN.loss.

    Parameters
    ----------
    label : str
        Names the case's checks.
    word_to_idx : dict of str to int
    kwargs : dict
        CaptioningRNN keyword arguments.
    values : dict
        ``params`` (dict of arrays), ``features`` (N, D), ``captions`` (N, T + 1).
    sizes : dict of str to int
    cell_type : {'rnn', 'lstm'}
    weight : float or None
        One check of this weight for all graded outputs; None: one check per output.
    graded : iterable of str or None
        Names of the outputs to grade (``"loss"``, ``"grads['Wx']"``, ...); None: all.

    Returns
    -------
    autograder.items.engine.Case
    """
    symbols = param_symbols(cell_type)
    outputs = (Output("loss", (), LOSS_WEIGHT),) + tuple(
        Output(grad_name(name), symbols[name], GRADIENT_WEIGHT) for name in values["params"])
    if graded is not None:
        outputs = tuple(output for output in outputs if output.name in graded)
    return Case(label, lambda runner, **kw: loss_program(runner, word_to_idx, kwargs, **kw),
                values, outputs, sizes, weight=weight)


def draw_loss_inputs(rng, cell_type, **extra):
    """Random inputs of CaptioningRNN.loss.

    Parameters
    ----------
    rng : numpy.random.Generator
    cell_type : {'rnn', 'lstm'}
    **extra
        More constructor arguments, e.g. ``use_tanh=False``.

    Returns
    -------
    sizes : dict of str to int
        N, T (input words), D, W, H, V.
    word_to_idx : dict of str to int
    kwargs : dict
        CaptioningRNN keyword arguments.
    values : dict
        ``params`` (float64, every parameter), ``features`` (N, D) and
        ``captions`` (N, T + 1) of varied lengths.
    """
    sizes = inputs.draw_sizes(rng, "NTDWHV")
    word_to_idx = inputs.vocabulary(sizes["V"])
    kwargs = constructor_kwargs(sizes, cell_type, **extra)
    shapes = param_shapes(word_to_idx, kwargs)
    values = {"params": inputs.draw_params(rng, shapes),
              "features": rng.standard_normal((sizes["N"], sizes["D"])),
              "captions": inputs.draw_captions(rng, sizes["N"], sizes["T"] + 1, sizes["V"])}
    return sizes, word_to_idx, kwargs, values


def grade_loss(grading, cell_type):
    """The items loss_rnn and loss_lstm.

    Checks the parameters as constructed (names, shapes, float64), docs/assignment.md's
    published loss, and the loss and every gradient on random inputs.

    Parameters
    ----------
    grading : autograder.items.engine.ItemGrading
    cell_type : {'rnn', 'lstm'}
    """
    sizes, word_to_idx, kwargs, values = draw_loss_inputs(grading.rng, cell_type)
    symbols = param_symbols(cell_type)
    shapes = {name: value.shape for name, value in values["params"].items()}
    grading.run(Case(f"CaptioningRNN({cell_type}, dtype=float64): parameter names, shapes and "
                     f"dtypes ({sizes_text(sizes)})",
                     lambda runner: constructor_program(runner, word_to_idx, kwargs, shapes), {},
                     tuple(Output(param_name(name), symbols[name], kind="layout")
                           for name in shapes),
                     sizes, weight=CONSTRUCTOR_WEIGHT))
    classic_kwargs = constructor_kwargs(classic.LOSS_SIZES, cell_type)
    published = classic.loss(cell_type, param_shapes(classic.LOSS_VOCABULARY, classic_kwargs))
    case = loss_case(f"CaptioningRNN.loss ({cell_type}), the notebook's published check",
                     classic.LOSS_VOCABULARY, classic_kwargs, published.inputs, published.sizes,
                     cell_type, weight=CLASSIC_WEIGHT, graded=("loss",))
    case.expected = published.expected
    grading.run(case)
    grading.run(loss_case(f"CaptioningRNN.loss ({cell_type}), random inputs ({sizes_text(sizes)})",
                          word_to_idx, kwargs, values, sizes, cell_type))


def grade_sigmoid_variant(grading):
    """The item sigmoid_variant: the vanilla RNN with ``use_tanh=False``.

    Graded only with grading.toml's ``sigmoid_variant = true``; no other item
    passes the flag, so the classic API (no ``use_tanh``) earns every other item.

    One check each for rnn_step_forward, rnn_step_backward, rnn_forward,
    rnn_backward and CaptioningRNN.loss with the sigmoid, and one for
    rnn_forward / rnn_backward given ``use_tanh=True`` explicitly (a flag that
    is inverted or ignored fails some of them).

    Parameters
    ----------
    grading : autograder.items.engine.ItemGrading
    """
    sigmoid = {"use_tanh": False}
    for key in ("rnn_step", "rnn"):
        layer = LAYERS[key]
        sizes, values = layer.draw(grading.rng)
        grading.run(forward_case(layer, sizes, values, sigmoid, weight=VARIANT_WEIGHT))
        grading.run(backward_case(layer, sizes, values, sigmoid, weight=VARIANT_WEIGHT))
    sizes, word_to_idx, kwargs, values = draw_loss_inputs(grading.rng, "rnn", use_tanh=False)
    grading.run(loss_case(f"CaptioningRNN.loss (rnn, use_tanh=False), random inputs "
                          f"({sizes_text(sizes)})", word_to_idx, kwargs, values, sizes, "rnn",
                          weight=VARIANT_WEIGHT))
    layer = LAYERS["rnn"]
    sizes, values = layer.draw(grading.rng)
    case = backward_case(layer, sizes, values, {"use_tanh": True}, weight=VARIANT_WEIGHT)
    case.outputs = (Output("h", ("N", "T", "H")),) + case.outputs
    grading.run(case)


GRADERS = {
    "loss_rnn": lambda grading: grade_loss(grading, "rnn"),
    "loss_lstm": lambda grading: grade_loss(grading, "lstm"),
    "sigmoid_variant": grade_sigmoid_variant,
}
