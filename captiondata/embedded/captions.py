"""English captions of scenes, the vocabulary, and captions as word indices.

Each image gets several captions written from different templates, with
varied wording (``big``/``large``, ``little``/``small``, several phrasings of
a position). Now and then a writer picks an unusual synonym (``crimson``,
``wedge``); the vocabulary keeps only words used often enough in the
training captions, so such words are encoded as ``<UNK>``, as rare words
are in COCO.
"""

from collections import Counter

import numpy as np

from ..layout import CAPTION_LENGTH, SPECIAL_TOKENS

NULL, START, END, UNK = SPECIAL_TOKENS
MAX_WORDS = CAPTION_LENGTH - 2  # room left by <START> and <END>
RARE_WEIGHT = 0.0015  # relative weight of an unusual synonym against the usual word(s)

SIZE_WORDS = {
    "small": {"small": 0.55, "little": 0.45, "tiny": RARE_WEIGHT},
    "large": {"large": 0.55, "big": 0.45, "huge": RARE_WEIGHT},
}
COLOUR_WORDS = {
    "red": {"red": 1.0, "crimson": RARE_WEIGHT},
    "green": {"green": 1.0, "emerald": RARE_WEIGHT},
    "blue": {"blue": 1.0, "azure": RARE_WEIGHT},
    "yellow": {"yellow": 1.0, "golden": RARE_WEIGHT},
    "purple": {"purple": 1.0, "violet": RARE_WEIGHT},
    "orange": {"orange": 1.0, "amber": RARE_WEIGHT},
}
SHAPE_WORDS = {
    "circle": {"circle": 1.0, "disc": RARE_WEIGHT},
    "square": {"square": 1.0, "box": RARE_WEIGHT},
    "triangle": {"triangle": 1.0, "wedge": RARE_WEIGHT},
    "diamond": {"diamond": 1.0, "rhombus": RARE_WEIGHT},
}
BACKGROUND_WORDS = {
    "white": {"white": 1.0},
    "black": {"black": 1.0, "dark": 0.3},
    "gray": {"gray": 1.0, "grey": 0.4},
}
POSITION_PHRASES = {
    "left": ("on the left", "on the left side", "at the left"),
    "right": ("on the right", "on the right side", "at the right"),
    "top": ("at the top", "near the top", "in the upper half"),
    "bottom": ("at the bottom", "near the bottom", "in the lower half"),
    "middle": ("in the middle", "in the center", "in the centre"),
}

# Fields: {a} a shape with its size, {a_plain} without it, {where} its position,
# {bg} the background; for pairs {a}/{a_plain} is the left or upper shape and
# {b}/{b_plain} the other one.
SINGLE_TEMPLATES = (
    "{a} {where}",
    "there is {a} {where}",
    "{a_plain} {where}",
    "{a} on a {bg} background",
    "a picture of {a}",
    "{a_plain} against a {bg} background",
    "{where} there is {a_plain}",
)
PAIR_TEMPLATES = {
    "horizontal": (
        "{a_plain} to the left of {b_plain}",
        "{b_plain} to the right of {a_plain}",
        "{a} next to {b}",
        "{a} and {b}",
        "{a_plain} and {b_plain} on a {bg} background",
        "{b_plain} beside {a_plain}",
        "{a_plain} and {b_plain} side by side",
    ),
    "vertical": (
        "{a_plain} above {b_plain}",
        "{b_plain} below {a_plain}",
        "{a} over {b}",
        "{a} and {b}",
        "{a_plain} and {b_plain} on a {bg} background",
        "{b} under {a}",
        "{a_plain} on top of {b_plain}",
    ),
}
VOWELS = "aeiou"


def describe(scene, rng, count):
    """Write captions of a scene, each from a different template.

    Parameters
    ----------
    scene : captiondata.embedded.scenes.Scene
    rng : numpy.random.Generator
    count : int
        Number of captions; at most the number of templates for the layout.

    Returns
    -------
    list of str, length ``count``
        Lower-case words separated by single spaces, at most
        :data:`MAX_WORDS` words each.
    """
    pair = len(scene.shapes) == 2
    templates = PAIR_TEMPLATES[scene.layout] if pair else SINGLE_TEMPLATES
    chosen = rng.choice(len(templates), size=count, replace=False)
    captions = []
    for index in chosen:
        fields = {"bg": _word(rng, BACKGROUND_WORDS[scene.background])}
        for name, shape in zip("ab", scene.shapes):
            fields[name] = _noun_phrase(rng, shape, with_size=True)
            fields[f"{name}_plain"] = _noun_phrase(rng, shape, with_size=False)
        if not pair:
            phrases = POSITION_PHRASES[scene.layout]
            fields["where"] = phrases[int(rng.integers(len(phrases)))]
        captions.append(templates[index].format(**fields))
    return captions


def _noun_phrase(rng, shape, with_size):
    """``a small red circle``: article, optional size, colour and kind of a shape."""
    words = [_word(rng, SIZE_WORDS[shape.size])] if with_size else []
    words += [_word(rng, COLOUR_WORDS[shape.colour]), _word(rng, SHAPE_WORDS[shape.kind])]
    article = "an" if words[0][0] in VOWELS else "a"
    return " ".join([article] + words)


def _word(rng, weights):
    """One key of ``weights`` (word -> relative weight), drawn accordingly."""
    words = list(weights)
    bounds = np.cumsum([weights[word] for word in words])
    return words[int(np.searchsorted(bounds, rng.random() * bounds[-1], side="right"))]


def build_vocabulary(captions, min_count):
    """The special tokens, then every word used at least ``min_count`` times.

    Words are ordered by falling count, ties alphabetically, so the result
    does not depend on the order of the captions.

    Parameters
    ----------
    captions : iterable of str
    min_count : int

    Returns
    -------
    idx_to_word : list of str
    word_to_idx : dict of str to int
    """
    counts = Counter(word for caption in captions for word in caption.split())
    frequent = sorted((word for word, n in counts.items() if n >= min_count),
                      key=lambda word: (-counts[word], word))
    idx_to_word = list(SPECIAL_TOKENS) + frequent
    return idx_to_word, {word: i for i, word in enumerate(idx_to_word)}


def encode(captions, word_to_idx):
    """Captions as padded rows of word indices.

    Parameters
    ----------
    captions : sequence of str
        Each of at most :data:`MAX_WORDS` words.
    word_to_idx : dict of str to int
        Holds the special tokens; other missing words become ``<UNK>``.

    Returns
    -------
    ndarray of int32, shape (len(captions), CAPTION_LENGTH)
        ``<START>``, the words, ``<END>``, then ``<NULL>`` padding.

    Raises
    ------
    ValueError
        For a caption longer than :data:`MAX_WORDS` words.
    """
    rows = np.full((len(captions), CAPTION_LENGTH), word_to_idx[NULL], dtype=np.int32)
    for row, caption in zip(rows, captions):
        words = caption.split()
        if len(words) > MAX_WORDS:
            raise ValueError(f"caption of {len(words)} words (at most {MAX_WORDS}): {caption!r}")
        tokens = [START] + words + [END]
        row[: len(tokens)] = [word_to_idx.get(word, word_to_idx[UNK]) for word in tokens]
    return rows
