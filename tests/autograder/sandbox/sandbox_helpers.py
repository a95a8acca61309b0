"""The student code the sandbox tests run, their inputs, and a look for leftover processes.

The tests make packages with the ``make_package`` fixture (tests/conftest.py), so they do not
depend on the pipeline's ``locate``.
"""

import os
import signal
import textwrap
import time

import numpy as np


# Appended to the reference's rnn_layers.py (``make_package(appended=RUN_CODE)``): lets a
# test run any code as student code.
RUN_CODE = {"rnn_layers.py": textwrap.dedent('''

    def run_code(source, *args):
        """Student code chosen by the test: ``source`` sets ``result`` from ``args``."""
        namespace = {"args": args}
        exec(source, namespace)
        return namespace.get("result")
''')}


def layer_inputs(rng, n=3, t=4, d=5, h=6):
    """Random float64 inputs of the recurrent layers.

    Returns
    -------
    dict
        ``x`` (n, t, d), ``h0`` (n, h), ``Wx`` (d, h), ``Wh`` (h, h), ``b`` (h,),
        the LSTM's ``Wx4`` (d, 4h), ``Wh4`` (h, 4h), ``b4`` (4h,), ``dh`` (n, t, h).
    """
    return {
        "x": rng.standard_normal((n, t, d)), "h0": rng.standard_normal((n, h)),
        "Wx": rng.standard_normal((d, h)), "Wh": rng.standard_normal((h, h)),
        "b": rng.standard_normal(h), "Wx4": rng.standard_normal((d, 4 * h)),
        "Wh4": rng.standard_normal((h, 4 * h)), "b4": rng.standard_normal(4 * h),
        "dh": rng.standard_normal((n, t, h)),
    }


def training_data(rng, captions=10, images=4, length=6, words=7, features=8):
    """A tiny training set in the layout ``CaptioningSolver`` reads.

    Returns
    -------
    word_to_idx : dict
    data : dict
        ``train_captions`` (captions, length) int32 starting with ``<START>``,
        ``train_image_idxs`` (captions,) int32, ``train_features`` (images, features)
        float32, ``train_urls`` (images,) str.
    """
    word_to_idx = {"<NULL>": 0, "<START>": 1, "<END>": 2, **{f"w{i}": i for i in range(3, words)}}
    body = rng.integers(3, words, size=(captions, length))
    body[:, 0], body[:, -1] = 1, 2
    return word_to_idx, {
        "train_captions": body.astype(np.int32),
        "train_image_idxs": rng.integers(0, images, size=captions).astype(np.int32),
        "train_features": rng.standard_normal((images, features)).astype(np.float32),
        "train_urls": np.array([f"http://127.0.0.1/{i}.jpg" for i in range(images)]),
    }


def running_with_marker(marker, wait=0.0):
    """Whether any process on this machine runs ``sleep <marker>``.

    Parameters
    ----------
    marker : str
        The sleep duration a test's student code used, e.g. ``"913"``.
    wait : float
        Keep looking this many seconds for one to appear.

    Returns
    -------
    bool
    """
    deadline = time.monotonic() + wait
    while not _sleeping(marker):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def kill_marked(marker):
    """Kill every process on this machine that runs ``sleep <marker>``."""
    for pid in _sleeping(marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _sleeping(marker):
    """Pids of the processes that run ``sleep <marker>``."""
    wanted = f"sleep\0{marker}\0".encode()
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                if file.read().endswith(wanted):
                    pids.append(int(entry))
        except (OSError, ValueError):
            continue
    return pids
