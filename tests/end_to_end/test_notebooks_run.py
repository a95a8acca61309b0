"""Both student notebooks run top to bottom in a real kernel, on the embedded data.

With the reference package in place of ``assignment/`` every check passes, every
plot is drawn and the hand-in writes the zip. With the student stubs every check
reports its failure, the training and sampling cells say they were skipped, the
hand-in refuses, and still no cell raises.
"""

import time
import zipfile

import pytest

from captiondata import locations

from support.notebooks import (NOTEBOOKS, cell, check_names, execute, has_image, make_workspace,
                              pin_kernel, text_of)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not locations.EMBEDDED_DIR.exists(),
                       reason=f"the embedded data set is not built ({locations.EMBEDDED_DIR}); "
                              "run `python -m captiondata build-embedded`"),
]


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory):
    """JUPYTER_PATH holding a python3 kernel spec of this interpreter, for the whole module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(pin_kernel(tmp_path_factory.mktemp("jupyter"))))
        yield


def _run(tmp_path_factory, package, name):
    workspace = make_workspace(tmp_path_factory.mktemp(f"{package}-{name[:-6]}"), package)
    start = time.perf_counter()
    notebook = execute(workspace, name)
    seconds = time.perf_counter() - start
    print(f"{name} with {package}/ ran in {seconds:.1f} s")
    return workspace, notebook


@pytest.fixture(scope="module", params=NOTEBOOKS)
def reference_run(request, kernel_path, tmp_path_factory):
    """(workspace, executed notebook) with a copy of solutions/ as the assignment package."""
    return _run(tmp_path_factory, "solutions", request.param)


@pytest.fixture(scope="module", params=NOTEBOOKS)
def stub_run(request, kernel_path, tmp_path_factory):
    """(workspace, executed notebook) with the student stubs of assignment/."""
    return _run(tmp_path_factory, "assignment", request.param)


def _code_cells(notebook, *needles):
    """Code cells whose source contains any of ``needles``."""
    return [c for c in notebook.cells if c.cell_type == "code"
            and any(needle in c.source for needle in needles)]


def test_reference_passes_every_check(reference_run):
    _, notebook = reference_run
    names = check_names(notebook)
    assert names
    for name in names:
        printed = text_of(cell(notebook, f"check-{name}"))
        assert "✓" in printed and "✗" not in printed, f"{name}:\n{printed}"
        otter = text_of(cell(notebook, f"check-{name}-otter"))
        assert "All test cases passed" in otter, f"{name}:\n{otter}"


def test_reference_draws_every_plot(reference_run):
    _, notebook = reference_run
    drawing = _code_cells(notebook, "plt.show()", "show_images(")
    assert len(drawing) >= 3
    for code_cell in drawing:
        assert has_image(code_cell), f"no image from:\n{code_cell.source}\n{text_of(code_cell)}"
    assert not any("Skipped" in text_of(c) for c in notebook.cells if c.cell_type == "code")


def test_reference_hand_in_writes_the_zip(reference_run):
    workspace, notebook = reference_run
    printed = text_of(notebook.cells[-1])
    assert "submission.zip" in printed and "Not handed in" not in printed, printed
    with zipfile.ZipFile(workspace / "submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted(
            ["assignment/rnn_layers.py", "assignment/classifiers/rnn.py"]
            + [f"notebooks/{name}" for name in NOTEBOOKS])


def test_stubs_report_every_check_as_failing(stub_run):
    _, notebook = stub_run
    for name in check_names(notebook):
        printed = text_of(cell(notebook, f"check-{name}"))
        assert "✗" in printed and "✓" not in printed, f"{name}:\n{printed}"
        otter = text_of(cell(notebook, f"check-{name}-otter"))
        assert "Test case failed" in otter, f"{name}:\n{otter}"
    first = text_of(cell(notebook, f"check-{check_names(notebook)[0]}"))
    assert "not implemented yet" in first, first


def test_stubs_skip_training_and_sampling(stub_run):
    _, notebook = stub_run
    guarded = _code_cells(notebook, "with skipped_if_unfinished(")
    assert guarded
    for code_cell in guarded:
        printed = text_of(code_cell)
        assert "Skipped" in printed and "not implemented yet" in printed, printed


def test_stubs_hand_in_refuses(stub_run):
    workspace, notebook = stub_run
    printed = text_of(notebook.cells[-1])
    assert "Not handed in" in printed and "rnn_step_forward" in printed, printed
    assert not (workspace / "submission.zip").exists()
