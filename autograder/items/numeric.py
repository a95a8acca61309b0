"""Numerical gradient check of a student's backward pass against their own forward pass.

The parent perturbs the inputs and calls the student's forward function
through the runner. Along a random unit direction ``v`` of one input, the
centred difference ``(f(x + h v) - f(x - h v)) / 2h`` of
``f = sum(forward outputs * upstream gradients)`` must equal ``<grad, v>``,
the student's analytic gradient projected on ``v``. A few random directions
per input need two forward calls each, instead of two per input entry, and a
wrong gradient is off along almost every direction.

The error is ``|numerical - analytic| / max(||grad||, |numerical|)``: ``||grad||``
bounds the projection, so small projections cannot fail correct code. In
float64 with h = 1e-5 the centred difference is good to about 1e-9 of that
scale. The rounding of a forward pass that returns float32 swamps any usable
step, so the check is then reported as not applicable (weight 0: it counts
neither way) and the gradients are judged by their values alone.
"""

import numpy as np

from ..results import Check
from .student import OutputError, Raised, StudentFailure

DIRECTIONS = 2


def forward_value(runner, layer, inputs, douts, flags):
    """``sum(out * dout)`` over the forward outputs of the student's function.

    Parameters
    ----------
    runner : autograder.items.student.StudentRunner
    layer : autograder.items.layers.Layer
    inputs : dict of str to ndarray
        The forward inputs.
    douts : dict of str to ndarray
        One upstream gradient per forward output, keyed ``"d" + output name``.
    flags : dict
        Extra keyword arguments (``use_tanh``).

    Returns
    -------
    float

    Raises
    ------
    autograder.items.student.OutputError
        When an output is not an array of the upstream gradient's shape.
    """
    outputs = layer.run_forward(runner, inputs, flags)
    total = 0.0
    for name in layer.output_names:
        value, dout = outputs[name], douts["d" + name]
        if not isinstance(value, np.ndarray) or value.shape != dout.shape:
            raise OutputError(f"{layer.forward} returned {name} of another shape on slightly "
                              "changed inputs")
        total += float(np.sum(value * dout))
    return total


def check(grading, layer, inputs, douts, run, flags, reference_seconds):
    """The numerical gradient check of one backward case.

    Parameters
    ----------
    grading : autograder.items.engine.ItemGrading
    layer : autograder.items.layers.Layer
    inputs : dict of str to ndarray
        Forward inputs of the case.
    douts : dict of str to ndarray
        Upstream gradients of the case.
    run : autograder.items.engine.Run
        The case's run: the student's forward outputs and analytic gradients.
    flags : dict
    reference_seconds : float
        Time of one reference forward call, for the time limit.

    Returns
    -------
    Check
    """
    name = f"numerical gradient of your {layer.forward} ({DIRECTIONS} random directions per input)"
    problem = _problem(layer, run)
    if problem == "float32":
        return Check(name, True, 0.0,
                     "not applicable: your forward pass returns float32, too coarse for centred "
                     "differences (the gradient values were compared with the reference instead)")
    if problem:
        return Check(name, False, 1.0, f"not checked: {problem}")
    runner = grading.student(reference_seconds)
    try:
        errors = {grad_name: _worst_error(grading, runner, layer, inputs, douts, flags,
                                          input_name, run.student[grad_name])
                  for grad_name, input_name in layer.gradients.items()}
    except StudentFailure as failure:
        return Check(name, False, 1.0, f"not checked: {failure.raised().message}")
    except OutputError as error:
        return Check(name, False, 1.0, f"not checked: {error}")
    limit = grading.tolerance.numerical_gradient
    wrong = [grad_name for grad_name, error in errors.items() if error > limit]
    detail = ", ".join(f"{grad_name} {error:.1e}" for grad_name, error in errors.items())
    verdict = (f" — {', '.join(wrong)} disagree with the slope of your own forward pass"
               if wrong else "")
    return Check(name, not wrong, 1.0, f"error {detail} (tolerance {limit:.0e}){verdict}")


def _worst_error(grading, runner, layer, inputs, douts, flags, input_name, grad):
    """Largest error over random directions of ``grad``, the analytic gradient of ``input_name``."""
    step = grading.tolerance.numerical_step
    scale = np.linalg.norm(grad)
    worst = 0.0
    for _ in range(DIRECTIONS):
        direction = grading.rng.standard_normal(grad.shape)
        direction /= np.linalg.norm(direction)
        values = [forward_value(runner, layer, {**inputs, input_name: moved}, douts, flags)
                  for moved in (inputs[input_name] + step * direction,
                                inputs[input_name] - step * direction)]
        numerical = (values[0] - values[1]) / (2 * step)
        analytic = float(np.sum(grad * direction))
        error = abs(numerical - analytic) / max(scale, abs(numerical), np.finfo(float).tiny)
        worst = max(worst, error)
    return worst


def _problem(layer, run):
    """Why the check cannot run: ``"float32"``, a message, or None."""
    student = run.student
    if isinstance(student, Raised):
        return student.message
    for name in layer.output_names:
        value = student[name]
        if not isinstance(value, np.ndarray) or value.shape != run.reference[name].shape:
            return f"{layer.forward} did not return {name} of the right shape"
        if value.dtype != np.float64:
            return "float32" if np.issubdtype(value.dtype, np.floating) else \
                f"{layer.forward} returned {name} of dtype {value.dtype}"
    for name in layer.gradients:
        value = student[name]
        if not isinstance(value, np.ndarray) or value.shape != run.reference[name].shape \
                or not np.all(np.isfinite(value)):
            return f"{layer.backward} did not return a finite {name} of the right shape"
    return None
