"""Fetch one large file over HTTP into ``<file>.part``, resuming what is already there.

Every failure is raised as a :class:`FetchError` whose message is one line that
says what happened and what to do next.
"""

import errno
import re
import socket
from pathlib import Path

import requests

from .progress import byte_progress, size_text

# Bytes read and written at a time; a dropped connection loses at most the chunk being read.
CHUNK_SIZE = 1 << 16
TIMEOUT = (10, 60)  # seconds: (to connect, to wait for the next bytes)
PART_SUFFIX = ".part"
DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)")


class FetchError(RuntimeError):
    """A download failed; the message says why and what to do next."""


def disk_full_error(folder, needed_bytes=None):
    """The error to raise when writing into ``folder`` ran out of space.

    Parameters
    ----------
    folder : path-like
    needed_bytes : int or None
        How much room the operation still needed, when known.

    Returns
    -------
    FetchError
    """
    room = f"at least {size_text(needed_bytes)} there" if needed_bytes else "space there"
    return FetchError(
        f"The disk holding {folder} is full. Free {room} (or pass --dest on a disk with "
        f"more room), then run the same command again."
    )


def is_disk_full(error):
    """Whether an ``OSError`` means the disk (or the user's quota) is full."""
    return isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS


def part_path(target):
    """Where the unfinished download of ``target`` is kept."""
    target = Path(target)
    return target.with_name(target.name + PART_SUFFIX)


def fetch(url, target, timeout=TIMEOUT, progress=True):
    """Download ``url`` to ``target``, resuming ``<target>.part`` if there is one.

    The bytes go to ``<target>.part``, which is renamed to ``target`` only once
    the whole file has arrived, so ``target`` never holds a partial download.

    Parameters
    ----------
    url : str
    target : path-like
    timeout : float or (float, float)
        Seconds to wait to connect and for the next bytes, as in ``requests``.
    progress : bool
        Show the bytes received on stderr (:func:`captiondata.progress.byte_progress`).

    Raises
    ------
    FetchError
        For a network failure, an HTTP error status, a dropped connection
        (the partial download is kept for the next run) or a full disk.
    """
    target = Path(target)
    part = part_path(target)
    offset = part.stat().st_size if part.exists() else 0
    response = _request(url, offset, timeout)
    if response.status_code == requests.codes.range_not_satisfiable:
        response.close()
        if _total_size(response) == offset:
            part.replace(target)
            return
        part.unlink(missing_ok=True)
        offset = 0
        response = _request(url, offset, timeout)
    with response:
        _check_status(response, url)
        start, total = _body_extent(response, offset, part)
        _stream(response, part, start, total, url, progress)
    part.replace(target)


def _request(url, offset, timeout):
    """Send the GET, asking for the bytes from ``offset`` on when it is not 0."""
    headers = {"Accept-Encoding": "identity"}  # byte ranges of the file itself
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        return requests.get(url, headers=headers, stream=True, timeout=timeout)
    except requests.exceptions.InvalidURL as error:
        raise FetchError(f"{url!r} is not a valid URL ({error}). Check --url.") from error
    except requests.exceptions.RequestException as error:
        raise FetchError(
            f"Could not download {url}: {_describe_network_failure(error)}. Check your network "
            f"connection (and --url), then run the same command again."
        ) from error


def _describe_network_failure(error):
    """A few words naming the root cause of a failed request."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "timed out while connecting to the server"
    if isinstance(error, requests.exceptions.ReadTimeout):
        return "the server did not answer in time"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the connection broke"
    for cause in _causes(error):
        if isinstance(cause, socket.gaierror):
            return "the server's name cannot be resolved (no network, or a DNS failure)"
        if isinstance(cause, ConnectionRefusedError):
            return "the server refused the connection"
        if isinstance(cause, (TimeoutError, socket.timeout)):
            return "the connection timed out"
    return f"the connection failed ({error})"


def _causes(error):
    """The chain of exceptions that led to ``error``, itself first."""
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def _check_status(response, url):
    """Raise a FetchError unless the server sent the file or a part of it."""
    if response.status_code in (requests.codes.ok, requests.codes.partial_content):
        return
    if response.status_code >= 500:
        advice = "The server has a problem; try again later."
    else:
        advice = "Check that --url points at the data set's zip file."
    raise FetchError(
        f"The server answered {response.status_code} {response.reason} for {url}. {advice}"
    )


def _body_extent(response, offset, part):
    """Where the body starts in the file and the file's total size (None if unknown).

    A server that ignores the Range header answers 200 with the whole file:
    the download then starts over.
    """
    if response.status_code == requests.codes.ok:
        length = response.headers.get("Content-Length")
        return 0, int(length) if length and length.isdigit() else None
    start = _range_start(response)
    if start != offset:
        part.unlink()
        raise FetchError(
            f"The server did not resume the download at byte {offset}; the partial download "
            f"was deleted. Run the same command again to start over."
        )
    return start, _total_size(response)


def _range_start(response):
    """First byte of a 206 answer, from its Content-Range header (None if absent)."""
    match = CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    return int(match.group(1)) if match and match.group(1) else None


def _total_size(response):
    """Full file size named by a Content-Range header (None if absent or unknown)."""
    match = CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    return int(match.group(2)) if match and match.group(2).isdigit() else None


def _stream(response, part, start, total, url, progress):
    """Append the body to ``part`` (truncated first when ``start`` is 0), showing progress."""
    mode = "ab" if start else "wb"
    task = f"downloading {part.name.removesuffix(PART_SUFFIX)}"
    try:
        with open(part, mode) as out, byte_progress(task, total, start, progress) as bar:
            for chunk in response.iter_content(CHUNK_SIZE):
                out.write(chunk)
                bar.update(len(chunk))
    except requests.exceptions.RequestException as error:
        raise _dropped(url, part, total, _describe_network_failure(error)) from error
    except OSError as error:
        if not is_disk_full(error):
            raise
        needed = total - part.stat().st_size if total else None
        raise disk_full_error(part.parent, needed) from error
    if total is not None and part.stat().st_size != total:
        raise _dropped(url, part, total, "the server closed the connection")


def _dropped(url, part, total, reason):
    """The error for a download that stopped early; the partial file stays for resuming."""
    of_total = f" of {size_text(total)}" if total else ""
    return FetchError(
        f"The download of {url} stopped after {size_text(part.stat().st_size)}{of_total} "
        f"({reason}). Run the same command again to resume it."
    )
