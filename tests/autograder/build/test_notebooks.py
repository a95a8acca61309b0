"""The notebook build: committed output is current, sources parse, otter reads what it writes."""

import re
import shutil
import tomllib

import nbformat
import numpy as np
import pytest
from otter.export.exporters.utils import has_begin, has_end
from otter.nbmeta_config import NBMetadataConfig
from otter.test_files import create_test_file

import solutions.classifiers.rnn
import solutions.handin
import solutions.rnn_layers
from autograder.build import notebooks, sections, steps
from autograder.cli import main
from captiondata.locations import EMBEDDED_DIR
from solutions.bleu import most_frequent_caption
from solutions.coco_utils import load_coco_data
from support.notebooks import NOTEBOOKS, REPO

TESTS_DIR = REPO / "notebooks" / "tests"


def test_generated_notebooks_and_otter_tests_are_current():
    stale = steps.stale(["notebooks"])
    assert not stale, ("stale: " + ", ".join(stale)
                       + "; run `python -m autograder build` and commit the result")


def test_build_check_verb_reports_current_files(capsys):
    assert main(["build", "--check"]) == 0
    assert "current" in capsys.readouterr().out


def test_notebook_names_agree_with_the_hand_in():
    outline = tomllib.loads((REPO / "notebooks/source/outline.toml").read_text(encoding="utf-8"))
    assert sorted(f"{name}.ipynb" for name in outline["notebooks"]) == sorted(NOTEBOOKS)
    assert sorted(solutions.handin.NOTEBOOKS) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_written_questions_carry_otters_manual_grading_markup(name):
    cells = nbformat.read(REPO / "notebooks" / name, as_version=4).cells
    opened = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and has_begin(c.source)]
    assert opened
    for i in opened:
        answer, closing = cells[i + 1], cells[i + 2]
        assert "otter_answer_cell" in answer.metadata["tags"]
        assert has_end(closing.source)
        assert "_Points:_" in cells[i].source
        assert cells[i].metadata["editable"] is False


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_last_cell_hands_in(name):
    last = nbformat.read(REPO / "notebooks" / name, as_version=4).cells[-1]
    assert "handin.hand_in()" in last.source


def _otter_tests():
    return sorted(TESTS_DIR.rglob("*.py"))


def _reference_env():
    env = {name: getattr(solutions.rnn_layers, name) for name in dir(solutions.rnn_layers)}
    env["CaptioningRNN"] = solutions.classifiers.rnn.CaptioningRNN
    return env


def _stub_env():
    import assignment.classifiers.rnn
    import assignment.rnn_layers

    env = {name: getattr(assignment.rnn_layers, name) for name in dir(assignment.rnn_layers)}
    env["CaptioningRNN"] = assignment.classifiers.rnn.CaptioningRNN
    return env


class _TrainedSolver:
    """Stands for a solver after training, for the overfit tests."""

    def __init__(self, losses):
        self.loss_history = losses


class _Captioner:
    """Stands for a trained model, for the generalisation tests: fixed captions, one per image."""

    def __init__(self, captions):
        self.captions = captions

    def sample(self, features, max_length=30):
        assert len(features) == len(self.captions)
        return self.captions


@pytest.fixture(scope="module")
def embedded_data():
    return load_coco_data(base_dir=EMBEDDED_DIR)


def _first_references(data):
    """Each validation image's first reference caption, as ``sample`` writes it (no <START>)."""
    first_rows = [np.flatnonzero(data["val_image_idxs"] == image)[0]
                  for image in range(len(data["val_features"]))]
    return data["val_captions"][first_rows, 1:]


def _general_models(model):
    """The trained models of the generalisation tests, both ``model``."""
    return {f"{cell}_general_model": model for cell in ("rnn", "lstm")}


@pytest.mark.parametrize("path", _otter_tests(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_otter_reads_each_test_file_as_one_public_case(path):
    test_file = create_test_file(str(path), NBMetadataConfig())
    assert test_file.name == path.stem
    assert len(test_file.test_cases) == 1 and not test_file.test_cases[0].hidden


@pytest.mark.parametrize("path", _otter_tests(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_otter_tests_pass_on_the_reference_and_fail_on_the_stubs(path, embedded_data):
    """Run directly (no kernel): every public test accepts solutions/ and rejects the stubs."""
    solver_losses = {"rnn_solver": [0.05], "lstm_solver": [0.3]}
    passing = (_reference_env() | {k: _TrainedSolver(v) for k, v in solver_losses.items()}
               | _general_models(_Captioner(_first_references(embedded_data)))
               | {"embedded_data": embedded_data})
    stub_model = _stub_env()["CaptioningRNN"](embedded_data["word_to_idx"])
    failing = (_stub_env() | {k: _TrainedSolver([]) for k in solver_losses}
               | _general_models(stub_model) | {"embedded_data": embedded_data})
    for env, expected in ((passing, True), (failing, False)):
        test_file = create_test_file(str(path), NBMetadataConfig())
        test_file.run(env)
        assert test_file.passed_all is expected, test_file.summary()


@pytest.mark.parametrize("notebook", ["RNN_Captioning", "LSTM_Captioning"])
def test_the_generalisation_test_fails_the_most_frequent_caption(notebook, embedded_data):
    """A model that writes the baseline caption for every image does not pass."""
    path = TESTS_DIR / notebook / f"generalisation_{notebook[:-len('_Captioning')].lower()}.py"
    baseline = [embedded_data["word_to_idx"][word] for word in most_frequent_caption(embedded_data)]
    end = embedded_data["word_to_idx"]["<END>"]
    captions = np.tile(baseline + [end], (len(embedded_data["val_features"]), 1))
    test_file = create_test_file(str(path), NBMetadataConfig())
    test_file.run(_general_models(_Captioner(captions)) | {"embedded_data": embedded_data})
    assert not test_file.passed_all
    assert "BLEU-1 of the most frequent caption minus the model's is 0," in test_file.summary()


def _source_copy(tmp_path):
    """A repository holding only what the notebook build reads."""
    shutil.copytree(REPO / "notebooks" / "source", tmp_path / "notebooks" / "source")
    shutil.copy(REPO / "grading.toml", tmp_path / "grading.toml")
    return tmp_path


def test_build_writes_and_removes_only_its_own_files(tmp_path):
    root = _source_copy(tmp_path)
    (root / "notebooks" / "tests").mkdir()
    (root / "notebooks" / "tests" / "renamed_check.py").write_text("", encoding="utf-8")
    finished = []
    written = steps.build(["notebooks"], root=root, on_step=finished.append)
    assert "notebooks/tests/renamed_check.py" in written
    assert not (root / "notebooks" / "tests" / "renamed_check.py").exists()
    assert (root / "notebooks" / "source" / "support.py").exists()
    assert steps.stale(["notebooks"], root=root) == []
    assert steps.build(["notebooks"], root=root, on_step=finished.append) == []
    generated = len(list((root / "notebooks").rglob("*.ipynb"))
                    + list((root / "notebooks" / "tests").rglob("*.py")))
    assert [(step.name, step.written, step.removed) for step in finished] == [
        ("notebooks", generated, 1), ("notebooks", 0, 0)]
    assert all(step.seconds > 0 for step in finished)


def test_build_prints_a_line_per_step_on_stderr_unless_quiet(capsys):
    stale = steps.stale(["stubs", "notebooks"])
    assert not stale, f"stale: {', '.join(stale)}; run `python -m autograder build` (this test " \
                      "would otherwise rewrite them)"
    assert main(["build", "stubs", "notebooks"]) == 0
    printed = capsys.readouterr()
    assert re.fullmatch(r"stubs +0 files written +\d+\.\d\d s\n"
                        r"notebooks +0 files written +\d+\.\d\d s\n", printed.err), printed.err
    assert "nothing: everything was current" in printed.out
    assert main(["build", "stubs", "notebooks", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_settings_come_from_grading_toml(tmp_path):
    root = _source_copy(tmp_path)
    toml = root / "grading.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("hidden_dim = 512",
                                                             "hidden_dim = 384"),
                    encoding="utf-8")
    text = notebooks.expected_files(root)["notebooks/RNN_Captioning.ipynb"]
    assert "hidden_dim=384" in text and "hidden_dim=512" not in text


def test_unknown_placeholder_is_an_error(tmp_path):
    root = _source_copy(tmp_path)
    section = root / "notebooks" / "source" / "sections" / "handin.md"
    section.write_text(section.read_text(encoding="utf-8") + "\n{{nonsense}}\n", encoding="utf-8")
    with pytest.raises(notebooks.BuildError, match="nonsense"):
        notebooks.expected_files(root)


def test_check_file_must_hold_one_check_function(tmp_path):
    root = _source_copy(tmp_path)
    check = root / "notebooks" / "source" / "checks" / "rnn_forward.py"
    check.write_text(check.read_text(encoding="utf-8") + "\nx = 1\n", encoding="utf-8")
    with pytest.raises(notebooks.BuildError, match="exactly one function"):
        notebooks.expected_files(root)


def test_sections_parse_into_cells():
    text = "\n".join([
        "# Title", "", "Some text.", "+++", "More text.",
        "```{code-cell}", "x = 1", "```",
        "{check} rnn_forward",
        "{question} why 2", "Why?", "{end question}",
        "{support}", "Closing words.",
    ])
    assert sections.parse(text, "x.md") == [
        sections.Markdown("# Title\n\nSome text."), sections.Markdown("More text."),
        sections.Code("x = 1"), sections.Check("rnn_forward"),
        sections.Question("why", "2", "Why?"), sections.Support(),
        sections.Markdown("Closing words."),
    ]


def test_variant_blocks_keep_their_lines_only_with_the_variant():
    text = "\n".join(["Always.", "{sigmoid variant}", "Sigmoid too.", "{check} sigmoid_variant",
                      "{end sigmoid variant}", "Again always."])
    assert sections.parse(text, "x.md") == [
        sections.Markdown("Always.\nSigmoid too."), sections.Check("sigmoid_variant"),
        sections.Markdown("Again always.")]
    assert sections.parse(text, "x.md", sigmoid_variant=False) == [
        sections.Markdown("Always.\nAgain always.")]


@pytest.mark.parametrize("text, message", [
    ("```{code-cell}\nx = 1\n", "code cell not closed"),
    ("{question} why 2\nWhy?\n", "question not closed"),
    ("text\n{end question}\n", "without"),
    ("{sigmoid variant}\ntext\n", "x.md:1: {sigmoid variant} not closed"),
    ("text\n{end sigmoid variant}\n", "x.md:2: {end sigmoid variant} without"),
    ("{sigmoid variant}\n{sigmoid variant}\n", "x.md:2: {sigmoid variant} inside"),
])
def test_malformed_sections_are_reported_with_their_line(text, message):
    with pytest.raises(sections.SectionError, match=message):
        sections.parse(text, "x.md")
