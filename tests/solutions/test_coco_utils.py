"""load_coco_data, sample_coco_minibatch and decode_captions on small folders built here."""

import json

import h5py
import numpy as np
import pytest

from captiondata import layout, locations
from solutions.coco_utils import decode_captions, load_coco_data, sample_coco_minibatch

IDX_TO_WORD = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "sits"]
IDX_TO_WORD += [f"w{i}" for i in range(12)]
FIRST_IMAGE_WORD = 7  # captions[:, 1] = FIRST_IMAGE_WORD + image index: a caption names its image


def write_coco_folder(folder, images=(6, 3), captions_per_image=3):
    """A complete, tiny coco_captioning folder; URLs are relative file: URLs."""
    folder.mkdir(parents=True)
    (folder / layout.VOCAB_FILE).write_text(json.dumps(
        {"idx_to_word": IDX_TO_WORD, "word_to_idx": {w: i for i, w in enumerate(IDX_TO_WORD)}}))
    with h5py.File(folder / layout.CAPTIONS_FILE, "w") as f:
        for split, n_images in zip(layout.SPLITS, images):
            idxs = np.repeat(np.arange(n_images, dtype=np.int32), captions_per_image)
            captions = np.zeros((len(idxs), layout.CAPTION_LENGTH), dtype=np.int32)
            captions[:, 0], captions[:, 1], captions[:, 2] = 1, FIRST_IMAGE_WORD + idxs, 2
            f[f"{split}_captions"], f[f"{split}_image_idxs"] = captions, idxs
    for split, n_images in zip(layout.SPLITS, images):
        for pca, dim in ((True, 512), (False, 4096)):
            with h5py.File(folder / layout.features_file(split, pca), "w") as f:
                f["features"] = np.repeat(np.arange(n_images, dtype=np.float32)[:, None], dim, 1)
        (folder / layout.urls_file(split)).write_text(
            "".join(f"file:images/{split}_{i}.jpg\n" for i in range(n_images)))
    return folder


def test_missing_folder_raises_layout_error_naming_the_download_command(tmp_path):
    with pytest.raises(layout.LayoutError, match="python -m captiondata download"):
        load_coco_data(base_dir=tmp_path / "no_such_folder")


@pytest.mark.parametrize("damage", ["empty folder", "file missing", "corrupt h5", "corrupt vocab"])
def test_broken_folder_raises_layout_error_naming_the_download_command(tmp_path, damage):
    folder = tmp_path / "coco_captioning"
    if damage == "empty folder":
        folder.mkdir()
    else:
        write_coco_folder(folder)
    if damage == "file missing":
        (folder / layout.features_file("val", True)).unlink()
    elif damage == "corrupt h5":
        (folder / layout.CAPTIONS_FILE).write_bytes(b"this is not hdf5")
    elif damage == "corrupt vocab":
        (folder / layout.VOCAB_FILE).write_text("{not json")
    with pytest.raises(layout.LayoutError, match="python -m captiondata download"):
        load_coco_data(base_dir=folder)


def test_loads_every_documented_key(tmp_path):
    folder = write_coco_folder(tmp_path / "coco_captioning")
    data = load_coco_data(base_dir=folder)
    assert set(data) == {"train_captions", "train_image_idxs", "val_captions", "val_image_idxs",
                         "train_features", "val_features", "idx_to_word", "word_to_idx",
                         "train_urls", "val_urls"}
    assert data["train_captions"].shape == (18, 17) and data["val_captions"].shape == (9, 17)
    assert data["train_features"].shape == (6, 512) and data["train_features"].dtype == np.float32
    assert data["idx_to_word"] == IDX_TO_WORD and data["word_to_idx"]["cat"] == 5
    assert data["train_urls"][2] == (folder / "images" / "train_2.jpg").resolve().as_uri()
    assert len(data["val_urls"]) == 3


def test_pca_false_loads_the_4096_d_features(tmp_path):
    data = load_coco_data(base_dir=write_coco_folder(tmp_path / "c"), pca_features=False)
    assert data["train_features"].shape == (6, 4096) and data["val_features"].shape == (3, 4096)


@pytest.mark.parametrize("max_train", [1, 4, 6])
def test_max_train_keeps_captions_of_distinct_images(tmp_path, max_train):
    np.random.seed(0)
    data = load_coco_data(base_dir=write_coco_folder(tmp_path / "c"), max_train=max_train)
    idxs = data["train_image_idxs"]
    assert data["train_captions"].shape == (max_train, 17)
    assert len(set(idxs.tolist())) == max_train, "6 images are enough for distinct ones"
    np.testing.assert_array_equal(data["train_captions"][:, 1] - FIRST_IMAGE_WORD, idxs)
    assert data["val_captions"].shape == (9, 17), "max_train must not touch the val split"


def test_default_folder_is_the_downloaded_set_when_present(tmp_path, monkeypatch, capsys):
    full = write_coco_folder(tmp_path / "full", images=(4, 2))
    monkeypatch.setenv(locations.ENV_VAR, str(full))
    data = load_coco_data()
    assert data["train_urls"][0].startswith(full.resolve().as_uri())
    assert "embedded" not in capsys.readouterr().out


def test_default_folder_falls_back_to_the_embedded_set(tmp_path, monkeypatch, capsys):
    embedded = write_coco_folder(tmp_path / "embedded")
    monkeypatch.setenv(locations.ENV_VAR, str(tmp_path / "not_downloaded"))
    monkeypatch.setattr(locations, "EMBEDDED_DIR", embedded)
    data = load_coco_data()
    assert data["train_urls"][0].startswith(embedded.resolve().as_uri())
    assert "embedded" in capsys.readouterr().out


@pytest.mark.parametrize("split, n_images", [("train", 6), ("val", 3)])
def test_minibatch_pairs_captions_with_their_images(tmp_path, split, n_images):
    np.random.seed(0)
    data = load_coco_data(base_dir=write_coco_folder(tmp_path / "c"))
    captions, features, urls = sample_coco_minibatch(data, batch_size=20, split=split)
    assert captions.shape == (20, 17) and features.shape == (20, 512) and urls.shape == (20,)
    image = captions[:, 1] - FIRST_IMAGE_WORD
    assert image.max() < n_images
    np.testing.assert_array_equal(features[:, 0], image)
    assert list(urls) == [data[f"{split}_urls"][i] for i in image]


def test_decode_one_caption_skips_null_and_stops_after_end():
    caption = np.array([1, 4, 0, 5, 6, 2, 5, 0])
    assert decode_captions(caption, IDX_TO_WORD) == "<START> a cat sits <END>"


def test_decode_a_batch_gives_one_string_per_row():
    captions = np.array([[1, 4, 5, 2, 6], [5, 6, 0, 0, 0], [2, 4, 4, 4, 4]])
    assert decode_captions(captions, IDX_TO_WORD) == ["<START> a cat <END>", "cat sits", "<END>"]


def test_decode_accepts_a_dict_vocabulary():
    idx_to_word = dict(enumerate(IDX_TO_WORD))
    assert decode_captions(np.array([[5, 2, 6]]), idx_to_word) == ["cat <END>"]
