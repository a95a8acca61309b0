"""Generate the student package ``assignment/`` from the reference ``solutions/``.

A solution region is the lines between ``# BEGIN SOLUTION`` and ``# END
SOLUTION``. Inside a function, the region becomes its leading ``# TODO`` lines
followed by ``raise NotImplementedError``; at module level (private helpers of
the reference) it is dropped. Files without regions are copied unchanged.
"""

import re
import shutil

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
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


def generate(solutions_dir, assignment_dir):
    """Write the student package for a reference package, replacing the old one.

    Parameters
    ----------
    solutions_dir, assignment_dir : Path
    """
    staging = assignment_dir.with_name(assignment_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for relative, text in expected_files(solutions_dir).items():
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    shutil.rmtree(assignment_dir, ignore_errors=True)
    staging.rename(assignment_dir)


def expected_files(solutions_dir):
    """Map each relative path of the student package to the text it should have.

    Parameters
    ----------
    solutions_dir : Path

    Returns
    -------
    dict of str to str
    """
    files = {}
    for path in sorted(solutions_dir.rglob("*.py")):
        relative = path.relative_to(solutions_dir).as_posix()
        files[relative] = stub_source(path.read_text(encoding="utf-8"), relative)
    return files


def stale_files(solutions_dir, assignment_dir):
    """Relative paths where ``assignment_dir`` differs from what :func:`generate` writes.

    Parameters
    ----------
    solutions_dir, assignment_dir : Path

    Returns
    -------
    list of str
        Files that differ, are missing, or should not be there; empty when current.
    """
    expected = expected_files(solutions_dir)
    present = {
        path.relative_to(assignment_dir).as_posix()
        for path in assignment_dir.rglob("*.py")
    } if assignment_dir.is_dir() else set()
    stale = sorted(present - set(expected))
    for relative, text in expected.items():
        path = assignment_dir / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(relative)
    return sorted(stale)
