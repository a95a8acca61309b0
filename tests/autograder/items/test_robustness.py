"""Whatever the student's code returns or raises, the graders answer with a clear message."""

import pytest

import autograder.items
from autograder.items import mistakes
from autograder.items import Context, engine
from autograder.items.student import GraderProblem
from autograder.results import Status
from support.items import describe, grade

JUNK = '''
def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h.T.copy(), None


def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
    return np.full((x.shape[0], x.shape[1], h0.shape[1]), np.nan), None


def word_embedding_forward(x, W):
    raise ValueError("boom")


def lstm_forward(x, h0, Wx, Wh, b):
    return h0, None, 3


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    return "next_h", prev_c, None
'''

FLOAT_SAMPLE = '''
class CaptioningRNN(CaptioningRNN):
    def sample(self, features, max_length=30):
        return np.zeros((features.shape[0], max_length))
'''


@pytest.fixture(scope="module")
def junk(tmp_path_factory, make_package, settings):
    package = make_package(appended={"rnn_layers.py": JUNK, "classifiers/rnn.py": FLOAT_SAMPLE})
    return grade(package, ["rnn_step_forward", "rnn_forward", "word_embedding_forward",
                          "word_embedding_backward", "lstm_forward", "lstm_step_forward",
                          "sample_rnn"], settings)


@pytest.mark.parametrize("item, words", [
    ("rnn_step_forward", "next_h: expected shape (N, H) = ("),
    ("rnn_forward", "h: contains NaN or inf"),
    ("word_embedding_forward", "word_embedding_forward raised ValueError: boom"),
    ("word_embedding_backward", "word_embedding_forward raised ValueError: boom"),
    ("lstm_forward", "lstm_forward returned 3 values; expected a tuple of 2 (h, cache)"),
    ("lstm_step_forward", "lstm_step_forward returned something that is not plain numbers"),
    ("sample_rnn", "captions: expected integer word indices, got dtype float64"),
])
def test_bad_outputs_fail_with_a_message(junk, item, words):
    result = junk[item]
    assert result.error is None, describe(result)
    assert result.score == 0, describe(result)
    shown = [f"{check.name}: {check.detail}" for check in result.checks]  # as reports show it
    assert any(words in text for text in shown), describe(result)


def test_hard_coded_published_values_earn_only_the_published_check(tmp_path, make_package, settings):
    hard_coded = '''
def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    next_h = np.array([[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
                       [0.66854692, 0.79562378, 0.87755553, 0.92795967],
                       [0.97934501, 0.99144213, 0.99646691, 0.99854353]])
    return next_h, None
'''
    result = grade(make_package(appended={"rnn_layers.py": hard_coded}),
                   ["rnn_step_forward"], settings)["rnn_step_forward"]
    assert [check.passed for check in result.checks] == [True, False], describe(result)
    assert result.score == pytest.approx(result.max_score / 4)


def test_published_loss_without_mask_is_recognised(tmp_path, make_package, settings):
    mistake = next(m for m in mistakes.MISTAKES if m.name == "loss_mask_omitted")
    package = make_package(sources=mistakes.mutated_sources(mistake))
    result = grade(package, ["loss_rnn"], settings)["loss_rnn"]
    published = next(check for check in result.checks if "published" in check.name)
    assert not published.passed
    assert published.hint == mistake.hint


def test_backward_item_says_when_the_forward_pass_misses_too(tmp_path, make_package, settings):
    mistake = next(m for m in mistakes.MISTAKES if m.name == "rnn_h0_every_step")
    result = grade(make_package(sources=mistakes.mutated_sources(mistake)),
                   ["rnn_backward"], settings)["rnn_backward"]
    failed = [check for check in result.checks if not check.passed]
    assert failed and all("fix rnn_forward first" in check.detail for check in failed[:-1])


def test_numerical_check_blames_the_gradient_that_disagrees(tmp_path, make_package, settings):
    mistake = next(m for m in mistakes.MISTAKES if m.name == "dWh_transposed")
    package = make_package(sources=mistakes.mutated_sources(mistake))
    results = grade(package, ["rnn_step_backward"], settings)
    numerical = results["rnn_step_backward"].checks[-1]
    assert numerical.name.startswith("numerical gradient of your rnn_step_forward")
    assert not numerical.passed
    assert "dWh disagree" in numerical.detail


def test_time_limit_follows_the_reference_time(settings):
    limits = settings.limits
    grading = engine.ItemGrading(Context(None, settings, 0), "rnn_forward", None, None)
    assert grading.timeout(0.5) == pytest.approx(limits.time_multiple * 0.5
                                                 + limits.time_allowance_seconds)


def test_a_grader_bug_is_reported_as_the_graders_not_as_student_output(tmp_path, monkeypatch,
                                                                       make_package, settings):
    def broken_grader(grading):
        raise ZeroDivisionError("a bug in the grader")

    monkeypatch.setitem(autograder.items.GRADERS, "rnn_forward", broken_grader)
    result = grade(make_package(), ["rnn_forward"], settings)["rnn_forward"]
    assert result.score == 0 and result.status is Status.GRADER_ERROR
    assert "through no fault of your code: ZeroDivisionError: a bug in the grader" in result.error
    assert "ZeroDivisionError" in result.grader_traceback
    assert "Traceback" not in result.output


def test_a_grader_that_runs_no_check_is_a_grader_error(monkeypatch, make_package, settings):
    monkeypatch.setitem(autograder.items.GRADERS, "rnn_forward", lambda grading: None)
    result = grade(make_package(), ["rnn_forward"], settings)["rnn_forward"]
    assert result.score == 0 and result.status is Status.GRADER_ERROR
    assert "its grader ran no check" in result.error


def test_a_grader_problem_is_the_graders_with_its_own_words(monkeypatch, make_package, settings):
    def unlucky(grading):
        raise GraderProblem("no well-conditioned sampling problem was found in 50 draws")

    monkeypatch.setitem(autograder.items.GRADERS, "rnn_forward", unlucky)
    result = grade(make_package(), ["rnn_forward"], settings)["rnn_forward"]
    assert result.status is Status.GRADER_ERROR
    assert result.error == ("the grader could not grade this item, through no fault of your "
                            "code: no well-conditioned sampling problem was found in 50 draws. "
                            "Please tell the course staff, who can regrade it once the grader "
                            "is fixed.")


STEP_PLACEHOLDER = '''
def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    next_h, cache = None, None
    return next_h, cache
'''
FORGOTTEN_RETURN = '''
def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
    h, cache = None, None
'''
PARTLY_DONE = '''
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    next_h, next_c, cache = None, None, (x, prev_h)
    return next_h, next_c, cache
'''


@pytest.mark.parametrize("item, appended, words", [
    ("rnn_step_forward", {"rnn_layers.py": STEP_PLACEHOLDER},
     "rnn_step_forward is not implemented yet (it returned (None, None), the template's "
     "placeholder)"),
    ("rnn_forward", {"rnn_layers.py": FORGOTTEN_RETURN},
     "rnn_forward is not implemented yet (it returned None, the template's"),
    ("lstm_step_forward", {"rnn_layers.py": PARTLY_DONE},
     "lstm_step_forward is not implemented yet (it returned None as result[0], the template's "
     "placeholder)"),
    ("rnn_step_backward", {"rnn_layers.py": "del rnn_step_backward"},
     "rnn_step_backward is not implemented yet (rnn_layers.py has no rnn_step_backward)"),
    ("sample_rnn", {"classifiers/rnn.py": "del CaptioningRNN.sample"},
     "CaptioningRNN.sample is not implemented yet (CaptioningRNN has no method sample)"),
    ("loss_rnn", {"classifiers/rnn.py": "del CaptioningRNN"},
     "CaptioningRNN() is not implemented yet (classifiers/rnn.py has no CaptioningRNN)"),
], ids=["(None, None)", "no return", "None in result[0]", "missing function", "missing method",
        "missing class"])
def test_unfinished_work_is_named_not_implemented(tmp_path, item, appended, words, make_package, settings):
    result = grade(make_package(appended=appended), [item], settings)[item]
    assert result.score == 0, describe(result)
    assert result.error is not None and result.error.startswith(words), describe(result)
    assert "not plain numbers" not in result.error


def test_an_exception_about_none_points_at_unfinished_work(tmp_path, make_package, settings):
    placeholder = ("def rnn_backward(dh, cache, use_tanh=True):\n"
                   "    return None, None, None, None, None")
    result = grade(make_package(appended={"rnn_layers.py": placeholder}), ["loss_rnn"], settings)
    failed = [check for check in result["loss_rnn"].checks if not check.passed]
    assert failed, describe(result["loss_rnn"])
    assert all("'NoneType'" in check.detail and "may still return the template's None"
               in check.detail for check in failed), describe(result["loss_rnn"])
