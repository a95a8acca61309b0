"""Pack the files the grader reads into ``submission.zip`` (provided to students).

``python -m assignment.handin`` (or ``handin.hand_in()`` from a notebook) first
checks that the graded files exist, import, and have no function that still
raises ``NotImplementedError``; it refuses, saying why, otherwise. With
``--partial`` (``hand_in(partial=True)``) unfinished functions do not stop the
hand-in: the zip is written and the functions still unimplemented are named,
so unfinished work can be handed in before a deadline. The check
runs the student's code in a separate Python process on tiny inputs, so a crash
or an endless loop there cannot take the notebook down. The zip holds the
graded files under ``assignment/`` and the two notebooks under ``notebooks/``
when they exist (the grader ignores them; they carry the written answers).
"""

import argparse
import contextlib
import importlib
import json
import subprocess
import sys
import traceback
import zipfile
from pathlib import Path

import numpy as np

# The files the grader reads, relative to the package folder, and the package's name: copies of
# autograder.names (students do not get the grader), which a test keeps equal.
GRADED_FILES = ("rnn_layers.py", "classifiers/rnn.py")
ARCHIVE_PACKAGE = "assignment"
NOTEBOOKS = ("RNN_Captioning.ipynb", "LSTM_Captioning.ipynb")
ARCHIVE_NOTEBOOKS = "notebooks"
ZIP_NAME = "submission.zip"
PROBE_SECONDS = 120

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent


class Refusal(Exception):
    """The submission cannot be handed in yet; the message says why and what to do."""


def create_submission(out=None, partial=False):
    """Check the graded files and write the zip.

    Parameters
    ----------
    out : path-like or None
        Where to write; default ``submission.zip`` in the folder above the package.
    partial : bool
        Write the zip even when functions still raise ``NotImplementedError``.

    Returns
    -------
    path : Path
        The zip written.
    names : list of str
        Its entries.
    unfinished : list of str
        The functions that still raise ``NotImplementedError`` (empty unless ``partial``).

    Raises
    ------
    Refusal
        When a graded file is missing or cannot be imported, or, unless
        ``partial``, still has a function that raises ``NotImplementedError``.
    """
    missing = [name for name in GRADED_FILES if not (PACKAGE_DIR / name).is_file()]
    if missing:
        raise Refusal("Missing " + ", ".join(f"{ARCHIVE_PACKAGE}/{name}" for name in missing)
                      + ": the grader needs both graded files. Restore them and hand in again.")
    report = _probe_in_subprocess()
    if report["errors"]:
        raise Refusal("Your code cannot be imported:\n"
                      + _listed(report["errors"])
                      + "\nFix this and hand in again.")
    if report["unfinished"] and not partial:
        raise Refusal("These functions still raise NotImplementedError:\n"
                      + _listed(report["unfinished"])
                      + "\nFinish them and hand in again, or hand in what you have with "
                        f"`python -m {__package__}.handin --partial` (in a notebook: "
                        "`handin.hand_in(partial=True)`); they score nothing.")
    path = Path(out) if out is not None else ROOT / ZIP_NAME
    entries = [(PACKAGE_DIR / name, f"{ARCHIVE_PACKAGE}/{name}") for name in GRADED_FILES]
    entries += [(ROOT / ARCHIVE_NOTEBOOKS / name, f"{ARCHIVE_NOTEBOOKS}/{name}")
                for name in NOTEBOOKS if (ROOT / ARCHIVE_NOTEBOOKS / name).is_file()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for source, name in entries:
            archive.write(source, name)
    return path, [name for _, name in entries], report["unfinished"]


def _listed(names):
    """One indented ``- name`` line per name."""
    return "\n".join(f"  - {name}" for name in names)


def hand_in(out=None, partial=False):
    """Write the zip, or print why not; returns whether it was written.

    Parameters
    ----------
    out : path-like or None
    partial : bool
        As for :func:`create_submission`.
    """
    try:
        path, names, unfinished = create_submission(out, partial)
    except Refusal as refusal:
        print(f"Not handed in. {refusal}")
        return False
    print(f"Wrote {path} with:\n" + "\n".join(f"  {name}" for name in names))
    if unfinished:
        print("Handed in unfinished: these functions still raise NotImplementedError and "
              "will score nothing:\n" + _listed(unfinished))
    absent = [name for name in NOTEBOOKS if f"{ARCHIVE_NOTEBOOKS}/{name}" not in names]
    if absent:
        print("Not found, so not included: " + ", ".join(absent)
              + f" (expected in {ROOT / ARCHIVE_NOTEBOOKS}).")
    print("Upload this file.")
    return True


def _probe_in_subprocess():
    """Run :func:`_probe` in a fresh interpreter; its report as a dict."""
    command = [sys.executable, "-m", f"{__package__}.handin", "--probe"]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              timeout=PROBE_SECONDS)
    except subprocess.TimeoutExpired:
        raise Refusal(f"Calling your functions on tiny inputs took over {PROBE_SECONDS} s; "
                      "look for an endless loop.") from None
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise Refusal(f"Checking your code crashed Python (exit status {done.returncode}):\n"
                      f"{tail}") from None


def _probe():
    """Import the graded modules and call every student function on tiny inputs.

    Returns
    -------
    dict
        ``errors``: why a graded module cannot be imported; ``unfinished``: the
        functions that raised ``NotImplementedError``, in the order they were met.
    """
    report = {"errors": [], "unfinished": []}
    modules = {}
    for name in GRADED_FILES:
        dotted = f"{__package__}." + name[:-len(".py")].replace("/", ".")
        try:
            modules[name] = importlib.import_module(dotted)
        except SyntaxError as error:
            problem = (f"{_in_package(error.filename, name)}, line {error.lineno}: "
                       f"SyntaxError: {error.msg}")
        except Exception as error:  # anything raised while the module runs
            problem = f"{name}: {type(error).__name__}: {error}"
        else:
            continue
        if problem not in report["errors"]:  # a broken rnn_layers.py breaks both imports
            report["errors"].append(problem)
    if not report["errors"]:
        for call in _calls(*(modules[name] for name in GRADED_FILES)):
            try:
                call()
            except NotImplementedError as error:
                name = _raiser(error)
                if name not in report["unfinished"]:
                    report["unfinished"].append(name)
            except Exception:  # a bug, not an unfinished function: the grader will see it
                pass
    return report


def _in_package(filename, default):
    """``filename`` relative to the package folder, or ``default`` when it is elsewhere."""
    try:
        return Path(filename).resolve().relative_to(PACKAGE_DIR).as_posix()
    except (TypeError, ValueError):
        return default


def _raiser(error):
    """The name of the function that raised ``error`` (its innermost frame), with its class."""
    *_, (frame, _) = traceback.walk_tb(error.__traceback__)
    return getattr(frame.f_code, "co_qualname", frame.f_code.co_name)


def _calls(layers, model):
    """Callables that run every student function once on tiny inputs.

    A backward pass gets the cache of its forward pass when that worked, and
    None otherwise: an unfinished backward pass raises before looking at it.
    """
    rng = np.random.default_rng(0)
    N, T, D, H, V = 2, 3, 4, 5, 6

    def randn(*shape):
        return rng.standard_normal(shape)

    def pair(forward, backward, forward_args, upstream):
        def run():
            cache = None
            with contextlib.suppress(NotImplementedError):
                cache = forward(*forward_args)[-1]
            backward(*upstream, cache)
        return [lambda: forward(*forward_args), run]

    words = rng.integers(V, size=(N, T))
    calls = []
    calls += pair(layers.rnn_step_forward, layers.rnn_step_backward,
                  (randn(N, D), randn(N, H), randn(D, H), randn(H, H), randn(H)), [randn(N, H)])
    calls += pair(layers.rnn_forward, layers.rnn_backward,
                  (randn(N, T, D), randn(N, H), randn(D, H), randn(H, H), randn(H)),
                  [randn(N, T, H)])
    calls += pair(layers.word_embedding_forward, layers.word_embedding_backward,
                  (words, randn(V, D)), [randn(N, T, D)])
    calls += pair(layers.lstm_step_forward, layers.lstm_step_backward,
                  (randn(N, D), randn(N, H), randn(N, H), randn(D, 4 * H), randn(H, 4 * H),
                   randn(4 * H)), [randn(N, H), randn(N, H)])
    calls += pair(layers.lstm_forward, layers.lstm_backward,
                  (randn(N, T, D), randn(N, H), randn(D, 4 * H), randn(H, 4 * H), randn(4 * H)),
                  [randn(N, T, H)])
    vocabulary = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "cat": 4, "sat": 5}
    features, captions = randn(N, D), np.array([[1, 3, 4, 2, 0]] * N)
    for cell_type in ("rnn", "lstm"):
        def captioner(cell_type=cell_type):
            return model.CaptioningRNN(vocabulary, input_dim=D, wordvec_dim=D, hidden_dim=H,
                                       cell_type=cell_type)
        calls.append(lambda make=captioner: make().loss(features, captions))
        calls.append(lambda make=captioner: make().sample(features, max_length=3))
    return calls


def main(argv=None):
    """``python -m assignment.handin [--out PATH] [--partial]``; returns the exit status."""
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}.handin",
                                     description="Check your work and write submission.zip.")
    parser.add_argument("--out", default=None,
                        help=f"where to write the zip (default: {ROOT / ZIP_NAME})")
    parser.add_argument("--partial", action="store_true",
                        help="write the zip even if some functions are unfinished (they are "
                             "named, and score nothing)")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        with contextlib.redirect_stdout(sys.stderr):
            report = _probe()
        print(json.dumps(report))
        return 0
    return 0 if hand_in(args.out, args.partial) else 1


if __name__ == "__main__":
    sys.exit(main())
