"""BLEU-1: how well generated captions match the reference captions of their images
(provided to students).

Corpus BLEU-1 (Papineni et al., 2002, with single words only) is the share of the
generated words that also occur in a reference caption of the same image, a word
counting at most as often as the reference that uses it most has it ("clipped"
precision), times a brevity penalty that punishes captions shorter than their
references. 1 is a perfect match; repeating one caption for every image scores
what a model learns from the words alone, without looking at the images.
"""

from collections import Counter

import numpy as np

from captiondata import layout

from .coco_utils import decode_captions


def caption_words(text):
    """The words of a decoded caption without the special words (``<START>``, ``<UNK>``, ...).

    Parameters
    ----------
    text : str
        One caption as :func:`coco_utils.decode_captions` returns it.

    Returns
    -------
    list of str
    """
    return [word for word in text.split() if word not in layout.SPECIAL_TOKENS]


def bleu1(candidates, references):
    """Corpus BLEU-1: clipped word precision times the brevity penalty.

    Parameters
    ----------
    candidates : list of list of str
        One generated caption per image, as words.
    references : list of list of list of str
        The reference captions of every image, as words, in the same order.

    Returns
    -------
    float
        In [0, 1]; 0 when no word was generated.
    """
    clipped = candidate_length = reference_length = 0
    for candidate, refs in zip(candidates, references, strict=True):
        most = Counter()
        for ref in refs:
            most |= Counter(ref)
        clipped += sum(min(count, most[word]) for word, count in Counter(candidate).items())
        candidate_length += len(candidate)
        reference_length += len(min(refs, key=lambda ref: (abs(len(ref) - len(candidate)),
                                                           len(ref))))
    if candidate_length == 0:
        return 0.0
    brevity = min(1.0, float(np.exp(1 - reference_length / candidate_length)))
    return brevity * clipped / candidate_length


def image_references(data, split):
    """The reference captions of every image of a split, as words.

    Parameters
    ----------
    data : dict
        As :func:`coco_utils.load_coco_data` returns it.
    split : {'train', 'val'}

    Returns
    -------
    list of list of list of str
        Entry ``i`` holds the captions of image ``i`` (row ``i`` of
        ``data[split + '_features']``).
    """
    references = [[] for _ in data[f"{split}_features"]]
    texts = decode_captions(data[f"{split}_captions"], data["idx_to_word"])
    for text, image in zip(texts, data[f"{split}_image_idxs"]):
        references[image].append(caption_words(text))
    return references


def generated_words(captions, idx_to_word):
    """The words of sampled captions, one list per caption.

    Parameters
    ----------
    captions : array of int, shape (N, T)
        Word indices, as ``CaptioningRNN.sample`` returns them.
    idx_to_word : list of str

    Returns
    -------
    list of list of str
    """
    return [caption_words(text) for text in decode_captions(np.atleast_2d(captions), idx_to_word)]


def most_frequent_caption(data, split="train"):
    """The caption written most often in a split, as words: the constant baseline.

    Parameters
    ----------
    data : dict
        As :func:`coco_utils.load_coco_data` returns it.
    split : {'train', 'val'}

    Returns
    -------
    list of str
    """
    texts = decode_captions(data[f"{split}_captions"], data["idx_to_word"])
    return caption_words(Counter(texts).most_common(1)[0][0])
