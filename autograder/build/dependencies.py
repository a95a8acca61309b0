"""The requirements files of the bundles, generated from ``pyproject.toml`` (their one home)."""

import tomllib

PYPROJECT = "pyproject.toml"


def requirements(root, extra):
    """A ``requirements.txt``: the project's dependencies and those of one of its extras.

    Parameters
    ----------
    root : Path
        The repository.
    extra : str
        A key of ``[project.optional-dependencies]``, e.g. ``"student"``.

    Returns
    -------
    bytes
        One requirement a line, in pyproject.toml's order.

    Raises
    ------
    KeyError
        For an extra that pyproject.toml does not declare.
    """
    project = tomllib.loads((root / PYPROJECT).read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] + project["optional-dependencies"][extra]
    return "".join(f"{line}\n" for line in lines).encode()
