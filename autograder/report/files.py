"""Writing report files so that a reader never sees half of one."""

import os
import tempfile
from pathlib import Path


def atomic_write(path, content):
    """Write ``content`` to ``path`` through a temporary file in the same folder.

    The temporary file is renamed over ``path`` only once it is complete, so an
    interruption leaves either the old file or none, never a partial one, and no
    temporary file behind.

    Parameters
    ----------
    path : path-like
    content : str or bytes
        Text is written as UTF-8.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        When the folder is not writable.
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
