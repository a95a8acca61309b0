"""The steps of ``python -m autograder build``: the committed generated files and the dist/ bundles.

The committed steps write ``assignment/`` from ``solutions/`` (``stubs``), the
student notebooks with their public otter tests (``notebooks``) and the list of
known mistakes, ``docs/mistakes.md``, from their catalogue (``mistake_list``); the bundle steps
build their archives from what those steps generate, never from files on disk
that may be stale.

A step is a module of this package with two functions:

- ``expected_files(root)`` -> ``{relative path: str or bytes}``, everything it writes;
- ``generated_files(root)`` -> the relative paths present under ``root`` that it
  owns, so that files it no longer writes are removed.

Writing and the staleness check are the same for every step and live here.
"""

import importlib
import time
from dataclasses import dataclass

from .. import paths

# Steps whose output is committed (a test fails when it is stale) ...
COMMITTED_STEPS = ("stubs", "notebooks", "mistake_list")
# ... and steps that write the gitignored bundles of dist/.
BUNDLE_STEPS = ("student_bundle", "gradescope_bundle", "otter_bundle")
STEPS = COMMITTED_STEPS + BUNDLE_STEPS


@dataclass(frozen=True)
class StepDone:
    """A finished build step: its name, the files it wrote and removed, and its seconds."""

    name: str
    written: int
    removed: int
    seconds: float


def _module(step):
    """The module of a step, imported when first needed."""
    return importlib.import_module(f".{step}", __package__)


def build(steps=STEPS, root=paths.REPO_ROOT, on_step=None):
    """Write the output of each step and remove the files it no longer writes.

    Parameters
    ----------
    steps : sequence of str
        Names in :data:`STEPS`.
    root : Path
    on_step : callable or None
        Called with a :class:`StepDone` as soon as each step is finished
        (progress reports).

    Returns
    -------
    list of str
        The relative paths that were written, changed or removed.
    """
    touched = []
    for step in steps:
        start = time.perf_counter()
        module = _module(step)
        expected = module.expected_files(root)
        removed = sorted(module.generated_files(root) - set(expected))
        for relative in removed:
            (root / relative).unlink()
        written = [relative for relative, content in sorted(expected.items())
                   if _differs(root / relative, content)]
        for relative in written:
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            _write(target, expected[relative])
        touched += removed + written
        if on_step is not None:
            on_step(StepDone(step, len(written), len(removed), time.perf_counter() - start))
    return touched


def stale(steps=COMMITTED_STEPS, root=paths.REPO_ROOT):
    """Relative paths where the tree differs from what :func:`build` would write.

    Returns
    -------
    list of str
        Files that differ, are missing or should not be there; empty when current.
    """
    found = []
    for step in steps:
        module = _module(step)
        expected = module.expected_files(root)
        found += sorted(module.generated_files(root) - set(expected))
        found += sorted(relative for relative, content in expected.items()
                        if _differs(root / relative, content))
    return found


def _differs(path, content):
    """Whether ``path`` is missing or holds something other than ``content``."""
    if not path.is_file():
        return True
    if isinstance(content, bytes):
        return path.read_bytes() != content
    return path.read_text(encoding="utf-8") != content


def _write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="\n")
