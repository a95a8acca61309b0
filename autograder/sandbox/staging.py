"""The package student code runs as, written once into the folder a runner imports it from.

A ``Package`` says what to stage: a tree laid out as ``assignment/`` (the grader's
pristine stubs, or ``solutions/`` in tests) and the files written over it (the
student's). A runner stages it itself, straight into the folder its code imports
from: ``SandboxRunner`` into the private folder of its child, ``InProcessRunner``
into a temporary folder of its own. ``make_readable`` is the one way every file the
child reads is opened to it, whatever the isolation mode (the child may run as
another uid).
"""

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import captiondata

from .dispatch import PACKAGE

DATA_PACKAGE = Path(captiondata.__file__).parent
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")
READABLE_FOLDER, READABLE_FILE = 0o755, 0o644


@dataclass(frozen=True)
class Package:
    """What to stage: a package tree, and the files that replace some of its modules.

    Attributes
    ----------
    tree : path-like
        A folder laid out as the ``assignment`` package, copied first (without caches).
    files : dict of str to bytes
        Paths relative to the package (``"rnn_layers.py"``, ``"classifiers/rnn.py"``)
        and the bytes written over the tree's file of that name.
    """

    tree: os.PathLike | str
    files: dict = field(default_factory=dict)

    def stage(self, dest):
        """Write ``dest/assignment`` and the pristine ``dest/captiondata``, readable by all.

        The provided ``coco_utils`` imports ``captiondata``, which the child cannot
        import from the grader's installation.

        Parameters
        ----------
        dest : path-like
            A folder (created if needed) without an ``assignment`` or ``captiondata``
            entry; it is what the runner puts on ``sys.path``.

        Returns
        -------
        Path
            ``dest``.

        Raises
        ------
        FileExistsError
            When ``dest`` already holds a staged package.
        """
        dest = Path(dest)
        package = dest / PACKAGE
        shutil.copytree(self.tree, package, ignore=SKIPPED)
        shutil.copytree(DATA_PACKAGE, dest / DATA_PACKAGE.name, ignore=SKIPPED)
        for name, data in self.files.items():
            (package / name).write_bytes(data)
        make_readable(dest)
        return dest


def make_readable(folder):
    """Let every user read ``folder``'s tree and enter its folders; only its owner writes.

    Parameters
    ----------
    folder : path-like
        A tree of folders and regular files (as ``shutil.copytree`` writes them).
    """
    for parent, _, files in os.walk(folder):
        os.chmod(parent, READABLE_FOLDER)
        for name in files:
            os.chmod(os.path.join(parent, name), READABLE_FILE)
