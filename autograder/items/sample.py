"""CaptioningRNN.sample for both cells: greedy captions compared up to their first <END>.

The problem is drawn so that greedy decoding is well conditioned: at every
step up to a caption's first ``<END>`` (or up to the default ``max_length``)
the reference's best word beats the second best by a comfortable margin
(rounding in a correct implementation cannot flip an argmax); captions end at
different steps (an implementation that stops when the first caption ends, or
never feeds back the previous word, shows), and some run to the explicit
``max_length`` without ``<END>`` (a loop that stops one step early shows).
Candidate images are drawn in bulk and the rows that qualify are kept.
"""

import numpy as np

from ..names import LAYERS_MODULE
from . import inputs
from .engine import REFERENCE, Case, Output
from .layers import sizes_text
from .model import MODEL, constructor_kwargs, param_shapes, reference_model
from .student import GraderProblem

MAX_LENGTH = (10, 14)        # inclusive range of the max_length passed explicitly
DEFAULT_MAX_LENGTH = 30      # docs/assignment.md's default
SCORE_SCALE = 3.0            # vocabulary scores of order a few units
NEVER = -10.0                # bias keeping <NULL> and <START> out of the captions
END_BIAS = 0.5               # extra bias of <END>, so that most captions end in time
MARGIN = 0.05                # smallest accepted best-minus-second score up to <END>
ENDINGS = 3                  # distinct steps at which captions must end
UNENDED = 1                  # captions that run to the explicit max_length without <END>
CANDIDATES = 256             # candidate images per draw of parameters
ATTEMPTS = 100               # draws of parameters before giving up (2 to 5 on average, 17 at most
                             # in 300 problems measured)
EXPLICIT_WEIGHT = 3.0
DEFAULT_WEIGHT = 1.0


def sample_program(runner, word_to_idx, kwargs, params, features, max_length=None):
    """Build the model, set its parameters and sample captions.

    Parameters
    ----------
    runner : runner API
    word_to_idx : dict of str to int
    kwargs : dict
        CaptioningRNN keyword arguments.
    params : dict of str to ndarray
    features : ndarray, shape (N, D)
    max_length : int or None
        Passed to ``sample`` when given; None uses the student's default.

    Returns
    -------
    dict
        ``captions``: what ``sample`` returned.
    """
    model = runner.new(MODEL, word_to_idx, **kwargs)
    runner.set_params(model, params)
    extra = {} if max_length is None else {"max_length": max_length}
    shape = (len(features), max_length or DEFAULT_MAX_LENGTH)
    captions = runner.method(model, "sample", features, expect={"captions": shape}, **extra)
    runner.drop(model)
    return {"captions": captions}


def margins(params, features, captions, cell_type, start):
    """Best-minus-second-best vocabulary score of the reference at every generated step.

    The greedy captions are fed back as inputs (teacher forcing with the
    model's own choices), which reproduces the greedy decoding's scores.

    Parameters
    ----------
    params : dict of str to ndarray
    features : ndarray, shape (M, D)
    captions : ndarray of int, shape (M, L)
        The reference's greedy captions.
    cell_type : {'rnn', 'lstm'}
    start : int
        Index of ``<START>``.

    Returns
    -------
    ndarray, shape (M, L)
    """
    words = np.concatenate([np.full((len(captions), 1), start), captions[:, :-1]], axis=1)
    h0 = features @ params["W_proj"] + params["b_proj"]
    embedded, _ = REFERENCE.call(f"{LAYERS_MODULE}.word_embedding_forward", words,
                                 params["W_embed"], keep=(1,))
    h, _ = REFERENCE.call(f"{LAYERS_MODULE}.{cell_type}_forward", embedded, h0, params["Wx"],
                          params["Wh"], params["b"], keep=(1,))
    scores = np.sort(h @ params["W_vocab"] + params["b_vocab"], axis=2)
    return scores[:, :, -1] - scores[:, :, -2]


def draw_problem(rng, cell_type):
    """A well-conditioned sampling problem.

    Parameters
    ----------
    rng : numpy.random.Generator
    cell_type : {'rnn', 'lstm'}

    Returns
    -------
    sizes : dict of str to int
        N, D, W, H, V and L (the explicit max_length, shorter than the default).
    word_to_idx : dict
    kwargs : dict
    params : dict of str to ndarray
    features : ndarray, shape (N, D)

    Raises
    ------
    GraderProblem
        When no draw qualifies (a grader problem, never the student's).
    """
    for _ in range(ATTEMPTS):
        sizes = inputs.draw_sizes(rng, "NDWHV")
        sizes["L"] = int(rng.integers(*MAX_LENGTH, endpoint=True))
        word_to_idx = inputs.vocabulary(sizes["V"])
        kwargs = constructor_kwargs(sizes, cell_type)
        params = inputs.draw_params(rng, param_shapes(word_to_idx, kwargs))
        params["W_embed"] = rng.standard_normal(params["W_embed"].shape)
        params["W_vocab"] *= SCORE_SCALE
        params["b_vocab"][[word_to_idx["<NULL>"], word_to_idx["<START>"]]] = NEVER
        params["b_vocab"][word_to_idx["<END>"]] += END_BIAS
        candidates = rng.standard_normal((CANDIDATES, sizes["D"]))
        chosen = _qualifying_rows(params, candidates, sizes, word_to_idx, kwargs, cell_type)
        if chosen is not None:
            return sizes, word_to_idx, kwargs, params, candidates[chosen]
    raise GraderProblem(f"no well-conditioned sampling problem was found in {ATTEMPTS} draws")


def _qualifying_rows(params, candidates, sizes, word_to_idx, kwargs, cell_type):
    """Indices of N candidate images with comfortable margins and varied ending steps, or None.

    ``UNENDED`` of them have no ``<END>`` in their first L words; the others end
    at ``ENDINGS`` or more distinct steps before L. Every one is well conditioned
    up to its first ``<END>`` in a caption of the default length.
    """
    model = reference_model(word_to_idx, kwargs, params)
    captions = REFERENCE.method(model, "sample", candidates, max_length=DEFAULT_MAX_LENGTH)
    end = word_to_idx["<END>"]
    gaps = margins(params, candidates, captions, cell_type, word_to_idx["<START>"])
    by_ending, unended = {}, []
    for row, caption in enumerate(captions):
        stops = np.flatnonzero(caption == end)
        last = int(stops[0]) if stops.size else DEFAULT_MAX_LENGTH - 1
        if last == 0 or gaps[row, : last + 1].min() < MARGIN:
            continue
        if last < sizes["L"]:
            by_ending.setdefault(last, []).append(row)
        else:
            unended.append(row)
    if (len(by_ending) < ENDINGS or len(unended) < UNENDED
            or sum(map(len, by_ending.values())) < sizes["N"] - UNENDED):
        return None
    # Take rows round-robin over the ending steps, so every ending is represented.
    queues = [rows[::-1] for rows in by_ending.values()]
    chosen = unended[:UNENDED]
    while len(chosen) < sizes["N"]:
        for queue in queues:
            if queue and len(chosen) < sizes["N"]:
                chosen.append(queue.pop())
    return np.array(chosen)


def grade_sample(grading, cell_type):
    """The items sample_rnn and sample_lstm.

    Captions of a well-conditioned problem (:func:`draw_problem`) with an
    explicit ``max_length``, then with the default one; shape, integer dtype
    and the words up to each caption's first ``<END>`` are checked.

    Parameters
    ----------
    grading : autograder.items.engine.ItemGrading
    cell_type : {'rnn', 'lstm'}
    """
    sizes, word_to_idx, kwargs, params, features = draw_problem(grading.rng, cell_type)
    end = word_to_idx["<END>"]
    for length, weight in ((sizes["L"], EXPLICIT_WEIGHT), (None, DEFAULT_WEIGHT)):
        shown = dict(sizes, L=length or DEFAULT_MAX_LENGTH)
        grading.run(Case(
            f"CaptioningRNN.sample ({cell_type}), max_length="
            f"{length if length else f'default ({DEFAULT_MAX_LENGTH})'} ({sizes_text(sizes)})",
            lambda runner, length=length, **kw: sample_program(runner, word_to_idx, kwargs,
                                                               max_length=length, **kw),
            {"params": params, "features": features},
            (Output("captions", ("N", "L"), weight, "captions"),), shown, end=end))


GRADERS = {
    "sample_rnn": lambda grading: grade_sample(grading, "rnn"),
    "sample_lstm": lambda grading: grade_sample(grading, "lstm"),
}
