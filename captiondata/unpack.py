"""Unpack a downloaded ``coco_captioning.zip`` safely into its destination folder.

The zip is unpacked into a temporary sibling of the destination, checked, and
only then renamed into place, so the destination never holds a half-unpacked
folder. Temporary folders are removed whether or not this succeeds.
"""

import os
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath, PureWindowsPath

from . import layout
from .fetch import CHUNK_SIZE, disk_full_error, is_disk_full
from .progress import byte_progress

ZIP_TOP_FOLDER = "coco_captioning"
STAGING_MARK = ".unpack-"
EXTRACTED = "extracted"  # staging subfolder the zip is unpacked into
PREVIOUS = "previous"  # staging subfolder an older destination is moved into
CHECK_URL = "Check that --url points at the course's coco_captioning.zip."


class ArchiveError(ValueError):
    """The zip is corrupt, unsafe or does not hold a usable ``coco_captioning`` folder."""


def staging_prefix(dest):
    """Name prefix of the temporary folders that unpack into ``dest``'s parent."""
    return f".{Path(dest).name}{STAGING_MARK}"


def remove_stale_staging(dest):
    """Delete temporary folders left next to ``dest`` by an unpack that was killed."""
    dest = Path(dest)
    for folder in dest.parent.glob(staging_prefix(dest) + "*"):
        shutil.rmtree(folder, ignore_errors=True)


def unpack(zip_path, dest, full_set=True, progress=True):
    """Unpack ``zip_path``, check its ``coco_captioning`` folder and move it to ``dest``.

    An existing ``dest`` is replaced only once the new folder has passed the check.

    Parameters
    ----------
    zip_path : path-like
    dest : path-like
        The folder to create or replace.
    full_set : bool
        Require the row counts of the full published set (see
        :func:`captiondata.layout.check_layout`).
    progress : bool
        Show the bytes unpacked on stderr (:func:`captiondata.progress.byte_progress`).

    Returns
    -------
    dict
        The counts returned by :func:`captiondata.layout.check_layout`.

    Raises
    ------
    ArchiveError
        When the zip is truncated, corrupt, unsafe or holds the wrong layout;
        the zip is deleted, since downloading it again is the fix.
    captiondata.fetch.FetchError
        When the disk fills up; the zip is kept for the next run.
    """
    zip_path, dest = Path(zip_path), Path(dest)
    staging = Path(tempfile.mkdtemp(prefix=staging_prefix(dest), dir=dest.parent))
    try:
        unpacked = _extract(zip_path, staging / EXTRACTED, progress) / ZIP_TOP_FOLDER
        counts = _check(unpacked, full_set)
        _install(unpacked, dest, staging / PREVIOUS)
    except ArchiveError:
        zip_path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


def _extract(zip_path, folder, progress):
    """Unpack every entry of the zip into ``folder``; return ``folder``."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            _refuse_unsafe_names(archive)
            _extract_all(archive, folder, f"unpacking {zip_path.name}", progress)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ArchiveError(
            f"The downloaded file {zip_path} is not a valid zip: it is truncated or corrupt "
            f"({error}). It was deleted; run the same command again to download it afresh."
        ) from error
    return folder


def _refuse_unsafe_names(archive):
    """Raise ArchiveError if an entry would land outside the folder it is unpacked into."""
    for name in archive.namelist():
        posix = PurePosixPath(name.replace("\\", "/"))
        if posix.is_absolute() or PureWindowsPath(name).drive or ".." in posix.parts:
            raise ArchiveError(
                f"The zip holds the unsafe entry {name!r} (an absolute path or '..'), so "
                f"nothing was unpacked and the zip was deleted. {CHECK_URL}"
            )


def _extract_all(archive, folder, task, progress):
    """Unpack the entries (names already checked) in chunks, showing the bytes written.

    A full disk becomes a FetchError that says so.
    """
    entries = archive.infolist()
    needed = sum(info.file_size for info in entries)
    try:
        with byte_progress(task, needed, enabled=progress) as bar:
            for info in entries:
                _extract_entry(archive, info, folder / info.filename, bar)
    except OSError as error:
        if not is_disk_full(error):
            raise
        raise disk_full_error(folder.parent.parent, needed) from error


def _extract_entry(archive, info, target, bar):
    """Write one entry of the zip to ``target``, counting its bytes on ``bar``."""
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as entry, open(target, "wb") as out:
        while chunk := entry.read(CHUNK_SIZE):
            out.write(chunk)
            bar.update(len(chunk))


def _check(unpacked, full_set):
    """Check the unpacked folder's layout; return its counts."""
    if not unpacked.is_dir():
        raise ArchiveError(
            f"The zip has no {ZIP_TOP_FOLDER}/ folder at its top; it was deleted. {CHECK_URL}"
        )
    try:
        return layout.check_layout(unpacked, full_set=full_set)
    except layout.LayoutError as error:
        raise ArchiveError(
            f"The zip does not hold a usable {ZIP_TOP_FOLDER} folder: {error.problem}. "
            f"It was deleted. {CHECK_URL}"
        ) from error


def _install(unpacked, dest, previous):
    """Rename ``unpacked`` to ``dest``, first moving an existing ``dest`` to ``previous``."""
    if dest.exists():
        os.replace(dest, previous)
    try:
        os.replace(unpacked, dest)
    except OSError:
        if previous.exists():
            os.replace(previous, dest)
        raise
