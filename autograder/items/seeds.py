"""Every seed of a grading, from grading.toml's ``seed`` and the submission's files.

The submission's seed mixes the two (:func:`derive_seed`): a regrade of the
same files sees the same inputs, another submission sees others. Each item
draws from ``np.random.default_rng(seed + offset)`` with an offset of its own
(:func:`item_rng`), and reference code that draws from numpy's global
generator runs seeded (:func:`global_random`).
"""

import contextlib
import hashlib

import numpy as np

from ..config import ITEMS
from ..sandbox.runner import NP_RANDOM_SEEDS

OFFSET_STEP = 1000


def derive_seed(seed, digest):
    """The seed of a submission: grading.toml's seed mixed with the digest of its files.

    Parameters
    ----------
    seed : int
        ``settings.seed``.
    digest : str
        Hex sha256 of the submission's files.

    Returns
    -------
    int
        In ``range(2**63)``; equal for equal files, different for different ones.
    """
    mixed = hashlib.sha256(f"{seed}:{digest}".encode()).digest()
    return int.from_bytes(mixed[:8], "big") >> 1


def item_seed(seed, item):
    """The seed of one item: the submission's seed plus an offset of the item's own.

    Parameters
    ----------
    seed : int
        The submission's seed (:func:`derive_seed`).
    item : str
        A name of ``config.ITEMS``.

    Returns
    -------
    int
    """
    return seed + OFFSET_STEP * (ITEMS.index(item) + 1)


def item_rng(seed, item):
    """The generator of one item: ``np.random.default_rng(item_seed(seed, item))``.

    Parameters
    ----------
    seed : int
    item : str

    Returns
    -------
    numpy.random.Generator
    """
    return np.random.default_rng(item_seed(seed, item))


@contextlib.contextmanager
def global_random(seed):
    """Seed numpy's global generator for a block, then restore its previous state.

    For reference code that draws from ``np.random`` (model initialisation,
    ``load_coco_data``'s subsampling) without disturbing anybody else's draws.

    Parameters
    ----------
    seed : int
        Any non-negative integer (reduced to numpy's 32-bit seed range).
    """
    state = np.random.get_state()
    np.random.seed(seed % NP_RANDOM_SEEDS)
    try:
        yield
    finally:
        np.random.set_state(state)
