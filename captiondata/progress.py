"""Progress of a long byte count (a download, an unpack) on stderr.

On a terminal it is tqdm's bar, redrawn in place. Anywhere else (a CI log, a
redirected stderr) it is a plain line each time another tenth of the total is
done, so logs stay short. ``enabled=False`` shows nothing: the ``--quiet`` of
the commands of ``captiondata`` and ``autograder`` alike (:func:`add_quiet_option`).
"""

import sys
import time

from tqdm import tqdm

LINE_SHARE = 0.1  # share of the total between two plain lines
UNKNOWN_TOTAL_LINE_BYTES = 64 << 20  # bytes between two plain lines when the total is unknown


def size_text(count):
    """A byte count as short text, such as ``'954MB'``."""
    return tqdm.format_sizeof(count, "B", 1024)


def add_quiet_option(parser):
    """Give an argparse parser the ``--quiet`` option of every long-running command."""
    parser.add_argument("--quiet", action="store_true",
                        help="print no progress on stderr (only errors)")


def byte_progress(task, total, done=0, enabled=True):
    """A progress display for ``task``; call ``update(count)`` as bytes are done.

    Parameters
    ----------
    task : str
        What is being done, such as ``'downloading coco_captioning.zip'``.
    total : int or None
        Bytes in all; None when unknown.
    done : int
        Bytes already done before this run (a resumed download).
    enabled : bool
        False shows nothing.

    Returns
    -------
    context manager
        An object with ``update(count)``; leaving the ``with`` block ends the display.
    """
    if enabled and not sys.stderr.isatty():
        return _Lines(task, total, done)
    return tqdm(total=total, initial=done, desc=task, unit="B", unit_scale=True,
                unit_divisor=1024, file=sys.stderr, disable=not enabled)


class _Lines:
    """Plain progress lines on stderr: bytes done of the total, share and rate."""

    def __init__(self, task, total, done):
        self.task, self.total = task, total
        self.done = self.shown = self.start = done
        self.start_time = time.perf_counter()
        self.step = total * LINE_SHARE if total else UNKNOWN_TOTAL_LINE_BYTES

    def update(self, count):
        """Count ``count`` more bytes as done; print a line when another step is complete."""
        self.done += count
        if self.done // self.step > self.shown // self.step:
            self._print()

    def __enter__(self):
        return self

    def __exit__(self, error_type, error, traceback):
        """A last line for the bytes done since the last one, unless the task failed."""
        if error_type is None and self.done > self.shown:
            self._print()
        return False

    def _print(self):
        self.shown = self.done
        seconds = max(time.perf_counter() - self.start_time, 1e-9)
        rate = size_text((self.done - self.start) / seconds)
        of_total = (f" of {size_text(self.total)} ({100 * self.done // self.total}%)"
                    if self.total else "")
        print(f"{self.task}: {size_text(self.done)}{of_total}, {rate}/s", file=sys.stderr,
              flush=True)
