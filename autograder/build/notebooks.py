"""Build the student notebooks and their public otter tests from ``notebooks/source/``.

``outline.toml`` lists each notebook's sections; a section
(``sections/NAME.md``, syntax in :mod:`autograder.build.sections`) is written
once and may serve both notebooks. ``{{name}}`` placeholders in sections and
checks are filled per notebook: ``notebook`` (its name), ``cell`` (``rnn`` or
``lstm``), ``Cell`` (upper case), every ``[overfit]`` setting of
``grading.toml``, ``lr_decay`` and ``threshold``, the notebook's own, and
``blas_thread_variables`` (:data:`autograder.blas.THREAD_VARIABLES`). The
``{sigmoid variant}`` blocks of the sections follow grading.toml's
``sigmoid_variant``, and with them the checks they hold.

A public check is one function in ``checks/*.py``, ``check_<test>(<names
defined in the notebook>)``, returning ``{label: (value, limit)}``. It becomes
a notebook cell that runs it and prints every value against its limit, a cell
calling otter's ``grader.check("<test>")``, and the otter test file
``notebooks/tests/<notebook>/<test>.py`` (exception-based format) that fails
when a value exceeds its limit. Each notebook has its own tests folder, as otter
expects of an assignment, so ``otter check`` and ``grader.check_all()`` run
exactly that notebook's tests. ``support.py`` (helpers the checks use) is
copied into the notebooks' setup and into every test file.

Written questions carry otter's manual-grading markup: the prompt opens with
``<!-- BEGIN QUESTION -->``, an answer cell tagged ``otter_answer_cell``
follows, then a cell with ``<!-- END QUESTION -->``.
"""

import ast
import re
import tomllib
from dataclasses import asdict, dataclass

import nbformat

from .. import blas, config, paths
from . import sections

SOURCE = "notebooks/source"
OUTPUT = "notebooks"
TESTS = "notebooks/tests"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
ANSWER_TAG = "otter_answer_cell"
ANSWER_TEXT = "_Type your answer here, replacing this text._"
BEGIN_QUESTION = "<!-- BEGIN QUESTION -->"
END_QUESTION = "<!-- END QUESTION -->"
LOCKED = {"editable": False, "deletable": False}
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                   "name": "python3"},
    "language_info": {"name": "python"},
}


class BuildError(ValueError):
    """The notebook sources are inconsistent; the message names the file."""


@dataclass(frozen=True)
class RenderedCheck:
    """A check with its placeholders filled: test name, the notebook names it takes, its code."""

    name: str
    params: tuple
    code: str
    source: str


def expected_files(root=paths.REPO_ROOT):
    """Every file this step writes, with its text.

    Parameters
    ----------
    root : Path
        The repository.

    Returns
    -------
    dict of str to str
        Paths relative to ``root``: ``notebooks/NAME.ipynb`` and
        ``notebooks/tests/NAME/TEST.py``.

    Raises
    ------
    BuildError, autograder.build.sections.SectionError, autograder.config.ConfigError
    """
    source = root / SOURCE
    support = _read(source / "support.py")
    files = {}
    for name, variables, parsed in _parsed_notebooks(root):
        cells, checks = [], {}
        for section, items in parsed:
            for index, item in enumerate(items, start=1):
                cells += _cells(item, f"{section}-{index}", source, variables, support, checks)
        files[f"{OUTPUT}/{name}.ipynb"] = _notebook_text(cells, name)
        for check in checks.values():
            files[f"{TESTS}/{name}/{check.name}.py"] = _test_file(check, support)
    return files


def written_questions(root=paths.REPO_ROOT):
    """The manually graded written questions of every notebook, as the sources declare them.

    Parameters
    ----------
    root : Path
        The repository.

    Returns
    -------
    list of (str, autograder.build.sections.Question)
        Notebook name and question (placeholders of its prompt filled), in
        notebook and section order.

    Raises
    ------
    BuildError, autograder.build.sections.SectionError, autograder.config.ConfigError
    """
    return [(name, item) for name, _, parsed in _parsed_notebooks(root)
            for _, items in parsed for item in items if isinstance(item, sections.Question)]


def question_cell_id(name):
    """The id of the prompt cell of written question ``name`` (its answer cells follow it)."""
    return f"question-{name}"


def _parsed_notebooks(root):
    """Each notebook's name, placeholder values and ``[(section, items)]``, in outline order."""
    source = root / SOURCE
    outline = _read_outline(source / "outline.toml")
    settings = config.load(root / paths.GRADING_TOML.name)
    overfit = asdict(settings.overfit)
    for name, notebook in outline.items():
        variables = _variables(name, notebook["cell"], overfit)
        parsed = []
        for section in notebook["sections"]:
            path = source / "sections" / f"{section}.md"
            text = _render(_read(path), variables, path)
            parsed.append((section, sections.parse(text, path.relative_to(root).as_posix(),
                                                   settings.sigmoid_variant)))
        yield name, variables, parsed


def generated_files(root=paths.REPO_ROOT):
    """Files present under ``root`` that this step owns (it rewrites or removes them).

    Returns
    -------
    set of str
        Paths relative to ``root``.
    """
    owned = set((root / OUTPUT).glob("*.ipynb")) | set((root / TESTS).rglob("*.py"))
    return {path.relative_to(root).as_posix() for path in owned}


def _read(path):
    """The text of a source file; BuildError when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise BuildError(f"cannot read {path}: {error.strerror or error}") from error


def _read_outline(path):
    """``{notebook name: {"cell": ..., "sections": [...]}}`` from ``outline.toml``."""
    try:
        notebooks = tomllib.loads(_read(path))["notebooks"]
    except (tomllib.TOMLDecodeError, KeyError) as error:
        raise BuildError(f"{path}: needs a valid [notebooks.NAME] table per notebook "
                         f"({error})") from error
    for name, notebook in notebooks.items():
        if notebook.get("cell") not in ("rnn", "lstm") or not notebook.get("sections"):
            raise BuildError(f"{path}: [notebooks.{name}] needs cell = 'rnn' or 'lstm' "
                             "and a list of sections")
    return notebooks


def _variables(name, cell, overfit):
    """The placeholder values of one notebook."""
    values = dict(overfit, notebook=name, cell=cell, Cell=cell.upper(),
                  lr_decay=overfit[f"{cell}_lr_decay"], threshold=overfit[f"{cell}_threshold"],
                  blas_thread_variables=blas.THREAD_VARIABLES)
    return {key: str(value) for key, value in values.items()}


def _render(text, variables, path):
    """``text`` with every ``{{name}}`` replaced by its value."""
    def value(match):
        if match[1] not in variables:
            raise BuildError(f"{path}: unknown placeholder {match[0]} "
                             f"(known: {', '.join(sorted(variables))})")
        return variables[match[1]]
    return PLACEHOLDER.sub(value, text)


def _cells(item, cell_id, source, variables, support, checks):
    """The notebook cells of one parsed section item; records the checks it uses.

    Ids are stable: a Markdown or code cell gets ``cell_id`` (section and
    position), the others the name of their check or question.
    """
    if isinstance(item, sections.Markdown):
        return [nbformat.v4.new_markdown_cell(item.text, id=cell_id)]
    if isinstance(item, sections.Code):
        return [nbformat.v4.new_code_cell(item.text, id=cell_id)]
    if isinstance(item, sections.Support):
        return [nbformat.v4.new_code_cell(support.strip("\n"), id="support")]
    if isinstance(item, sections.Question):
        return _question_cells(item)
    check = _rendered_check(source / "checks" / f"{item.source}.py", variables)
    if check.name in checks:
        raise BuildError(f"the check {check.name!r} appears twice in one notebook")
    checks[check.name] = check
    arguments = ", ".join(check.params)
    return [
        nbformat.v4.new_code_cell(f"{check.code}\n\n\nrun_check(check_{check.name}, {arguments})",
                                  id=f"check-{check.name}"),
        nbformat.v4.new_code_cell(f'grader.check("{check.name}")', id=f"check-{check.name}-otter",
                                  metadata=dict(LOCKED)),
    ]


def _question_cells(question):
    """Prompt, answer and closing cells of a manually graded question, marked up as otter does."""
    prompt = f"{BEGIN_QUESTION}\n\n{question.prompt}\n\n_Points:_ {question.points}"
    cell_id = question_cell_id(question.name)
    return [
        nbformat.v4.new_markdown_cell(prompt, id=cell_id, metadata=dict(LOCKED)),
        nbformat.v4.new_markdown_cell(ANSWER_TEXT, id=f"{cell_id}-answer",
                                      metadata={"tags": [ANSWER_TAG]}),
        nbformat.v4.new_markdown_cell(END_QUESTION, id=f"{cell_id}-end",
                                      metadata=dict(LOCKED)),
    ]


def _rendered_check(path, variables):
    """Read, fill in and inspect one check file.

    Raises
    ------
    BuildError
        Unless the file is exactly one function ``check_<name>`` of plain parameters.
    """
    code = _render(_read(path), variables, path).strip("\n")
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise BuildError(f"{path}: {error}") from error
    function = tree.body[0] if len(tree.body) == 1 else None
    if not (isinstance(function, ast.FunctionDef) and function.name.startswith("check_")):
        raise BuildError(f"{path}: must hold exactly one function named check_<test name>")
    arguments = function.args
    if (arguments.posonlyargs or arguments.kwonlyargs or arguments.vararg or arguments.kwarg
            or arguments.defaults):
        raise BuildError(f"{path}: {function.name} takes plain parameters only (names defined "
                         "in the notebook)")
    return RenderedCheck(name=function.name[len("check_"):],
                         params=tuple(arg.arg for arg in arguments.args), code=code,
                         source=path.name)


def _notebook_text(cells, name):
    """The notebook file's text, validated, with a trailing newline."""
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=NOTEBOOK_METADATA)
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise BuildError(f"{name}.ipynb would be invalid: {error.message}") from error
    return nbformat.writes(notebook).rstrip("\n") + "\n"


def _test_file(check, support):
    """The otter test file of one check (otter's exception-based format)."""
    arguments = ", ".join(check.params)
    support = support.strip("\n")
    return f'''"""Public test `{check.name}` of the student notebooks, in otter-grader's format.

Written by `python -m autograder build` from notebooks/source/checks/{check.source};
edit that file (and notebooks/source/support.py), not this one.
"""

from otter.test_files import test_case

{support}


{check.code}


OK_FORMAT = False
name = "{check.name}"


@test_case(hidden=False)
def test_{check.name}({arguments}):
    """Fails with every value of the check that exceeds its limit."""
    problems = over_limit(check_{check.name}({arguments}))
    assert not problems, "; ".join(problems)
'''
