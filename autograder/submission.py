"""Find a student's two files in a folder or a zip: the package to grade.

A submission is a folder or a ``.zip`` that holds ``rnn_layers.py`` and
``classifiers/rnn.py`` anywhere unambiguous: at its root, under ``assignment/``,
or deeper (``cs231n/assignment3/...``); a drag-and-drop upload of ``rnn_layers.py``
and ``rnn.py`` side by side is taken too. Everything else in it is ignored (the
handout's data folder is not even counted); the provided modules always come from
the grader's pristine ``assignment/`` tree. A student file found only under another
name (``rnn_layers (1).py``), or not taken for another reason, gets a sentence in
``Submission.file_notes``, which every item it costs repeats. ``Submission.package``
is what a runner stages: the pristine ``assignment/`` with the taken files over it.

Nothing here trusts the submission: zip entries are never extracted, only the
two files are read, with their declared and actual sizes capped; paths that
climb out of the submission and symbolic links that point outside it are
refused. Every problem becomes a sentence in ``Submission.problems``; nothing
raises for a bad submission.
"""

import collections
import hashlib
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from captiondata import locations

from . import names, paths
from .sandbox import Package

LAYERS = names.LAYERS_FILE
MODEL = names.MODEL_FILE
MODEL_BASENAME = PurePosixPath(MODEL).name
STUDENT_FILES = names.STUDENT_FILES
# The handout's data folder holds thousands of files and never a student file.
IGNORED_FOLDERS = frozenset({"__MACOSX", ".ipynb_checkpoints", "__pycache__",
                             locations.DATASETS_DIR.name})
# A student file saved under another name: "rnn_layers (1).py", "RNN_Layers.py",
# "rnn_layers.py.txt", "rnn copy.py" (matched in lower case).
RENAMED = re.compile(r"(rnn_layers|rnn)[ _-]*(?:\(\d+\)|copy|\d+)?[ ]*\.py(?:\.txt)?")
CHUNK_BYTES = 1 << 16
SHOWN_PATHS = 5
MIB = 1 << 20


@dataclass
class Submission:
    """What was found in one submission.

    Attributes
    ----------
    source : str
        The submission's path as given.
    files : dict of str to bytes
        ``'rnn_layers.py'`` and/or ``'classifiers/rnn.py'``: the UTF-8 text
        of each file that was found and could be taken.
    problems : list of str
        One sentence per problem, saying what to do about it.
    file_notes : dict of str to str
        For each student file that could not be taken, one sentence for the items
        it costs: the file found under another name ("Found `rnn_layers (1).py`;
        the grader reads `rnn_layers.py` ..."), or why its stub was graded.
    """

    source: str
    files: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    file_notes: dict = field(default_factory=dict)

    @property
    def digest(self):
        """Hex SHA-256 over the names and contents of ``files`` (seeds the grading inputs)."""
        sha = hashlib.sha256()
        for name in sorted(self.files):
            for part in (name.encode(), self.files[name]):
                sha.update(len(part).to_bytes(8, "big"))
                sha.update(part)
        return sha.hexdigest()

    @property
    def package(self):
        """The package to grade: the grader's pristine ``assignment/``, the taken files over it.

        A student file that could not be taken stays the template's stub (its functions
        raise NotImplementedError).

        Returns
        -------
        autograder.sandbox.Package
        """
        return Package(paths.ASSIGNMENT_DIR, dict(self.files))


class _Unreadable(Exception):
    """A candidate file that cannot be taken; the message says why."""


@dataclass(frozen=True)
class _Entry:
    """A candidate file: its path inside the submission and how to read it.

    ``read(limit)`` returns the file's bytes, raising ``_Unreadable`` when it
    holds more than ``limit`` bytes or cannot be read.
    """

    path: PurePosixPath
    read: object


def locate(path, limits):
    """Find and read the student's ``rnn_layers.py`` and ``classifiers/rnn.py``.

    Parameters
    ----------
    path : path-like
        A folder or a ``.zip`` file.
    limits : autograder.config.Limits
        ``max_zip_entries`` and ``max_unpacked_mib`` bound what is read.

    Returns
    -------
    Submission
        With the files that could be taken and a sentence per problem.
        Never raises for a bad submission.
    """
    submission = Submission(source=_shown(path))
    root = Path(path)
    if root.is_dir():
        entries, escapes = _folder_entries(root.resolve(), submission.problems)
        _take(submission, entries, limits.max_unpacked_mib * MIB, escapes)
    elif not root.exists():
        submission.problems.append(f"{_shown(path)} does not exist: give the path of a folder "
                                   "or a .zip holding rnn_layers.py and classifiers/rnn.py.")
    elif not (root.is_file() and zipfile.is_zipfile(root)):
        submission.problems.append(
            f"{_shown(root.name)} is neither a folder nor a zip archive: submit a folder or a "
            ".zip holding rnn_layers.py and classifiers/rnn.py.")
    else:
        _locate_in_zip(root, limits, submission)
    return submission


def _locate_in_zip(archive, limits, submission):
    """``locate`` for a zip file: the zip stays open while its two files are read."""
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = _zip_entries(zf, limits, submission.problems)
            if entries is not None:
                _take(submission, entries, limits.max_unpacked_mib * MIB, [])
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        submission.problems.append(f"{_shown(archive.name)} is not a readable zip archive "
                                   f"({error}): create the zip again and resubmit.")


def _take(submission, entries, budget, escapes):
    """Choose one entry per student file, read it and check that it is UTF-8 text."""
    for name, entry in _choose(entries, submission, escapes).items():
        try:
            data = entry.read(budget)
            data.decode("utf-8")
        except _Unreadable as error:
            submission.problems.append(f"{_shown(entry.path)} is {error}; {_consequence(name)}")
            continue
        except UnicodeDecodeError as error:
            submission.problems.append(
                f"{_shown(entry.path)} is not UTF-8 text (byte 0x{data[error.start]:02x} at "
                f"offset {error.start}): save it with UTF-8 encoding and resubmit; "
                f"{_consequence(name)}")
            continue
        budget -= len(data)
        submission.files[name] = data
    for name in STUDENT_FILES:
        if name not in submission.files and name not in submission.file_notes:
            submission.file_notes[name] = (f"Your {name} could not be taken from the submission "
                                           "(see the problems at the top), so the template's "
                                           "was graded.")


def _consequence(name):
    """The sentence end saying what a file that cannot be taken costs."""
    return f"the items that need {name} score 0."


def _choose(entries, submission, escapes):
    """Pick the entry of each student file, or explain why none can be picked.

    A file with several candidates is taken from the one folder that holds both
    ``rnn_layers.py`` and ``classifiers/rnn.py`` when there is exactly one such folder.
    Without any ``classifiers/rnn.py``, the one ``rnn.py`` sitting next to an
    ``rnn_layers.py`` is the model (a drag-and-drop upload of the two files).

    Returns
    -------
    dict of str to _Entry
    """
    found = {LAYERS: [], MODEL: []}
    for entry in entries:
        name = _student_name(entry.path)
        if name:
            found[name].append(entry)
    if not found[MODEL]:
        beside = {e.path.parent for e in found[LAYERS]}
        loose = [e for e in entries if e.path.name == MODEL_BASENAME and e.path.parent in beside]
        found[MODEL] = loose if len(loose) == 1 else []
    complete = ({_package_of(e.path, LAYERS) for e in found[LAYERS]}
                & {_package_of(e.path, MODEL) for e in found[MODEL]})
    chosen = {}
    for name, candidates in found.items():
        if len(candidates) > 1:
            preferred = [e for e in candidates if _package_of(e.path, name) in complete]
            candidates = preferred if len(preferred) == 1 else candidates
        if len(candidates) == 1:
            chosen[name] = candidates[0]
            continue
        if candidates:
            shown = ", ".join(_shown(e.path) for e in candidates[:SHOWN_PATHS])
            submission.problems.append(
                f"{name}: {len(candidates)} copies found ({shown}) and none is the only one "
                "next to the other student file: keep one copy and resubmit; "
                + _consequence(name))
            continue
        renamed = [e for e in entries if _renamed_as(e.path) == PurePosixPath(name).name]
        submission.problems.append(_missing(name, entries, renamed, escapes))
        if renamed:
            submission.file_notes[name] = (
                f"Found `{_shown(renamed[0].path)}`; the grader reads `{name}`: rename it to "
                f"{PurePosixPath(name).name} and resubmit.")
    return chosen


def _missing(name, entries, renamed, escapes):
    """The sentence for a student file that is nowhere in the submission under its name."""
    message = (f"{name} was not found in the submission: put it at the top of the submission "
               f"or under assignment/ and resubmit; {_consequence(name)}")
    if renamed:
        shown = ", ".join(f"`{_shown(e.path)}`" for e in renamed[:SHOWN_PATHS])
        message += f" (found {shown}: the grader reads only files named exactly {name})"
    if name == MODEL:
        loose = [_shown(e.path) for e in entries if e.path.name == MODEL_BASENAME]
        if loose:
            message += f" (found {', '.join(loose[:SHOWN_PATHS])}, not inside classifiers/)"
    if escapes:
        message += (" (not followed: symbolic links pointing outside the submission: "
                    f"{', '.join(escapes[:SHOWN_PATHS])})")
    return message


def _student_name(path):
    """``'rnn_layers.py'`` or ``'classifiers/rnn.py'`` when ``path`` names one, else None."""
    if path.name == LAYERS:
        return LAYERS
    if path.parts[-2:] == ("classifiers", MODEL_BASENAME):
        return MODEL
    return None


def _renamed_as(path):
    """``'rnn_layers.py'`` or ``'rnn.py'`` when ``path`` is that file under another name, else None.

    ``rnn.py`` outside ``classifiers/`` is not a renamed file (see :func:`_missing`).
    """
    match = RENAMED.fullmatch(path.name.lower())
    if not match or path.name in (LAYERS, MODEL_BASENAME):
        return None
    return f"{match.group(1)}.py"


def _candidate(name):
    """True for a file name worth an entry: a student file's, or one of its renamings."""
    return name in (LAYERS, MODEL_BASENAME) or RENAMED.fullmatch(name.lower()) is not None


def _shown(path):
    """``path`` as text that any report can hold (undecodable bytes of a name become U+FFFD)."""
    return os.fsencode(path).decode("utf-8", "replace")


def _package_of(path, name):
    """The folder that plays the part of the ``assignment`` package for a student file."""
    return path.parent if name == LAYERS else path.parent.parent


def _ignored(part):
    """True for a folder whose content is never part of a submission."""
    return part in IGNORED_FOLDERS or part.startswith(".")


def _folder_entries(root, problems):
    """Candidate entries of a folder, never following a symbolic link out of it.

    Parameters
    ----------
    root : Path
        Resolved folder.
    problems : list of str
        Appended to for folders that cannot be read.

    Returns
    -------
    entries : list of _Entry
        Files named ``rnn.py`` or ``rnn_layers.py`` or a renaming of them (candidates
        and near misses); a symbolic link to a file outside the submission is one that
        refuses to be read.
    escapes : list of str
        Symbolic links to folders outside the submission (mentioned if a file is missing).
    """
    entries, escapes, unreadable = [], [], []
    for here, subfolders, files in _walk(root, unreadable):
        escapes += [_shown(_relative(here / name, root)) for name in subfolders
                    if (here / name).is_symlink() and not _inside(here / name, root)]
        for name in files:
            if not _candidate(name):
                continue
            relative = PurePosixPath(_relative(here / name, root).as_posix())
            outside = (here / name).is_symlink() and not _inside(here / name, root)
            entries.append(_Entry(relative, _refused(
                "a symbolic link to a file outside the submission: submit the file itself")
                if outside else _file_reader(here / name)))
    if unreadable:
        shown = ", ".join(f"{_shown(_relative(folder, root))} ({reason})"
                          for folder, reason in unreadable[:SHOWN_PATHS])
        problems.append(f"{len(unreadable)} folder(s) of the submission could not be read and "
                        f"were skipped: {shown}.")
    return entries, escapes


def _walk(root, unreadable):
    """Every folder under ``root``, top down, without recursion and without following links.

    Parameters
    ----------
    root : Path
    unreadable : list of (Path, str)
        Appended to for each folder that cannot be listed, with the reason.

    Yields
    ------
    folder : Path
    subfolders : list of str
        Sorted names of its subfolders that are not ignored (links to folders included,
        though never entered).
    files : list of str
        Sorted names of everything else in it.
    """
    pending = collections.deque([root])
    while pending:
        folder = pending.popleft()
        try:
            with os.scandir(folder) as listing:
                children = [(child.name, _is_folder(child), child.is_symlink())
                            for child in listing]
        except OSError as error:
            unreadable.append((folder, error.strerror or type(error).__name__))
            continue
        children.sort()
        folders = [(name, is_link) for name, is_dir, is_link in children
                   if is_dir and not _ignored(name)]
        pending.extend(folder / name for name, is_link in folders if not is_link)
        subfolders = [name for name, _ in folders]
        files = [name for name, is_dir, _ in children if not is_dir]
        yield folder, subfolders, files


def _is_folder(child):
    """Whether a ``os.DirEntry`` is a folder (following links); False for a link loop."""
    try:
        return child.is_dir()
    except OSError:
        return False


def _relative(path, root):
    """``path`` relative to ``root`` when it is inside, else as given."""
    try:
        return Path(path).relative_to(root)
    except ValueError:
        return Path(path)


def _inside(path, root):
    """True when ``path`` resolves (following every link) to a place inside ``root``."""
    return Path(os.path.realpath(path)).is_relative_to(root)


def _refused(reason):
    """A ``read(limit)`` for a candidate that must not be read: it raises with ``reason``."""

    def read(limit):
        raise _Unreadable(reason)

    return read


def _file_reader(path):
    """A ``read(limit)`` for a file on disk: a regular file of at most ``limit`` bytes."""

    def read(limit):
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise _Unreadable("not a regular file")
            with open(path, "rb") as f:
                data = f.read(limit + 1)
        except OSError as error:
            raise _Unreadable(f"unreadable ({error.strerror})") from error
        if len(data) > limit:
            raise _Unreadable(f"larger than the {limit // MIB} MiB a submission may hold")
        return data

    return read


def _zip_entries(zf, limits, problems):
    """Candidate entries of an open zip, or None when the zip must not be read at all.

    Entries with an absolute path or a ``..`` part are reported and skipped, as
    are entries in ignored folders (which count neither against ``max_zip_entries``
    nor against ``max_unpacked_mib``: a zip of the whole handout folder, data set
    included, is fine); a symbolic link refuses to be read.
    """
    infos = zf.infolist()
    counted = [info for info in infos
               if not any(_ignored(part) for part in _zip_path(info).parts[:-1])]
    if len(counted) > limits.max_zip_entries:
        problems.append(f"the zip holds {len(counted)} entries (not counting datasets/, "
                        f"__MACOSX/ and hidden folders), more than the {limits.max_zip_entries} "
                        "allowed: zip just rnn_layers.py and classifiers/rnn.py and resubmit; "
                        "nothing was graded.")
        return None
    declared = sum(info.file_size for info in counted)
    if declared > limits.max_unpacked_mib * MIB:
        problems.append(f"the zip unpacks to {declared / MIB:.0f} MiB, more than the "
                        f"{limits.max_unpacked_mib} MiB allowed: only rnn_layers.py and "
                        "classifiers/rnn.py were read from it (leave data sets out).")
    entries, unsafe = [], []
    for info in infos:
        path = _zip_path(info)
        if _unsafe(info.filename):
            unsafe.append(repr(info.filename))
            continue
        if info.is_dir() or any(_ignored(part) for part in path.parts[:-1]):
            continue
        if not _candidate(path.name):
            continue
        entries.append(_Entry(path, _refused("a symbolic link inside the zip: zip the file "
                                             "itself") if stat.S_ISLNK(info.external_attr >> 16)
                              else _zip_reader(zf, info)))
    if unsafe:
        problems.append("zip entries pointing outside the archive (absolute path or '..') "
                        f"were ignored: {', '.join(unsafe[:SHOWN_PATHS])} ({len(unsafe)} in all).")
    return entries


def _zip_path(info):
    """The path of a zip entry, with Windows separators read as ``/``."""
    return PurePosixPath(info.filename.replace("\\", "/"))


def _unsafe(name):
    """True for a zip entry name that is absolute or climbs with ``..``."""
    posix = name.replace("\\", "/")
    return (posix.startswith("/") or (len(posix) > 1 and posix[1] == ":")
            or ".." in PurePosixPath(posix).parts)


def _zip_reader(zf, info):
    """A ``read(limit)`` for a zip entry, checking its declared and its actual size."""

    def read(limit):
        if info.file_size > limit:
            raise _Unreadable(f"declared as {info.file_size / MIB:.0f} MiB unpacked, more than "
                              f"the {limit // MIB} MiB a submission may hold")
        allowed = min(info.file_size, limit)
        chunks, size = [], 0
        try:
            with zf.open(info) as f:
                while chunk := f.read(CHUNK_BYTES):
                    size += len(chunk)
                    if size > allowed:
                        raise _Unreadable("bigger unpacked than the zip declares")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError,
                zlib.error) as error:
            raise _Unreadable(f"unreadable in the zip ({error})") from error
        return b"".join(chunks)

    return read

