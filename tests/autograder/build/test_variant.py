"""grading.toml's sigmoid_variant switched off: the classic API, built from solutions/ and graded.

A classic tree is a copy of what the build reads (solutions/, notebooks/source/,
pyproject.toml, the data code and the embedded data) with ``sigmoid_variant =
false``; its generated files are built there, never in the repository. The
classic reference is solutions/ transformed with its solution regions kept.
"""

import ast
import io
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest

from autograder import config, grade, paths
from autograder.items import mistakes
from autograder.build import stubs, student_bundle, steps
from autograder.build.variant import VariantError, classic_source

SWITCH_ON = "sigmoid_variant = true"
CLASSIC_SIGNATURES = {
    "rnn_step_forward": "x, prev_h, Wx, Wh, b",
    "rnn_step_backward": "dnext_h, cache",
    "rnn_forward": "x, h0, Wx, Wh, b",
    "rnn_backward": "dh, cache",
    "CaptioningRNN.__init__": "self, word_to_idx, input_dim=512, wordvec_dim=128, "
                              "hidden_dim=128, cell_type='rnn', dtype=np.float32",
}
OVERFIT_ITEMS = ("overfit_rnn", "overfit_lstm")


def classic_toml(folder, old=None, new=None):
    """A copy of grading.toml in ``folder`` with the variant off (and one more edit)."""
    text = paths.GRADING_TOML.read_text(encoding="utf-8")
    assert SWITCH_ON in text, "grading.toml changed: update this test"
    text = text.replace(SWITCH_ON, "sigmoid_variant = false")
    if old is not None:
        assert old in text, f"{old!r} not in grading.toml: update this test"
        text = text.replace(old, new, 1)
    path = folder / "grading.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def classic_root(tmp_path_factory):
    """A classic tree with its committed build steps run."""
    root = tmp_path_factory.mktemp("classic")
    shutil.copytree(paths.SOLUTIONS_DIR, root / "solutions",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(paths.REPO_ROOT / "notebooks" / "source", root / "notebooks" / "source")
    shutil.copytree(paths.REPO_ROOT / "captiondata", root / "captiondata",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "datasets").mkdir()
    (root / "datasets" / "embedded").symlink_to(paths.REPO_ROOT / "datasets" / "embedded")
    shutil.copy(paths.REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    classic_toml(root)
    steps.build(steps.COMMITTED_STEPS, root=root)
    return root


@pytest.fixture(scope="module")
def classic_settings(classic_root):
    return config.load(classic_root / "grading.toml")


def classic_files(sources):
    """Student files ``{name: text}`` in their classic form."""
    return {name: classic_source(text, name) for name, text in sources.items()}


def write_submission(folder, sources):
    for name, text in sources.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def lost(result):
    return {item.name: (item.score, item.error, [check.detail for check in item.checks
                                                 if not check.passed])
            for item in result.items if not item.passed}


# ------------------------------------------------------------------ settings
def test_classic_settings_grade_the_same_100_points_without_the_variant(classic_settings, settings):
    assert classic_settings.sigmoid_variant is False
    assert classic_settings.items == tuple(item for item in config.ITEMS
                                           if item not in config.VARIANT_ITEMS)
    assert classic_settings.total_points == settings.total_points == 100
    assert all(points == int(points) for points in classic_settings.points.values())


def test_the_repository_grades_the_variant_by_default(settings):
    assert settings.sigmoid_variant is True
    assert settings.items == config.ITEMS


@pytest.mark.parametrize("old, new, named", [
    ("rnn_backward = 9", "rnn_backward = 10", "make both totals equal"),
    ("rnn_backward = 9", "rnn_backward = 9\nsigmoid_variant = 6", "classic_points.sigmoid_variant"),
    ("rnn_backward = 9", "", "classic_points.rnn_backward is missing"),
    ("sigmoid_variant = false", "sigmoid_variant = 'no'", "must be true or false"),
])
def test_inconsistent_point_tables_and_switch_are_refused(tmp_path, old, new, named):
    with pytest.raises(config.ConfigError, match=named):
        config.load(classic_toml(tmp_path, old, new))


# ----------------------------------------------------------------- transform
def src(text):
    return textwrap.dedent(text).lstrip("\n")


def test_transform_prunes_parameters_arguments_attribute_entries_and_comments():
    classic = classic_source(src('''
        def step(x, b, use_tanh=True):
            """One step.

            Parameters
            ----------
            x : ndarray
            use_tanh : bool
                tanh when True,
                sigmoid when False.

            Returns
            -------
            ndarray
            """
            # TODO: add the bias.
            # TODO: use_tanh=False means the sigmoid.
            return _act(x + b, use_tanh)


        class Model:
            def __init__(
                self,
                size,
                use_tanh=True,
            ):
                self.size = size
                self.use_tanh = use_tanh

            def run(self, x):
                return step(x, 0, self.use_tanh) + step(
                    x, 1, use_tanh=self.use_tanh
                )
        '''), "mod.py")
    assert classic == src('''
        def step(x, b):
            """One step.

            Parameters
            ----------
            x : ndarray

            Returns
            -------
            ndarray
            """
            # TODO: add the bias.
            return _act(x + b)


        class Model:
            def __init__(
                self,
                size,
            ):
                self.size = size

            def run(self, x):
                return step(x, 0) + step(
                    x, 1
                )
        ''')


def test_transform_keeps_module_level_regions():
    helper = src('''
        # BEGIN SOLUTION
        def _act(a, use_tanh=True):
            return a if use_tanh else -a
        # END SOLUTION
        ''')
    public = "def f(a, use_tanh=True):\n    return _act(a, use_tanh)\n"
    assert classic_source(helper + "\n\n" + public, "m.py") == (
        helper + "\n\ndef f(a):\n    return _act(a)\n")


@pytest.mark.parametrize("line", ["    flag = use_tanh\n", "    if use_tanh:\n",
                                  '    """use_tanh decides."""\n'])
def test_a_mention_the_transform_cannot_prune_names_its_line(line):
    with pytest.raises(VariantError, match=r"m\.py:2: use_tanh"):
        classic_source("def f(x, use_tanh=True):\n" + line, "m.py")


# --------------------------------------------------------- generated classic files
def test_generated_classic_files_never_name_the_flag(classic_root):
    generated = {}
    for step in steps.COMMITTED_STEPS:
        generated.update(steps._module(step).expected_files(classic_root))
    assert "notebooks/tests/RNN_Captioning/sigmoid_variant.py" not in generated
    assert "notebooks/tests/RNN_Captioning/rnn_forward.py" in generated
    assert "tanh or sigmoid?" not in generated["notebooks/RNN_Captioning.ipynb"]
    named = sorted(name for name, text in generated.items()
                   if "use_tanh" in text or "sigmoid_variant" in text)
    assert named == []
    assert steps.stale(steps.COMMITTED_STEPS, root=classic_root) == []


def signatures(text):
    """``{function or Class.method: its parameters as written}`` of a module's source."""
    found = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = ast.unparse(node.args)
        if isinstance(node, ast.ClassDef):
            found |= {f"{node.name}.{method.name}": ast.unparse(method.args)
                      for method in node.body if isinstance(method, ast.FunctionDef)}
    return found


def test_classic_stubs_have_the_classic_signatures(classic_root):
    found = signatures((classic_root / "assignment" / "rnn_layers.py").read_text())
    found |= signatures((classic_root / "assignment" / "classifiers" / "rnn.py").read_text())
    assert {name: found[name] for name in CLASSIC_SIGNATURES} == CLASSIC_SIGNATURES


def test_classic_student_bundle_holds_the_classic_files(classic_root):
    archive = zipfile.ZipFile(io.BytesIO(
        student_bundle.expected_files(classic_root)[student_bundle.OUTPUT]))
    built = stubs.expected_files(classic_root)
    assert archive.read("assignment/rnn_layers.py").decode() == built["assignment/rnn_layers.py"]
    texts = [archive.read(name) for name in archive.namelist()
             if name.endswith((".py", ".ipynb"))]
    assert not any(b"use_tanh" in text for text in texts)


@pytest.mark.parametrize("student, code, line", [
    ("stubs", 1, "failed   RNN_Captioning/rnn_step_forward"),
    ("reference", 0, "passed   RNN_Captioning/rnn_backward"),
])
def test_classic_selfcheck_from_the_bundle(classic_root, tmp_path, student, code, line):
    data = student_bundle.expected_files(classic_root)[student_bundle.OUTPUT]
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    if student == "reference":
        write_submission(tmp_path / "assignment", classic_files(mistakes.reference_sources()))
    done = subprocess.run([sys.executable, "-m", "assignment.selfcheck"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == code, done.stdout + done.stderr
    assert line in done.stdout
    assert "sigmoid" not in done.stdout


# ------------------------------------------------------------------- grading
def test_classic_reference_earns_every_fast_item(tmp_path, classic_settings):
    folder = write_submission(tmp_path / "sub", classic_files(mistakes.reference_sources()))
    fast = [item for item in classic_settings.items if item not in OVERFIT_ITEMS]
    result = grade.grade_submission(folder, tmp_path / "out", classic_settings,
                                    runner="inprocess", items=fast)
    assert [item.name for item in result.items] == list(classic_settings.items)
    assert {item.name for item in result.items if item.passed} == set(fast), lost(result)
    assert sum(item.max_score for item in result.items) == 100


@pytest.mark.slow
def test_classic_reference_earns_100_in_the_sandbox(tmp_path, classic_settings):
    folder = write_submission(tmp_path / "sub", classic_files(mistakes.reference_sources()))
    result = grade.grade_submission(folder, tmp_path / "out", classic_settings)
    assert result.score == pytest.approx(100), lost(result)


def test_classic_stubs_earn_0(tmp_path, classic_root, classic_settings):
    result = grade.grade_submission(classic_root / "assignment", tmp_path, classic_settings,
                                    runner="inprocess")
    assert result.score == 0
    assert all("NotImplementedError" in (item.error or "") + " ".join(
        check.detail for check in item.checks) for item in result.items), lost(result)


GRADED_MISTAKES = [mistake for mistake in mistakes.MISTAKES
                   if mistake.item not in config.VARIANT_ITEMS + OVERFIT_ITEMS]


@pytest.mark.parametrize("mistake", GRADED_MISTAKES, ids=lambda mistake: mistake.name)
def test_classic_mutant_loses_points_with_its_hint(tmp_path, classic_settings, mistake):
    sources = classic_files(mistakes.mutated_sources(mistake))
    folder = write_submission(tmp_path / "sub", sources)
    result = grade.grade_submission(folder, tmp_path / "out", classic_settings,
                                    runner="inprocess", items=[mistake.item])
    [own] = [item for item in result.items if item.name == mistake.item]
    assert own.score < own.max_score, lost(result)
    assert mistake.hint in {check.hint for check in own.checks if not check.passed}, lost(result)


def test_a_sigmoid_cell_loses_points_without_a_hint_about_the_flag(tmp_path, classic_settings):
    [inverted] = [mistake for mistake in mistakes.MISTAKES
                  if mistake.name == "rnn_activation_flag_inverted"]
    folder = write_submission(tmp_path / "sub",
                              classic_files(mistakes.mutated_sources(inverted)))
    result = grade.grade_submission(folder, tmp_path / "out", classic_settings,
                                    runner="inprocess", items=["rnn_step_forward"])
    [own] = [item for item in result.items if item.name == "rnn_step_forward"]
    assert own.score < own.max_score
    assert inverted.hint not in {check.hint for check in own.checks}
