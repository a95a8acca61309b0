"""The hidden sampling problems: well conditioned, varied endings, and captions that never end."""

import time

import numpy as np
import pytest

from autograder.items import sample, seeds
from autograder.items.engine import REFERENCE
from autograder.items.model import reference_model
from support.items import alternative_files, describe, grade

SEEDS = range(8)


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_problem_has_unended_captions_varied_endings_and_margins(cell_type, seed):
    rng = seeds.item_rng(seed, f"sample_{cell_type}")
    sizes, word_to_idx, kwargs, params, features = sample.draw_problem(rng, cell_type)
    model = reference_model(word_to_idx, kwargs, params)
    end, start = word_to_idx["<END>"], word_to_idx["<START>"]
    explicit = REFERENCE.method(model, "sample", features, max_length=sizes["L"])
    assert len(features) == sizes["N"]
    assert sizes["L"] < sample.DEFAULT_MAX_LENGTH
    assert sum(end not in caption for caption in explicit) >= 1
    assert len({int(np.argmax(caption == end)) for caption in explicit
                if end in caption}) >= sample.ENDINGS
    default = REFERENCE.method(model, "sample", features)
    gaps = sample.margins(params, features, default, cell_type, start)
    for row, caption in enumerate(default):
        last = int(np.argmax(caption == end)) if end in caption else caption.size - 1
        assert gaps[row, : last + 1].min() >= sample.MARGIN


def test_problems_are_drawn_quickly():
    start = time.perf_counter()
    for seed in SEEDS:
        sample.draw_problem(seeds.item_rng(seed, "sample_lstm"), "lstm")
    assert (time.perf_counter() - start) / len(SEEDS) < 1.0


@pytest.mark.parametrize("name", ["early_stop", "float32", "loops"])
@pytest.mark.parametrize("seed", [4, 5, 6])
def test_correct_samplers_still_earn_every_point(tmp_path, name, seed, make_package, settings):
    results = grade(make_package(appended=alternative_files(name)),
                    ["sample_rnn", "sample_lstm"], settings, seed)
    for result in results.values():
        assert result.score == result.max_score, describe(result)
