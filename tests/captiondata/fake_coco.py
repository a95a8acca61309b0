"""Build tiny but complete ``coco_captioning`` folders and zips for tests.

The folders pass :func:`captiondata.layout.check_layout` (not its full-set row
counts): the real file names, keys, dtypes and widths, with a handful of rows.
"""

import io
import json
import zipfile
from pathlib import Path

import h5py
import numpy as np

from captiondata import layout

WORDS = ("a", "cat", "dog", "sits", "on", "mat")
IMAGES = {"train": 4, "val": 3}
CAPTIONS_PER_IMAGE = 2
TOP_FOLDER = "coco_captioning"


def write_coco_folder(folder, seed=0):
    """Write a tiny complete ``coco_captioning`` folder.

    Parameters
    ----------
    folder : path-like
        Created if needed.
    seed : int
        Seed of the random captions and features.

    Returns
    -------
    pathlib.Path
        ``folder``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    idx_to_word = [*layout.SPECIAL_TOKENS, *WORDS]
    vocab = {"idx_to_word": idx_to_word,
             "word_to_idx": {word: i for i, word in enumerate(idx_to_word)}}
    (folder / layout.VOCAB_FILE).write_text(json.dumps(vocab), encoding="utf-8")
    with h5py.File(folder / layout.CAPTIONS_FILE, "w") as captions:
        for split, n_images in IMAGES.items():
            image_idxs = np.repeat(np.arange(n_images, dtype=np.int32), CAPTIONS_PER_IMAGE)
            captions[f"{split}_captions"] = _random_captions(rng, len(image_idxs), len(idx_to_word))
            captions[f"{split}_image_idxs"] = image_idxs
    for split, n_images in IMAGES.items():
        for suffix, dim in layout.FEATURE_DIMS.items():
            with h5py.File(folder / layout.features_file(split, suffix == "_pca"), "w") as f:
                f["features"] = rng.standard_normal((n_images, dim), dtype=np.float32)
        urls = [f"http://images.invalid/{split}/{i}.jpg" for i in range(n_images)]
        (folder / layout.urls_file(split)).write_text("\n".join(urls) + "\n", encoding="utf-8")
    return folder


def _random_captions(rng, count, vocab_size):
    """``count`` captions: ``<START>``, a few words, ``<END>``, then ``<NULL>`` padding."""
    start, end = layout.SPECIAL_TOKENS.index("<START>"), layout.SPECIAL_TOKENS.index("<END>")
    captions = np.zeros((count, layout.CAPTION_LENGTH), dtype=np.int32)
    for row in captions:
        length = rng.integers(2, layout.CAPTION_LENGTH - 2)
        row[0], row[length + 1] = start, end
        row[1:length + 1] = rng.integers(len(layout.SPECIAL_TOKENS), vocab_size, size=length)
    return captions


def zip_folder(folder, omit=(), extra=None):
    """The bytes of a zip holding ``folder``'s files under ``coco_captioning/``.

    Parameters
    ----------
    folder : path-like
    omit : iterable of str
        File names to leave out.
    extra : dict of str to bytes or None
        More entries, by their full name inside the zip.

    Returns
    -------
    bytes
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(Path(folder).iterdir()):
            if path.name not in omit:
                archive.write(path, f"{TOP_FOLDER}/{path.name}")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()
