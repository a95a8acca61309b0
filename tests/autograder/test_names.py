"""One home per name: the student package, its graded files and the special words.

``autograder.names`` holds the package's and the graded files' names; the two modules
that cannot import the grader keep copies, checked here; no other module of the
packages spells one of them out, and only ``captiondata.layout`` lists the special words.
"""

import ast
import importlib

import pytest

from autograder import names, paths
from autograder.sandbox import dispatch
from captiondata import layout
from solutions import handin

PACKAGES = ("autograder", "solutions", "captiondata")
# Modules allowed to spell the names out: their home, and the copies checked below.
HOMES = {"autograder/names.py", "autograder/sandbox/dispatch.py", "solutions/handin.py",
         "solutions/_package_names.py"}
SPELLED = {names.PACKAGE, *names.STUDENT_FILES, *names.STUDENT_MODULES}


def _modules():
    """Every module of the packages in ``PACKAGES``."""
    return sorted(path for package in PACKAGES
                  for path in (paths.REPO_ROOT / package).rglob("*.py"))


def _constants(tree):
    """Every string constant of a module's syntax tree, with its line."""
    return [(node.value, node.lineno) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_the_hand_in_copies_the_graders_names():
    assert handin.GRADED_FILES == names.STUDENT_FILES
    assert handin.ARCHIVE_PACKAGE == names.PACKAGE


def test_the_sandboxed_child_copies_the_package_name():
    assert dispatch.PACKAGE == names.PACKAGE


@pytest.mark.parametrize("module", names.STUDENT_MODULES)
def test_the_names_name_the_references_files_and_modules(module):
    assert (paths.SOLUTIONS_DIR / names.file_of(module)).is_file()
    assert (paths.REPO_ROOT / names.PACKAGE / names.file_of(module)).is_file()
    assert importlib.import_module(f"solutions.{module}").__file__.endswith(names.file_of(module))


def test_no_other_module_spells_the_names_out():
    spelled = []
    for path in _modules():
        relative = path.relative_to(paths.REPO_ROOT).as_posix()
        if relative in HOMES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        spelled += [f"{relative}:{line}: {value!r}" for value, line in _constants(tree)
                    if value in SPELLED]
    assert spelled == [], "import these from autograder.names: " + "; ".join(spelled)


def test_only_the_data_layout_lists_the_special_words():
    listed = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Tuple, ast.List)):
                words = {item.value for item in node.elts if isinstance(item, ast.Constant)}
                if set(layout.SPECIAL_TOKENS) <= words:
                    listed.append(path.relative_to(paths.REPO_ROOT).as_posix())
    assert listed == ["captiondata/layout.py"]
