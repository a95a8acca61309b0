"""The names the student's package, modules and graded files go by: one home for each.

The grader, its build steps and its benchmarks import them from here. Two modules
cannot import the grader and keep a copy, which a test checks against these:
``solutions/handin.py`` (shipped to students) and ``autograder/sandbox/dispatch.py``
(copied into the sandboxed child). The item names are grading.toml's, listed in
``autograder.config.ITEMS``; the special words of a vocabulary are the data set's,
in ``captiondata.layout.SPECIAL_TOKENS``.
"""

PACKAGE = "assignment"
LAYERS_MODULE = "rnn_layers"
MODEL_MODULE = "classifiers.rnn"


def file_of(module):
    """The file of a module of the package, relative to the package's folder.

    Parameters
    ----------
    module : str
        Dotted, relative to the package, e.g. ``"classifiers.rnn"``.

    Returns
    -------
    str
        E.g. ``"classifiers/rnn.py"``.
    """
    return module.replace(".", "/") + ".py"


LAYERS_FILE = file_of(LAYERS_MODULE)
MODEL_FILE = file_of(MODEL_MODULE)
# The files a student hands in and the grader reads, relative to the package's folder.
STUDENT_FILES = (LAYERS_FILE, MODEL_FILE)
STUDENT_MODULES = (LAYERS_MODULE, MODEL_MODULE)
