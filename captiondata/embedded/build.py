"""Writing the embedded ``coco_captioning`` folder from fixed seeds.

Everything is drawn from seeded generators and written without time stamps,
so a rebuild reproduces the same files: identical captions, vocabulary, URLs
and image pixels (Pillow's drawing code being the same), and the same
features up to the last bits of floating-point arithmetic that
linear-algebra libraries may round differently.
"""

import json
from pathlib import Path

import h5py
import numpy as np
from PIL import Image

from .. import layout
from . import captions, features, scenes

SPLIT_IMAGES = {"train": 2000, "val": 500}
SPLIT_SEEDS = {"train": 2014, "val": 2015}
SCENE_STREAM, CAPTION_STREAM = 0, 1  # independent generators per split
CAPTIONS_PER_IMAGE = 5
MIN_WORD_COUNT = 10  # rarer training words are encoded as <UNK>
IMAGE_FOLDER = "images"
H5_OPTIONS = {"compression": "gzip", "compression_opts": 6, "shuffle": True,
              "track_times": False}
ROWS_PER_CHUNK = 256


def split_scenes(split):
    """The scenes of a split, in image order.

    Parameters
    ----------
    split : {'train', 'val'}

    Returns
    -------
    list of captiondata.embedded.scenes.Scene, length SPLIT_IMAGES[split]
    """
    rng = np.random.default_rng((SPLIT_SEEDS[split], SCENE_STREAM))
    return scenes.sample_scenes(rng, SPLIT_IMAGES[split])


def split_captions(split, split_scenes_):
    """The caption texts of a split and the image each describes.

    Parameters
    ----------
    split : {'train', 'val'}
    split_scenes_ : list of Scene
        From :func:`split_scenes`.

    Returns
    -------
    texts : list of str, length CAPTIONS_PER_IMAGE * len(split_scenes_)
    image_idxs : ndarray of int32, shape (len(texts),)
    """
    rng = np.random.default_rng((SPLIT_SEEDS[split], CAPTION_STREAM))
    texts = [text for scene in split_scenes_
             for text in captions.describe(scene, rng, CAPTIONS_PER_IMAGE)]
    image_idxs = np.repeat(np.arange(len(split_scenes_), dtype=np.int32), CAPTIONS_PER_IMAGE)
    return texts, image_idxs


def image_name(split, index):
    """Path of an image relative to the data folder, e.g. ``images/train/00042.png``."""
    return f"{IMAGE_FOLDER}/{split}/{index:05d}.png"


def build(out_dir):
    """Generate the embedded set and write it as a ``coco_captioning`` folder.

    Parameters
    ----------
    out_dir : path-like
        Created if missing. Files of an earlier build are overwritten and its
        images under ``images/`` removed.

    Returns
    -------
    dict
        The image and vocabulary counts, from
        :func:`captiondata.layout.check_layout` on the written folder.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    all_scenes = {split: split_scenes(split) for split in layout.SPLITS}
    written = {split: split_captions(split, all_scenes[split]) for split in layout.SPLITS}
    idx_to_word, word_to_idx = captions.build_vocabulary(written["train"][0], MIN_WORD_COUNT)
    _write_json(out_dir / layout.VOCAB_FILE,
                {"idx_to_word": idx_to_word, "word_to_idx": word_to_idx})
    with h5py.File(out_dir / layout.CAPTIONS_FILE, "w") as f:
        for split, (texts, image_idxs) in written.items():
            _write_array(f, f"{split}_captions", captions.encode(texts, word_to_idx))
            _write_array(f, f"{split}_image_idxs", image_idxs)
    images = {split: np.stack([scenes.render(scene) for scene in all_scenes[split]])
              for split in layout.SPLITS}
    for split in layout.SPLITS:
        _write_images(out_dir, split, images[split])
    _write_features(out_dir, images)
    return layout.check_layout(out_dir)


def _write_images(out_dir, split, images):
    """Save a split's images as PNGs and list their relative ``file:`` URLs.

    Parameters
    ----------
    out_dir : Path
    split : str
    images : ndarray of uint8, shape (N, S, S, 3)
    """
    folder = out_dir / IMAGE_FOLDER / split
    folder.mkdir(parents=True, exist_ok=True)
    for stale in sorted(folder.glob("*.png")):
        stale.unlink()
    names = [image_name(split, i) for i in range(len(images))]
    for name, pixels in zip(names, images):
        Image.fromarray(pixels).save(out_dir / name, format="PNG", optimize=True)
    text = "".join(f"file:{name}\n" for name in names)
    (out_dir / layout.urls_file(split)).write_text(text, encoding="utf-8")


def _write_features(out_dir, images):
    """Compute and save the fc7-like and PCA features of both splits.

    The descriptor standardiser and the PCA are fitted on the training split
    and applied to both.

    Parameters
    ----------
    out_dir : Path
    images : dict of str to ndarray of uint8, shape (N, S, S, 3)
    """
    blocks = {split: features.descriptor_blocks(images[split]) for split in layout.SPLITS}
    standardiser = features.fit_standardiser(blocks["train"])
    fc7 = {split: features.fc7_features(blocks[split], standardiser) for split in layout.SPLITS}
    pca_mean, pca_projection = features.fit_pca(fc7["train"])
    for split in layout.SPLITS:
        for pca, values in ((False, fc7[split]),
                            (True, features.pca_features(fc7[split], pca_mean, pca_projection))):
            with h5py.File(out_dir / layout.features_file(split, pca), "w") as f:
                _write_array(f, "features", values)


def _write_array(h5file, name, values):
    """Store an array compressed, chunked by rows and without time stamps.

    Parameters
    ----------
    h5file : h5py.File
    name : str
    values : ndarray, shape (n, ...)
    """
    chunks = (min(ROWS_PER_CHUNK, len(values)),) + values.shape[1:]
    h5file.create_dataset(name, data=values, chunks=chunks, **H5_OPTIONS)


def _write_json(path, value):
    """Write a json document followed by a newline."""
    path.write_text(json.dumps(value) + "\n", encoding="utf-8")
