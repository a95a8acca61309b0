"""The build step that writes the student package ``assignment/`` from the reference ``solutions/``.

A solution region is the lines between ``# BEGIN SOLUTION`` and ``# END
SOLUTION``. Inside a function, the region becomes its leading ``# TODO`` lines
followed by ``raise NotImplementedError``; at module level (private helpers of
the reference) it is dropped. Files without regions are copied unchanged.

The step also owns ``solutions/_package_names.py``, the package's copy of
grading.toml's ``[package] names`` (:mod:`autograder.build.package_names`), and
writes the student package from that generated text, never from a stale copy.
"""

import re

from .. import config, names, paths
from . import package_names, variant
from .markers import BEGIN, END

SOURCE = "solutions"
OUTPUT = names.PACKAGE

TODO = re.compile(r"^\s*# TODO")
DEF = re.compile(r"^\s*def (?P<name>\w+)\(")


class MarkerError(ValueError):
    """Solution markers that do not pair up."""


def stub_source(source, filename):
    """The student version of one reference module's source text.

    Parameters
    ----------
    source : str
        Text of a module under ``solutions/``.
    filename : str
        Its path relative to the package, used in messages.

    Returns
    -------
    str
        The text with every solution region replaced.

    Raises
    ------
    MarkerError
        For an unterminated, nested or stray marker.
    """
    out, region, function, skip_blank = [], None, None, False
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        begin = BEGIN.match(line)
        if skip_blank and not line.strip():
            continue
        skip_blank = False
        if region is None:
            if END.match(line):
                raise MarkerError(f"{filename}:{number}: END SOLUTION without BEGIN")
            if begin:
                region = {"indent": begin["indent"], "todo": [], "start": number}
                continue
            match = DEF.match(line)
            if match:
                function = match["name"]
            out.append(line)
            continue
        if begin:
            raise MarkerError(f"{filename}:{number}: nested BEGIN SOLUTION")
        if END.match(line):
            out += _replacement(region, function, filename)
            skip_blank = not region["indent"]
            region = None
        elif TODO.match(line) and len(region["todo"]) == number - region["start"] - 1:
            region["todo"].append(line)
    if region is not None:
        raise MarkerError(f"{filename}:{region['start']}: BEGIN SOLUTION without END")
    return "".join(out)


def _replacement(region, function, filename):
    """Lines that stand for one region in the student's file."""
    indent = region["indent"]
    if not indent:
        return []
    message = f"{function}: not implemented yet. Fill in the TODO in {filename}."
    return region["todo"] + [f"{indent}raise NotImplementedError({message!r})\n"]


def expected_files(root=paths.REPO_ROOT):
    """Every file of the student package, with its text: this build step's output.

    With grading.toml's ``sigmoid_variant = false`` each reference module is
    first turned into its classic form (:func:`autograder.build.variant.classic_source`).

    Parameters
    ----------
    root : Path
        The repository.

    Returns
    -------
    dict of str to str
        ``assignment/RELATIVE.py`` for every ``solutions/RELATIVE.py``, and
        ``solutions/_package_names.py``.

    Raises
    ------
    MarkerError, autograder.build.variant.VariantError, autograder.config.ConfigError
    """
    settings = config.load(root / paths.GRADING_TOML.name)
    sigmoid_variant = settings.sigmoid_variant
    names_file = f"{SOURCE}/{package_names.FILENAME}"
    files = {names_file: package_names.source(settings.package_names)}
    sources = {path.relative_to(root / SOURCE).as_posix(): path.read_text(encoding="utf-8")
               for path in (root / SOURCE).rglob("*.py")}
    sources[package_names.FILENAME] = files[names_file]
    for relative, text in sorted(sources.items()):
        if not sigmoid_variant:
            text = variant.classic_source(text, relative)
        files[f"{OUTPUT}/{relative}"] = stub_source(text, relative)
    return files


def generated_files(root=paths.REPO_ROOT):
    """Files present under ``root`` that this step owns (it rewrites or removes them).

    Returns
    -------
    set of str
        Paths relative to ``root``.
    """
    owned = {path.relative_to(root).as_posix() for path in (root / OUTPUT).rglob("*.py")}
    names_file = root / SOURCE / package_names.FILENAME
    return owned | ({names_file.relative_to(root).as_posix()} if names_file.is_file() else set())
