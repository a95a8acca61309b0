"""What a ``coco_captioning`` folder holds, and a check that a folder holds it.

The folder is the one in the course's ``coco_captioning.zip``. Row counts and
the vocabulary size differ between the full set and the embedded one; file
names, keys, dtypes and widths do not.
"""

import json
from pathlib import Path

import h5py
import numpy as np

DOWNLOAD_COMMAND = "python -m captiondata download"
CAPTION_LENGTH = 17
FEATURE_DIMS = {"": 4096, "_pca": 512}
SPECIAL_TOKENS = ("<NULL>", "<START>", "<END>", "<UNK>")
SPLITS = ("train", "val")

CAPTIONS_FILE = "coco2014_captions.h5"
VOCAB_FILE = "coco2014_vocab.json"

# Row counts of the full published set, checked after a download.
FULL_SET_ROWS = {"train_captions": 400135, "val_captions": 195954}
FULL_SET_IMAGES = {"train": 82783, "val": 40504}
FULL_SET_VOCAB = 1004


def features_file(split, pca):
    """File name of a split's image features: 512-d PCA or 4096-d raw fc7."""
    return f"{split}2014_vgg16_fc7{'_pca' if pca else ''}.h5"


def urls_file(split):
    """File name of a split's image URLs, one per line."""
    return f"{split}2014_urls.txt"


def expected_files():
    """Every file name a complete folder holds, sorted."""
    names = [CAPTIONS_FILE, VOCAB_FILE]
    for split in SPLITS:
        names += [features_file(split, True), features_file(split, False), urls_file(split)]
    return sorted(names)


class LayoutError(ValueError):
    """A folder is not a complete ``coco_captioning`` folder."""

    def __init__(self, folder, problem):
        super().__init__(
            f"{folder} is not a usable coco_captioning folder: {problem}. "
            f"Run `{DOWNLOAD_COMMAND}` to download and unpack the data again."
        )
        self.folder = folder
        self.problem = problem


def check_layout(folder, full_set=False):
    """Check the files, keys, dtypes and shapes of a ``coco_captioning`` folder.

    Parameters
    ----------
    folder : path-like
    full_set : bool
        Also require the row counts and vocabulary size of the published set.

    Returns
    -------
    dict
        ``{'train': n_train_images, 'val': n_val_images, 'vocab': V}``.

    Raises
    ------
    LayoutError
        Naming the first problem found and the command that fixes it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LayoutError(folder, "the folder does not exist")
    missing = [name for name in expected_files() if not (folder / name).is_file()]
    if missing:
        raise LayoutError(folder, f"missing {', '.join(missing)}")
    try:
        vocab_size = _check_vocab(folder / VOCAB_FILE)
        counts = {"vocab": vocab_size}
        with h5py.File(folder / CAPTIONS_FILE, "r") as captions:
            for split in SPLITS:
                counts[split] = _check_split(folder, captions, split, vocab_size, full_set)
    except (OSError, KeyError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise LayoutError(folder, f"a file cannot be read ({error})") from error
    if full_set and vocab_size != FULL_SET_VOCAB:
        raise LayoutError(folder, f"the vocabulary has {vocab_size} words, not {FULL_SET_VOCAB}")
    return counts


def _check_vocab(path):
    """Check the vocabulary json; return its size V."""
    vocab = json.loads(path.read_text(encoding="utf-8"))
    idx_to_word, word_to_idx = vocab["idx_to_word"], vocab["word_to_idx"]
    if list(idx_to_word[: len(SPECIAL_TOKENS)]) != list(SPECIAL_TOKENS):
        raise LayoutError(path.parent, f"idx_to_word must start with {', '.join(SPECIAL_TOKENS)}")
    if any(word_to_idx.get(word) != i for i, word in enumerate(idx_to_word)):
        raise LayoutError(path.parent, "word_to_idx and idx_to_word disagree")
    return len(idx_to_word)


def _check_split(folder, captions, split, vocab_size, full_set):
    """Check one split's captions, image indices, features and URLs; return its image count."""
    caps, idxs = captions[f"{split}_captions"], captions[f"{split}_image_idxs"]
    if caps.ndim != 2 or caps.shape[1] != CAPTION_LENGTH or caps.dtype.kind not in "iu":
        raise LayoutError(folder, f"{split}_captions must be integer (n, {CAPTION_LENGTH})")
    if idxs.shape != (caps.shape[0],) or idxs.dtype.kind not in "iu":
        raise LayoutError(folder, f"{split}_image_idxs must be integer ({caps.shape[0]},)")
    if full_set and caps.shape[0] != FULL_SET_ROWS[f"{split}_captions"]:
        raise LayoutError(folder, f"{split}_captions has {caps.shape[0]} rows, not "
                          f"{FULL_SET_ROWS[f'{split}_captions']}")
    if caps.shape[0] and not 0 <= np.min(caps[:]) <= np.max(caps[:]) < vocab_size:
        raise LayoutError(folder, f"{split}_captions holds a word index outside the vocabulary")
    n_images = None
    for suffix, dim in FEATURE_DIMS.items():
        name = features_file(split, suffix == "_pca")
        with h5py.File(folder / name, "r") as f:
            feats = f["features"]
            if feats.ndim != 2 or feats.shape[1] != dim or feats.dtype != np.float32:
                raise LayoutError(folder, f"{name} 'features' must be float32 (n, {dim})")
            if n_images not in (None, feats.shape[0]):
                raise LayoutError(folder, f"the {split} feature files disagree on the image count")
            n_images = feats.shape[0]
    if full_set and n_images != FULL_SET_IMAGES[split]:
        raise LayoutError(folder, f"{split} has {n_images} images, not {FULL_SET_IMAGES[split]}")
    if idxs.shape[0] and not 0 <= np.min(idxs[:]) <= np.max(idxs[:]) < n_images:
        raise LayoutError(folder, f"{split}_image_idxs points past the {n_images} images")
    n_urls = len((folder / urls_file(split)).read_text(encoding="utf-8").splitlines())
    if n_urls != n_images:
        raise LayoutError(folder, f"{urls_file(split)} has {n_urls} lines for {n_images} images")
    return n_images
