"""The ten student functions of rnn_layers.py: forward values, backward values, gradient checks.

A forward item compares the student's outputs with the reference's on inputs
drawn at grade time (and with docs/assignment.md's published values). A backward item
calls the student's backward pass with the cache of the student's own forward
pass, compares every gradient with the reference's and checks them against
centred differences of the student's forward pass.
"""

import time
from dataclasses import dataclass

import numpy as np

from ..names import LAYERS_MODULE
from . import classic, compare, inputs, numeric
from .engine import REFERENCE, Case, Output
from .student import unpack


@dataclass(frozen=True)
class Layer:
    """A forward / backward pair of rnn_layers.py.

    Attributes
    ----------
    forward, backward : str
        Function names, e.g. ``"rnn_step_forward"``.
    inputs : tuple of (name, shape, role)
        Forward arguments in order; ``role`` is an ``inputs.draw_array`` role
        (``"index"`` inputs are not differentiated).
    outputs : tuple of (name, shape)
        Forward results before the cache; the backward pass takes one upstream
        gradient per output, in this order, then the cache.
    letters : str
        The size letters the shapes use.
    """

    forward: str
    backward: str
    inputs: tuple
    outputs: tuple
    letters: str

    @property
    def output_names(self):
        """Names of the forward outputs."""
        return tuple(name for name, _ in self.outputs)

    @property
    def gradients(self):
        """``{gradient name: input name}`` for the backward results, in order (``dWx``: ``Wx``)."""
        return {"d" + name: name for name, _, role in self.inputs if role != "index"}

    def run_forward(self, runner, values, flags):
        """Call the forward function (its cache stays in the runner and is dropped).

        Parameters
        ----------
        runner : runner API
            The student's (``StudentRunner``) or a trusted ``LocalRunner``.
        values : dict of str to ndarray
            At least the forward inputs, by name, shapes as in :attr:`inputs`.
        flags : dict
            Extra keyword arguments, e.g. ``{"use_tanh": False}``.

        Returns
        -------
        dict of str to object
            The forward outputs by name, e.g. ``{"h": (N, T, H) array}``.

        Raises
        ------
        autograder.items.student.OutputError
            When the function does not return ``(*outputs, cache)``.
        """
        *outputs, cache = self._forward(runner, values, flags)
        runner.drop(cache)
        return dict(zip(self.output_names, outputs))

    def _forward(self, runner, values, flags):
        args = [values[name] for name, _, _ in self.inputs]
        result = runner.call(f"{LAYERS_MODULE}.{self.forward}", *args, keep=(len(self.outputs),),
                             expect=self.output_shapes(values), **flags)
        return unpack(result, self.output_names + ("cache",), self.forward)

    def output_shapes(self, values):
        """The forward outputs' shapes the contract gives for these inputs.

        Parameters
        ----------
        values : dict of str to ndarray
            At least the forward inputs, by name.

        Returns
        -------
        dict of str to tuple of int
            E.g. ``{"h": (N, T, H)}``.
        """
        sizes = {symbol: size for name, shape, _ in self.inputs
                 for symbol, size in zip(shape, np.shape(values[name])) if len(symbol) == 1}
        return {name: compare.resolve_shape(shape, sizes) for name, shape in self.outputs}

    def run_backward(self, runner, values, flags):
        """Call the forward function, then the backward function with the forward's own cache.

        Parameters
        ----------
        runner : runner API
        values : dict of str to ndarray
            The forward inputs and one upstream gradient per output, keyed
            ``"d" + output name`` (e.g. ``dh``, shape (N, T, H)).
        flags : dict

        Returns
        -------
        dict of str to object
            The forward outputs and the gradients (``dx``, ``dh0``, ...; each
            shaped like its input) by name.

        Raises
        ------
        autograder.items.student.OutputError
            When a function returns the wrong number of values.
        """
        *outputs, cache = self._forward(runner, values, flags)
        douts = [values["d" + name] for name in self.output_names]
        result = runner.call(f"{LAYERS_MODULE}.{self.backward}", *douts, cache,
                             expect={grad: np.shape(values[name])
                                     for grad, name in self.gradients.items()}, **flags)
        names = tuple(self.gradients)
        grads = unpack(result, names, self.backward) if len(names) > 1 else (result,)
        runner.drop(cache)
        return dict(zip(self.output_names, outputs)) | dict(zip(self.gradients, grads))

    def draw(self, rng):
        """Random sizes, forward inputs and upstream gradients.

        Parameters
        ----------
        rng : numpy.random.Generator

        Returns
        -------
        sizes : dict of str to int
            One value per letter of :attr:`letters`.
        values : dict of str to ndarray
            The forward inputs (float64, word indices int64) and the upstream
            gradients, keyed ``"d" + output name``.
        """
        sizes = inputs.draw_sizes(rng, self.letters)
        values = {name: inputs.draw_array(rng, role, compare.resolve_shape(shape, sizes),
                                          sizes.get("V"))
                  for name, shape, role in self.inputs}
        values |= {"d" + name: rng.standard_normal(compare.resolve_shape(shape, sizes))
                   for name, shape in self.outputs}
        return sizes, values


RNN_WEIGHTS = (("Wx", ("D", "H"), "weight"), ("Wh", ("H", "H"), "weight"), ("b", ("H",), "bias"))
LSTM_WEIGHTS = (("Wx", ("D", "4H"), "weight"), ("Wh", ("H", "4H"), "weight"),
                ("b", ("4H",), "bias"))
LAYERS = {
    "rnn_step": Layer("rnn_step_forward", "rnn_step_backward",
                      (("x", ("N", "D"), "data"), ("prev_h", ("N", "H"), "state")) + RNN_WEIGHTS,
                      (("next_h", ("N", "H")),), "NDH"),
    "rnn": Layer("rnn_forward", "rnn_backward",
                 (("x", ("N", "T", "D"), "data"), ("h0", ("N", "H"), "state")) + RNN_WEIGHTS,
                 (("h", ("N", "T", "H")),), "NTDH"),
    "word_embedding": Layer("word_embedding_forward", "word_embedding_backward",
                            (("x", ("N", "T"), "index"), ("W", ("V", "D"), "data")),
                            (("out", ("N", "T", "D")),), "NTVD"),
    "lstm_step": Layer("lstm_step_forward", "lstm_step_backward",
                       (("x", ("N", "D"), "data"), ("prev_h", ("N", "H"), "state"),
                        ("prev_c", ("N", "H"), "data")) + LSTM_WEIGHTS,
                       (("next_h", ("N", "H")), ("next_c", ("N", "H"))), "NDH"),
    "lstm": Layer("lstm_forward", "lstm_backward",
                  (("x", ("N", "T", "D"), "data"), ("h0", ("N", "H"), "state")) + LSTM_WEIGHTS,
                  (("h", ("N", "T", "H")),), "NTDH"),
}
CLASSICS = {"rnn_step": classic.rnn_step, "rnn": classic.rnn,
            "word_embedding": classic.word_embedding, "lstm_step": classic.lstm_step}
# Weights: the published check counts for little next to the inputs drawn at grade time.
CLASSIC_WEIGHT = 1.0
FORWARD_WEIGHT = 3.0
GRADIENT_WEIGHT = 1.0


def sizes_text(sizes):
    """``"N=7, D=13, H=9"``."""
    return ", ".join(f"{letter}={value}" for letter, value in sizes.items())


def flags_text(flags):
    """``", use_tanh=False"`` or nothing."""
    return "".join(f", {name}={value}" for name, value in flags.items())


def forward_case(layer, sizes, values, flags, weight=None, label=None):
    """A case grading the forward outputs of ``layer``.

    Parameters
    ----------
    layer : Layer
    sizes : dict of str to int
    values : dict of str to ndarray
        Forward inputs (extra entries are ignored).
    flags : dict
        Extra keyword arguments of the forward function.
    weight : float or None
        One check of this weight for all outputs; None: one check per output.
    label : str or None
        Check name; None: the function and the sizes.

    Returns
    -------
    autograder.items.engine.Case
    """
    return Case(label or f"{layer.forward}, random inputs ({sizes_text(sizes)}{flags_text(flags)})",
                lambda runner, **kw: layer.run_forward(runner, kw, flags), values,
                tuple(Output(name, shape, FORWARD_WEIGHT) for name, shape in layer.outputs),
                sizes, weight=weight)


def backward_case(layer, sizes, values, flags, weight=None):
    """A case grading the gradients of ``layer`` (its forward outputs ride along, ungraded).

    Parameters
    ----------
    layer : Layer
    sizes : dict of str to int
    values : dict of str to ndarray
        Forward inputs and upstream gradients (see :meth:`Layer.draw`).
    flags : dict
    weight : float or None
        One check of this weight for all gradients; None: one check per gradient.

    Returns
    -------
    autograder.items.engine.Case
    """
    shapes = {name: shape for name, shape, _ in layer.inputs}
    return Case(f"{layer.backward}, random inputs ({sizes_text(sizes)}{flags_text(flags)})",
                lambda runner, **kw: layer.run_backward(runner, kw, flags), values,
                tuple(Output(grad, shapes[name], GRADIENT_WEIGHT)
                      for grad, name in layer.gradients.items()),
                sizes, weight=weight)


def grade_forward(grading, key):
    """A forward item: the published check (if any) and a check per output on random inputs.

    Parameters
    ----------
    grading : autograder.items.engine.ItemGrading
    key : str
        Key of :data:`LAYERS`.
    """
    layer = LAYERS[key]
    if key in CLASSICS:
        published = CLASSICS[key]()
        case = forward_case(layer, published.sizes, published.inputs, {}, CLASSIC_WEIGHT,
                            f"{layer.forward}, the notebook's published check")
        case.expected = published.expected
        grading.run(case)
    sizes, values = layer.draw(grading.rng)
    grading.run(forward_case(layer, sizes, values, {}))


def grade_backward(grading, key):
    """A backward item: every gradient against the reference, and the numerical gradient check.

    Parameters
    ----------
    grading : autograder.items.engine.ItemGrading
    key : str
        Key of :data:`LAYERS`.
    """
    layer, flags = LAYERS[key], {}
    sizes, values = layer.draw(grading.rng)
    run = grading.run(backward_case(layer, sizes, values, flags))
    _note_forward_differs(layer, run, sizes, grading.tolerance)
    forward_inputs = {name: values[name] for name, _, _ in layer.inputs}
    douts = {"d" + name: values["d" + name] for name in layer.output_names}
    start = time.perf_counter()
    layer.run_forward(REFERENCE, forward_inputs, flags)
    grading.result.checks.append(numeric.check(grading, layer, forward_inputs, douts, run, flags,
                                               time.perf_counter() - start))


def _note_forward_differs(layer, run, sizes, tolerance):
    """Tell a student whose gradients miss that the forward pass they build on misses too."""
    if isinstance(run.student, dict) and not all(
            compare.compare_array(name, run.student[name], run.reference[name], shape, sizes,
                                  tolerance).passed for name, shape in layer.outputs):
        for check in run.checks:
            if not check.passed:
                check.detail += (f" (your {layer.forward} misses on these inputs too, and this "
                                 f"backward pass works from its cache: fix {layer.forward} first)")


def _registry():
    """Item name -> grader for the ten functions of rnn_layers.py."""
    graders = {}
    for key, layer in LAYERS.items():
        graders[layer.forward] = lambda grading, key=key: grade_forward(grading, key)
        graders[layer.backward] = lambda grading, key=key: grade_backward(grading, key)
    return graders


GRADERS = _registry()
