"""The hand-in zip in the ``otter grade`` container, checked before otter unpacks it.

Otter's entry point unpacks the hand-in with ``ZipFile.extractall`` into the
folder it grades before any plugin runs, so the native grader's own bounds on a
zip (``autograder.submission``) come too late there. The bundle's ``run_otter.py``
calls :func:`refusal` first, with the limits of grading.toml's ``[limits]``
baked in when the bundle was built, and, when the zip must not be unpacked,
:func:`record_ungradable` instead of otter: otter grade's gradebook then shows
the reason. Like the plugin, this module imports only the standard library and
otter (it is imported from the grader archive in the container).
"""

import json
import zipfile
import zlib
from pathlib import Path

import dill
from otter.run.run_autograder.utils import OtterRuntimeError
from otter.test_files import GradingResults

CHUNK_BYTES = 1 << 16
MIB = 1 << 20
UNGRADABLE_TEST = "Ungradable submission"
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
              NotImplementedError, ValueError)


def refusal(archive, max_entries, max_unpacked_mib):
    """Why ``archive`` must not be unpacked, or None when it may.

    The entry count and the sizes the zip declares are checked against the
    limits, then every entry is decompressed (and thrown away) to prove that it
    unpacks to what the zip declares: ``zipfile``, which otter unpacks with,
    never writes more than an entry's declared size and fails on a CRC
    mismatch, so a zip that lies about its sizes is refused here instead.

    Parameters
    ----------
    archive : path-like
        The hand-in zip.
    max_entries : int
        Most entries allowed (grading.toml's ``max_zip_entries``).
    max_unpacked_mib : int
        Most MiB the entries may unpack to in all (``max_unpacked_mib``).

    Returns
    -------
    str or None
        A sentence naming the limit or the fault and what to do, for student
        and instructor.
    """
    archive = Path(archive)
    hand_in_again = "hand in only the zip `python -m assignment.handin` writes."
    try:
        with zipfile.ZipFile(archive) as handin:
            entries = handin.infolist()
            if len(entries) > max_entries:
                return (f"{archive.name} holds {len(entries)} entries, more than the "
                        f"{max_entries} allowed: {hand_in_again}")
            declared = sum(entry.file_size for entry in entries)
            if declared > max_unpacked_mib * MIB:
                return (f"{archive.name} unpacks to {declared / MIB:.0f} MiB, more than the "
                        f"{max_unpacked_mib} MiB allowed: {hand_in_again}")
            for entry in entries:
                _decompress(handin, entry)
    except UNREADABLE as error:
        return f"{archive.name} is not a readable zip archive ({error}): {hand_in_again}"
    return None


def _decompress(handin, entry):
    """Read ``entry`` of the open zip ``handin`` to its end, keeping nothing.

    Raises
    ------
    zipfile.BadZipFile
        When the entry does not decompress to the bytes the zip declares.
    """
    with handin.open(entry) as member:
        while member.read(CHUNK_BYTES):
            pass


def record_ungradable(autograder_dir, reason):
    """Write the results of a submission that was not graded, in otter's two formats.

    ``results/results.pkl`` (what ``otter grade`` reads back: its gradebook
    records 0 points and ``reason`` as the grading status) and
    ``results/results.json`` (Gradescope's format, score 0, ``reason`` shown).

    Parameters
    ----------
    autograder_dir : path-like
        Otter's autograder folder (``/autograder`` in the container).
    reason : str
        What :func:`refusal` said.
    """
    results = Path(autograder_dir) / "results"
    results.mkdir(exist_ok=True)
    with open(results / "results.pkl", "wb") as file:
        dill.dump(GradingResults.without_results(OtterRuntimeError(reason)), file)
    document = {"score": 0, "output": reason, "tests": [
        {"name": UNGRADABLE_TEST, "score": 0, "status": "failed", "output": reason,
         "visibility": "visible"}]}
    (results / "results.json").write_text(json.dumps(document, indent=2) + "\n",
                                          encoding="utf-8")
