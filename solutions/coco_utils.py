"""Loading the COCO captioning data and decoding captions (provided to students)."""

import json
from pathlib import Path

import h5py
import numpy as np

from captiondata import layout, locations


def load_coco_data(base_dir=None, max_train=None, pca_features=True):
    """Load captions, image features, vocabulary and image URLs into memory.

    Parameters
    ----------
    base_dir : path-like or None
        A ``coco_captioning`` folder. None: the downloaded full set if it is
        there (``datasets/coco_captioning`` or ``$COCO_CAPTIONING_DIR``),
        otherwise the small embedded set, which a printed line announces.
    max_train : int or None
        Keep only this many training captions, drawn with ``np.random``. They
        come from distinct images while there are enough images, so a small
        subset can be memorised exactly.
    pca_features : bool
        512-d PCA features when True, 4096-d fc7 features when False.

    Returns
    -------
    dict
        ``train_captions`` (n, 17) int32, ``train_image_idxs`` (n,) int32,
        ``val_captions``, ``val_image_idxs``, ``train_features`` (images, 512
        or 4096) float32, ``val_features``, ``idx_to_word`` (list of V words),
        ``word_to_idx`` (dict), ``train_urls`` and ``val_urls`` (arrays of str,
        one per image).

    Raises
    ------
    captiondata.layout.LayoutError
        When the folder is missing or incomplete; the message names the
        download command.
    """
    base_dir = _resolve_base_dir(base_dir)
    layout.check_layout(base_dir)
    data = {}
    with h5py.File(base_dir / layout.CAPTIONS_FILE, "r") as f:
        for key, value in f.items():
            data[key] = np.asarray(value)
    for split in layout.SPLITS:
        with h5py.File(base_dir / layout.features_file(split, pca_features), "r") as f:
            data[f"{split}_features"] = np.asarray(f["features"])
        lines = (base_dir / layout.urls_file(split)).read_text(encoding="utf-8").splitlines()
        data[f"{split}_urls"] = np.asarray([_absolute_url(line, base_dir) for line in lines])
    vocab = json.loads((base_dir / layout.VOCAB_FILE).read_text(encoding="utf-8"))
    data.update(vocab)
    if max_train is not None:
        keep = _subsample_captions(data["train_image_idxs"], max_train)
        data["train_captions"] = data["train_captions"][keep]
        data["train_image_idxs"] = data["train_image_idxs"][keep]
    return data


def _resolve_base_dir(base_dir):
    """The folder to load: the given one, else the full set, else the embedded set."""
    if base_dir is not None:
        return Path(base_dir)
    full = locations.full_set_dir()
    if full.exists():
        return full
    print(
        f"Using the small embedded caption set ({locations.EMBEDDED_DIR}); "
        f"`{layout.DOWNLOAD_COMMAND}` fetches the full COCO set."
    )
    return locations.EMBEDDED_DIR


def _absolute_url(url, base_dir):
    """Resolve a relative ``file:`` URL (as the embedded set stores them) against ``base_dir``."""
    if url.startswith("file:") and not url.startswith("file:/"):
        return (base_dir / url[len("file:"):]).resolve().as_uri()
    return url


def _subsample_captions(image_idxs, count):
    """Indices of ``count`` random captions, from distinct images while possible.

    Parameters
    ----------
    image_idxs : ndarray of int, shape (n,)
        The image of every caption.
    count : int

    Returns
    -------
    ndarray of int, shape (count,)
    """
    order = np.random.permutation(len(image_idxs))
    _, first_of_image = np.unique(image_idxs[order], return_index=True)
    one_per_image = np.sort(first_of_image)
    rest = np.setdiff1d(np.arange(len(order)), one_per_image, assume_unique=True)
    ranked = order[np.concatenate([one_per_image, rest])]
    if count > len(ranked):
        ranked = np.concatenate([ranked, np.random.choice(ranked, count - len(ranked))])
    return ranked[:count]


def decode_captions(captions, idx_to_word):
    """Turn word indices back into text.

    ``<NULL>`` is skipped; decoding stops after ``<END>``, which is kept.

    Parameters
    ----------
    captions : ndarray of int, shape (T,) or (N, T)
    idx_to_word : sequence or dict mapping int to str

    Returns
    -------
    str for a 1-D input, list of N str for a 2-D input.
    """
    single = np.ndim(captions) == 1
    decoded = []
    for row in np.atleast_2d(captions):
        words = []
        for index in row:
            word = idx_to_word[int(index)]
            if word != "<NULL>":
                words.append(word)
            if word == "<END>":
                break
        decoded.append(" ".join(words))
    return decoded[0] if single else decoded


def sample_coco_minibatch(data, batch_size=100, split="train"):
    """Draw a random minibatch of captions (with replacement) and their images.

    Parameters
    ----------
    data : dict
        From :func:`load_coco_data`.
    batch_size : int
    split : {'train', 'val'}

    Returns
    -------
    captions : ndarray of int, shape (batch_size, 17)
    features : ndarray of float32, shape (batch_size, D)
    urls : ndarray of str, shape (batch_size,)
    """
    split_size = data[f"{split}_captions"].shape[0]
    chosen = np.random.choice(split_size, batch_size)
    captions = data[f"{split}_captions"][chosen]
    image_idxs = data[f"{split}_image_idxs"][chosen]
    return captions, data[f"{split}_features"][image_idxs], data[f"{split}_urls"][image_idxs]
