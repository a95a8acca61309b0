"""The embedded caption set: its layout, captions, vocabulary, images, features,
reproducibility, and that a model can learn to caption unseen images from it."""

import re
from collections import Counter
from pathlib import Path

import h5py
import numpy as np
import pytest

from captiondata import layout
from captiondata.embedded import build, captions, features, scenes
from captiondata.locations import EMBEDDED_DIR
from solutions.bleu import (bleu1, caption_words, generated_words, image_references,
                            most_frequent_caption)
from solutions.captioning_solver import CaptioningSolver
from solutions.classifiers.rnn import CaptioningRNN
from solutions.coco_utils import decode_captions, load_coco_data
from solutions.image_utils import image_from_url

WORD = re.compile(r"[a-z]+")
PROBE_MIN_ACCURACY = 0.9
# Training run of the generalisation test: a few hundred adam steps of a small RNN.
TRAIN_SEED = 0
TRAIN_ITERATIONS = 300
TRAIN_BATCH = 100
# Measured BLEU-1: trained 0.85, trained on shuffled features 0.55, constant caption 0.57;
# colour/shape word precision: trained 0.90, shuffled features 0.33, constant caption 0.35.
BLEU_MARGIN = 0.15
KEYWORD_MARGIN = 0.3
REBUILD_FEATURE_ATOL = {"": features.FC7_STEP, "_pca": 0.1}  # BLAS may round differently


@pytest.fixture(scope="module")
def data():
    return load_coco_data(base_dir=EMBEDDED_DIR)


@pytest.fixture(scope="module")
def split_scenes():
    return {split: build.split_scenes(split) for split in layout.SPLITS}


@pytest.fixture(scope="module")
def split_texts(split_scenes):
    return {split: build.split_captions(split, split_scenes[split])[0] for split in layout.SPLITS}


def test_layout_is_complete():
    counts = layout.check_layout(EMBEDDED_DIR)
    assert counts["train"] == build.SPLIT_IMAGES["train"]
    assert counts["val"] == build.SPLIT_IMAGES["val"]
    assert counts["vocab"] > len(layout.SPECIAL_TOKENS)


def test_every_image_has_its_captions(data):
    for split in layout.SPLITS:
        assert data[f"{split}_captions"].dtype == np.int32
        assert data[f"{split}_image_idxs"].dtype == np.int32
        per_image = np.bincount(data[f"{split}_image_idxs"],
                                minlength=build.SPLIT_IMAGES[split])
        assert np.all(per_image == build.CAPTIONS_PER_IMAGE), split


def test_captions_decode_to_english(data, split_texts):
    for split in layout.SPLITS:
        decoded = decode_captions(data[f"{split}_captions"], data["idx_to_word"])
        assert len(decoded) == len(split_texts[split])
        for text, tokens in zip(split_texts[split], decoded):
            words = tokens.split()
            assert words[0] == "<START>" and words[-1] == "<END>", tokens
            assert len(words) <= layout.CAPTION_LENGTH
            assert all(WORD.fullmatch(w) or w == "<UNK>" for w in words[1:-1]), tokens
            expected = [w if w in data["word_to_idx"] else "<UNK>" for w in text.split()]
            assert words[1:-1] == expected


def test_captions_name_the_colours_and_shapes_in_their_image(split_scenes, split_texts):
    for split in layout.SPLITS:
        texts = split_texts[split]
        described = [scene for scene in split_scenes[split]
                     for _ in range(build.CAPTIONS_PER_IMAGE)]
        complete = 0
        for text, scene in zip(texts, described):
            words = set(text.split())
            colours = {s.colour for s in scene.shapes}
            kinds = {s.kind for s in scene.shapes}
            assert words & set(scenes.OBJECT_COLOURS) <= colours, (text, scene)
            assert words & set(scenes.SHAPES) <= kinds, (text, scene)
            complete += colours <= words and kinds <= words
        # Only the rare synonyms ("crimson", "wedge") leave a colour or shape unnamed.
        assert complete / len(texts) > 0.97


def test_vocabulary_keeps_frequent_words_and_unks_rare_ones(data, split_texts):
    idx_to_word, word_to_idx = data["idx_to_word"], data["word_to_idx"]
    assert idx_to_word[:4] == ["<NULL>", "<START>", "<END>", "<UNK>"]
    assert all(word_to_idx[w] == i for i, w in enumerate(idx_to_word))
    counts = Counter(w for text in split_texts["train"] for w in text.split())
    frequent = {w for w, n in counts.items() if n >= build.MIN_WORD_COUNT}
    rare = set(counts) - frequent
    assert set(idx_to_word[4:]) == frequent
    assert rare, "no rare training words: <UNK> would never be used"
    unk = word_to_idx["<UNK>"]
    assert np.sum(data["train_captions"] == unk) == sum(counts[w] for w in rare)


def test_caption_encoding_pads_and_rejects_long_captions():
    vocab = {w: i for i, w in enumerate(layout.SPECIAL_TOKENS + ("a", "red", "circle"))}
    rows = captions.encode(["a red circle", "a blue circle"], vocab)
    assert rows.dtype == np.int32 and rows.shape == (2, layout.CAPTION_LENGTH)
    assert rows[0, :6].tolist() == [1, 4, 5, 6, 2, 0] and not rows[0, 6:].any()
    assert rows[1, :5].tolist() == [1, 4, 3, 6, 2]
    with pytest.raises(ValueError, match="at most"):
        captions.encode([" ".join(["a"] * (captions.MAX_WORDS + 1))], vocab)


def test_image_urls_load_the_rendered_images(data, split_scenes):
    for split in layout.SPLITS:
        assert len(data[f"{split}_urls"]) == build.SPLIT_IMAGES[split]
        for index in (0, build.SPLIT_IMAGES[split] - 1):
            url = data[f"{split}_urls"][index]
            assert url.startswith("file://") and url.endswith(build.image_name(split, index))
            image = image_from_url(url)
            assert image is not None and image.dtype == np.uint8
            assert image.shape == (scenes.IMAGE_SIZE, scenes.IMAGE_SIZE, 3)
            np.testing.assert_array_equal(image, scenes.render(split_scenes[split][index]))


def test_features_are_distinct_sparse_and_whitened():
    with h5py.File(EMBEDDED_DIR / layout.features_file("train", False), "r") as f:
        fc7 = f["features"][:]
    with h5py.File(EMBEDDED_DIR / layout.features_file("train", True), "r") as f:
        pca = f["features"][:]
    assert fc7.min() == 0 and 0.05 < np.mean(fc7 > 0) < 0.5
    assert len(np.unique(pca, axis=0)) == len(pca), "two images share their features"
    np.testing.assert_allclose(pca.std(axis=0), 1.0, atol=0.05)


def _one_hot(labels, values):
    """(N, len(labels)) indicator of each value among the labels."""
    return np.asarray([[v == label for label in labels] for v in values], dtype=float)


def _is_single(scene):
    return len(scene.shapes) == 1


def _is_pair(scene):
    return len(scene.shapes) == 2


def _shape_attribute(name, slot):
    """Reads attribute ``name`` of shape ``slot`` of a scene."""
    return lambda scene: getattr(scene.shapes[slot], name)


# attribute -> (the scenes it is probed on, its labels, how to read it off a
# scene). In a pair, the first shape is the left or upper one.
PROBED_ATTRIBUTES = {
    "layout": (lambda scene: True, list(scenes.SINGLE_POSITIONS) + list(scenes.PAIR_ARRANGEMENTS),
               lambda scene: scene.layout),
    "background": (lambda scene: True, list(scenes.BACKGROUND_COLOURS),
                   lambda scene: scene.background),
    "size of a single shape": (_is_single, list(scenes.SIZE_EXTENTS), _shape_attribute("size", 0)),
}
for _name, _labels in (("colour", list(scenes.OBJECT_COLOURS)), ("kind", list(scenes.SHAPES)),
                       ("size", list(scenes.SIZE_EXTENTS))):
    for _slot, _position in ((0, "first"), (1, "second")):
        PROBED_ATTRIBUTES[f"{_name} of the {_position} of a pair"] = (
            _is_pair, _labels, _shape_attribute(_name, _slot))


def _probe(features_, targets):
    """Least-squares weights, with a bias row last, of targets on features: (D + 1, K).

    Solved through the normal equations, which the whitened features keep
    well conditioned (and which are much faster than an SVD).
    """
    x = np.c_[features_, np.ones(len(features_))].astype(np.float64)
    return np.linalg.solve(x.T @ x, x.T @ targets)


def _probe_scores(features_, weights):
    """Scores (N, K) of a probe from :func:`_probe`."""
    return np.c_[features_, np.ones(len(features_))] @ weights


@pytest.mark.parametrize("attribute", sorted(PROBED_ATTRIBUTES))
def test_scene_attributes_are_linearly_decodable(data, split_scenes, attribute):
    """A least-squares probe on the PCA features reads the scene off validation images."""
    applies, labels, value = PROBED_ATTRIBUTES[attribute]
    chosen, truth = {}, {}
    for split in layout.SPLITS:
        chosen[split] = [i for i, scene in enumerate(split_scenes[split]) if applies(scene)]
        truth[split] = [value(split_scenes[split][i]) for i in chosen[split]]
    weights = _probe(data["train_features"][chosen["train"]], _one_hot(labels, truth["train"]))
    scores = _probe_scores(data["val_features"][chosen["val"]], weights)
    accuracy = np.mean(np.asarray(labels)[np.argmax(scores, axis=1)] == truth["val"])
    print(f"{attribute}: validation accuracy {accuracy:.3f} on {len(chosen['val'])} images "
          f"(chance {1 / len(labels):.3f})")
    assert accuracy >= PROBE_MIN_ACCURACY


@pytest.mark.parametrize("name, labels", [("colour", list(scenes.OBJECT_COLOURS)),
                                          ("kind", list(scenes.SHAPES))])
def test_the_colours_and_kinds_in_an_image_are_linearly_decodable(data, split_scenes, name,
                                                                  labels):
    """The n best-scoring labels of a probe are the set of the n shapes' labels."""
    present = {split: [{getattr(s, name) for s in scene.shapes} for scene in split_scenes[split]]
               for split in layout.SPLITS}
    targets = np.asarray([[label in p for label in labels] for p in present["train"]], float)
    scores = _probe_scores(data["val_features"], _probe(data["train_features"], targets))
    hits = [set(np.asarray(labels)[np.argsort(-row)[:len(scene.shapes)]]) == truth
            for row, scene, truth in zip(scores, split_scenes["val"], present["val"])]
    print(f"{name}s in the image: exactly right for {np.mean(hits):.3f} of the validation images")
    assert np.mean(hits) >= PROBE_MIN_ACCURACY


@pytest.mark.slow
def test_rebuild_reproduces_the_committed_folder(tmp_path):
    build.build(tmp_path)
    for name in [layout.VOCAB_FILE] + [layout.urls_file(split) for split in layout.SPLITS]:
        assert (tmp_path / name).read_text() == (EMBEDDED_DIR / name).read_text(), name
    with h5py.File(tmp_path / layout.CAPTIONS_FILE, "r") as new, \
            h5py.File(EMBEDDED_DIR / layout.CAPTIONS_FILE, "r") as old:
        assert sorted(new) == sorted(old)
        for key in old:
            assert new[key].dtype == np.int32
            np.testing.assert_array_equal(new[key][:], old[key][:], err_msg=key)
    for split in layout.SPLITS:
        for suffix, atol in REBUILD_FEATURE_ATOL.items():
            name = layout.features_file(split, suffix == "_pca")
            with h5py.File(tmp_path / name, "r") as new, \
                    h5py.File(EMBEDDED_DIR / name, "r") as old:
                np.testing.assert_allclose(new["features"][:], old["features"][:],
                                           rtol=0, atol=atol, err_msg=name)
        new_images = sorted(p.name for p in (tmp_path / build.IMAGE_FOLDER / split).iterdir())
        old_images = sorted(p.name for p in (EMBEDDED_DIR / build.IMAGE_FOLDER / split).iterdir())
        assert new_images == old_images
        for name in new_images:
            relative = Path(build.IMAGE_FOLDER) / split / name
            np.testing.assert_array_equal(image_from_url((tmp_path / relative).as_uri()),
                                          image_from_url((EMBEDDED_DIR / relative).as_uri()),
                                          err_msg=str(relative))


def keyword_precision(candidates, image_scenes):
    """Share of the colour and shape words of the captions that are true of their image.

    Parameters
    ----------
    candidates : list of list of str
    image_scenes : list of Scene

    Returns
    -------
    float in [0, 1]
    """
    right = total = 0
    for words, scene in zip(candidates, image_scenes):
        truth = {s.colour for s in scene.shapes} | {s.kind for s in scene.shapes}
        keywords = [w for w in words if w in scenes.OBJECT_COLOURS or w in scenes.SHAPES]
        right += sum(w in truth for w in keywords)
        total += len(keywords)
    return right / max(total, 1)


def test_bleu1_scores_a_perfect_and_a_short_caption():
    refs = [[["a", "red", "circle"], ["a", "big", "red", "circle"]]]
    assert bleu1([["a", "red", "circle"]], refs) == 1.0
    assert bleu1([["red", "red", "red"]], refs) == pytest.approx(1 / 3)
    assert bleu1([["circle"]], refs) == pytest.approx(np.exp(1 - 3))
    assert bleu1([[]], refs) == 0.0


def test_references_and_the_baseline_come_from_the_decoded_captions(data):
    references = image_references(data, "val")
    assert len(references) == build.SPLIT_IMAGES["val"]
    assert all(len(refs) == build.CAPTIONS_PER_IMAGE for refs in references)
    first = decode_captions(data["val_captions"][0], data["idx_to_word"]).split()
    assert first[0] == "<START>" and first[-1] == "<END>"
    assert references[data["val_image_idxs"][0]][0] == first[1:-1]
    as_sampled = data["val_captions"][:1, 1:]  # sample() writes no <START>
    assert generated_words(as_sampled, data["idx_to_word"]) == [first[1:-1]]
    assert caption_words("<START> a <UNK> circle <END>") == ["a", "circle"]
    counts = Counter(decode_captions(data["train_captions"], data["idx_to_word"]))
    baseline = " ".join(["<START>", *most_frequent_caption(data), "<END>"])
    assert counts[baseline] == counts.most_common(1)[0][1] > 1


@pytest.mark.slow
def test_trained_model_captions_validation_images_better_than_a_constant(data, split_scenes):
    np.random.seed(TRAIN_SEED)
    model = CaptioningRNN(data["word_to_idx"], input_dim=data["train_features"].shape[1],
                          wordvec_dim=128, hidden_dim=256, cell_type="rnn")
    epochs = TRAIN_ITERATIONS * TRAIN_BATCH // len(data["train_captions"])
    solver = CaptioningSolver(model, data, update_rule="adam", num_epochs=epochs,
                              batch_size=TRAIN_BATCH, optim_config={"learning_rate": 5e-3},
                              lr_decay=0.9, verbose=False)
    solver.train()

    references = image_references(data, "val")
    sampled = model.sample(data["val_features"], max_length=layout.CAPTION_LENGTH)
    generated = generated_words(sampled, data["idx_to_word"])
    constant = [most_frequent_caption(data)] * len(references)

    model_bleu, constant_bleu = bleu1(generated, references), bleu1(constant, references)
    model_keywords = keyword_precision(generated, split_scenes["val"])
    constant_keywords = keyword_precision(constant, split_scenes["val"])
    print(f"validation BLEU-1: trained {model_bleu:.3f}, most frequent caption "
          f"{constant_bleu:.3f}; colour/shape word precision: trained {model_keywords:.3f}, "
          f"most frequent caption {constant_keywords:.3f}")
    assert model_bleu >= constant_bleu + BLEU_MARGIN
    assert model_keywords >= constant_keywords + KEYWORD_MARGIN
