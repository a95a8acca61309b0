"""Download the full COCO captioning set: fetch the course's zip, unpack it, check it.

``python -m captiondata download`` runs :func:`main`. The zip is kept next to the
destination folder while it downloads (``<dest>.zip.part``), so running the
command again resumes an interrupted download; it is deleted once the folder is
in place.
"""

import sys
from pathlib import Path

from . import fetch, layout, locations, unpack

DEFAULT_URL = "http://cs231n.stanford.edu/coco_captioning.zip"
ZIP_SUFFIX = ".zip"
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


class DownloadError(RuntimeError):
    """The data set could not be downloaded; the message says why and what to do next."""


def zip_path(dest):
    """Where the zip for the destination folder ``dest`` is downloaded to."""
    dest = Path(dest)
    return dest.with_name(dest.name + ZIP_SUFFIX)


def download(url=DEFAULT_URL, dest=None, force=False, full_set=True, timeout=fetch.TIMEOUT,
             progress=True):
    """Download, unpack and check the data set unless ``dest`` already holds it.

    Parameters
    ----------
    url : str
        The zip to download; it holds a top folder ``coco_captioning/``.
    dest : path-like or None
        The folder to create. None: :func:`captiondata.locations.full_set_dir`.
    force : bool
        Download and unpack again even if ``dest`` is complete, discarding any
        earlier partial download.
    full_set : bool
        Require the row counts of the full published set; False accepts any
        complete layout.
    timeout : float or (float, float)
        Seconds to wait to connect and for the next bytes.
    progress : bool
        Show on stderr what is being fetched and unpacked, with the bytes done,
        the share of the total and the rate.

    Returns
    -------
    pathlib.Path
        The complete folder.

    Raises
    ------
    DownloadError
        With a one-line message saying what failed and what to do next.
    """
    dest = Path(dest) if dest is not None else locations.full_set_dir()
    if not force and _is_complete(dest, full_set):
        print(f"{dest} already holds the complete data set; nothing to do "
              f"(pass --force to download it again).")
        return dest
    _check_replaceable(dest)
    try:
        counts = _fetch_and_unpack(url, dest, force, full_set, timeout, progress)
    except (fetch.FetchError, unpack.ArchiveError) as error:
        raise DownloadError(str(error)) from error
    except OSError as error:
        raise _write_error(dest, error) from error
    print(f"{dest}: complete ({counts['train']} train and {counts['val']} val images, "
          f"{counts['vocab']} words).")
    return dest


def main(url=DEFAULT_URL, dest=None, force=False, full_set=True, progress=True):
    """Run :func:`download` for the command line; return the exit code.

    Failures are printed as one line on stderr, without a traceback.
    """
    try:
        download(url=url, dest=dest, force=force, full_set=full_set, progress=progress)
    except DownloadError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Interrupted. Run the same command again to resume the download.", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def _is_complete(dest, full_set):
    """Whether ``dest`` already passes the layout check."""
    try:
        layout.check_layout(dest, full_set=full_set)
    except layout.LayoutError:
        return False
    return True


def _check_replaceable(dest):
    """Refuse a destination that is a file or holds files that are not the data set's."""
    if dest.exists() and not dest.is_dir():
        raise DownloadError(f"{dest} is a file, not a folder. Remove it or pass another --dest.")
    if dest.is_dir():
        strangers = sorted({path.name for path in dest.iterdir()} - set(layout.expected_files()))
        if strangers:
            raise DownloadError(
                f"{dest} holds files that are not part of the data set ({', '.join(strangers)}), "
                f"so it was left alone. Pass a new or empty folder as --dest, or remove them."
            )


def _fetch_and_unpack(url, dest, force, full_set, timeout, progress):
    """Fetch the zip unless a complete one is already there, then unpack it into ``dest``."""
    archive = zip_path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    unpack.remove_stale_staging(dest)
    if force:
        archive.unlink(missing_ok=True)
        fetch.part_path(archive).unlink(missing_ok=True)
    if not archive.exists():
        _announce(f"Downloading {url} to {archive}", progress)
        fetch.fetch(url, archive, timeout, progress)
    _announce(f"Unpacking {archive}", progress)
    counts = unpack.unpack(archive, dest, full_set, progress)
    archive.unlink()
    return counts


def _announce(step, progress):
    """Name a step that is starting on stderr, with the progress lines."""
    if progress:
        print(step, file=sys.stderr, flush=True)


def _write_error(dest, error):
    """The DownloadError for a failure to write next to ``dest``."""
    if fetch.is_disk_full(error):
        return DownloadError(str(fetch.disk_full_error(dest.parent)))
    return DownloadError(
        f"Could not write the data set next to {dest} ({error}). Check that you may write "
        f"there, or pass another --dest."
    )
