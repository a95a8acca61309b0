"""overfit_rnn / overfit_lstm: the student's model memorises a small training set.

The student's CaptioningRNN is trained in the sandbox by the pristine
CaptioningSolver with docs/assignment.md's settings (``[overfit]`` of grading.toml) on
the embedded data, from initial parameters the grader draws. The child's
report is not trusted for the verdict: the grader recomputes the loss of the
trained parameters with the reference model over every training caption and
compares that with the threshold.
"""

import time

import numpy as np

from captiondata import layout, locations
from solutions.captioning_solver import CaptioningSolver
from solutions.coco_utils import load_coco_data

from ..results import Check
from . import seeds
from .engine import REFERENCE
from .model import MODEL, param_shapes_by_output, reference_model
from .student import GraderProblem, run_student


def training_data(seed, max_train):
    """The embedded training captions, subsampled with a seeded generator.

    Parameters
    ----------
    seed : int
    max_train : int

    Returns
    -------
    word_to_idx : dict
    data : dict
        ``train_captions`` (n, 17), ``train_image_idxs`` (n,), and the features
        and URLs of only the images those captions use, re-indexed.

    Raises
    ------
    GraderProblem
        When the embedded data set is missing.
    """
    try:
        with seeds.global_random(seed):
            data = load_coco_data(base_dir=locations.EMBEDDED_DIR, max_train=max_train)
    except layout.LayoutError as error:
        raise GraderProblem(str(error)) from None
    images, image_idxs = np.unique(data["train_image_idxs"], return_inverse=True)
    return data["word_to_idx"], {
        "train_captions": data["train_captions"],
        "train_image_idxs": image_idxs.astype(np.int32),
        "train_features": data["train_features"][images],
        "train_urls": data["train_urls"][images],
    }


def solver_kwargs(overfit, cell_type):
    """CaptioningSolver arguments of docs/assignment.md's overfit run of one cell.

    Parameters
    ----------
    overfit : autograder.config.Overfit
    cell_type : {'rnn', 'lstm'}

    Returns
    -------
    dict
    """
    return {"update_rule": overfit.update_rule,
            "optim_config": {"learning_rate": overfit.learning_rate},
            "lr_decay": overfit.rnn_lr_decay if cell_type == "rnn" else overfit.lstm_lr_decay,
            "batch_size": overfit.batch_size,
            "num_epochs": overfit.num_epochs}


def iterations(settings, count):
    """How many iterations ``CaptioningSolver.train`` runs (one loss each).

    Parameters
    ----------
    settings : dict
        CaptioningSolver keyword arguments (:func:`solver_kwargs`).
    count : int
        Training captions.

    Returns
    -------
    int
        ``num_epochs`` times ``max(count // batch_size, 1)``, as the solver counts them.
    """
    return settings["num_epochs"] * max(count // settings["batch_size"], 1)


def reference_seconds(kwargs, params, word_to_idx, data, overfit, seed):
    """Time the reference needs for the whole training, from one timed epoch.

    Parameters
    ----------
    kwargs : dict
        CaptioningRNN keyword arguments.
    params : dict of str to ndarray
        Initial parameters.
    word_to_idx : dict
    data : dict
        The training data.
    overfit : autograder.config.Overfit
    seed : int

    Returns
    -------
    float
    """
    model = reference_model(word_to_idx, kwargs, params)
    settings = solver_kwargs(overfit, kwargs["cell_type"]) | {"num_epochs": 1, "verbose": False}
    with seeds.global_random(seed):
        start = time.perf_counter()
        CaptioningSolver(model, data, **settings).train()
        return (time.perf_counter() - start) * overfit.num_epochs


def trusted_loss(params, kwargs, word_to_idx, data):
    """Loss of the reference model with ``params`` over every training caption, in float64.

    Parameters
    ----------
    params : dict of str to ndarray
    kwargs : dict
        CaptioningRNN keyword arguments (the dtype is replaced by float64).
    word_to_idx : dict
    data : dict

    Returns
    -------
    float
    """
    model = reference_model(word_to_idx, kwargs | {"dtype": np.float64},
                            {name: value.astype(np.float64) for name, value in params.items()})
    features = data["train_features"][data["train_image_idxs"]].astype(np.float64)
    loss, _ = model.loss(features, data["train_captions"])
    return float(loss)


def _params_problem(trained, initial):
    """Why the trained parameters cannot be evaluated, or None."""
    if not isinstance(trained, dict):
        return f"model.params after training is a {type(trained).__name__}, not a dict"
    for name, value in initial.items():
        if name not in trained:
            return f"model.params has no {name!r} after training (it has {sorted(trained)})"
        if not isinstance(trained[name], np.ndarray) or trained[name].shape != value.shape:
            return f"model.params[{name!r}] changed shape during training"
        if not np.all(np.isfinite(trained[name])):
            return f"model.params[{name!r}] holds NaN or inf after training"
    return None


def train_program(runner, word_to_idx, kwargs, params, data, settings, seed):
    """Build the student's model, set the initial parameters and train it in the sandbox.

    Parameters
    ----------
    runner : autograder.items.student.StudentRunner
    word_to_idx : dict of str to int
    kwargs : dict
        CaptioningRNN keyword arguments.
    params : dict of str to ndarray
        Initial parameters.
    data : dict
        The training data (:func:`training_data`).
    settings : dict
        CaptioningSolver keyword arguments.
    seed : int
        Seeds the child's minibatch draws, so a regrade trains identically.

    Returns
    -------
    dict
        ``history`` (iterations,) float64 and ``params`` (the trained parameters).
    """
    model = runner.new(MODEL, word_to_idx, **kwargs)
    runner.set_params(model, params)
    count = len(data["train_captions"])
    trained_shapes = param_shapes_by_output({name: value.shape for name, value in params.items()})
    history, trained = runner.train(model, data, settings, iterations(settings, count),
                                    expect=trained_shapes, seed=seed)
    runner.drop(model)
    return {"history": history, "params": trained}


def grade_overfit(grading, cell_type):
    """The items overfit_rnn and overfit_lstm.

    Trains the student's model in the sandbox from seeded initial parameters;
    the loss of the reference model with the trained parameters, over every
    training caption, must be below the threshold. Keeps the loss history.

    Parameters
    ----------
    grading : autograder.items.engine.ItemGrading
    cell_type : {'rnn', 'lstm'}
    """
    overfit = grading.settings.overfit
    seed = seeds.item_seed(grading.ctx.seed, grading.item)
    word_to_idx, data = training_data(seed, overfit.max_train)
    kwargs = {"input_dim": data["train_features"].shape[1], "wordvec_dim": overfit.wordvec_dim,
              "hidden_dim": overfit.hidden_dim, "cell_type": cell_type, "dtype": np.float32}
    with seeds.global_random(seed):
        params = REFERENCE.get_attr(REFERENCE.new(MODEL, word_to_idx, **kwargs), "params")
    settings = solver_kwargs(overfit, cell_type)
    runner = grading.student(reference_seconds(kwargs, params, word_to_idx, data, overfit, seed))
    result = run_student(train_program, runner,
                         {"word_to_idx": word_to_idx, "kwargs": kwargs, "params": params,
                          "data": data, "settings": settings, "seed": seed})
    threshold = getattr(overfit, f"{cell_type}_threshold")
    count = len(data["train_captions"])
    if isinstance(result, dict):
        grading.result.loss_history = [float(loss) for loss in np.ravel(result["history"])]
    passed, detail = _verdict(result, params, kwargs, word_to_idx, data, threshold,
                              grading.tolerance.loss)
    grading.result.checks.append(Check(
        f"overfit {count} training captions ({cell_type}): final loss below {threshold}",
        passed, 1.0, detail))


def _verdict(result, params, kwargs, word_to_idx, data, threshold, slack):
    """``(passed, detail)`` of a training run, judged by the trusted loss of its parameters."""
    if not isinstance(result, dict):
        return False, result.message
    problem = _params_problem(result["params"], params)
    if problem:
        return False, problem
    loss = trusted_loss(result["params"], kwargs, word_to_idx, data)
    history = np.ravel(result["history"])
    reported = f"{history[-1]:.4f}" if history.size else "none (no iteration ran)"
    passed = loss <= threshold * (1 + slack)
    advice = "" if passed else (f" — the training did not memorise the captions; make "
                                f"loss_{kwargs['cell_type']} pass first (its gradients drive "
                                "the training)")
    return passed, (f"loss recomputed by the grader (reference model, your trained parameters, "
                    f"all {len(data['train_captions'])} captions): {loss:.4f} (threshold "
                    f"{threshold}); your solver's last minibatch loss: {reported}{advice}")


GRADERS = {
    "overfit_rnn": lambda grading: grade_overfit(grading, "rnn"),
    "overfit_lstm": lambda grading: grade_overfit(grading, "lstm"),
}
