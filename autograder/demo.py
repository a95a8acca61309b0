"""Train the reference captioning model on the embedded data and show what it says.

A quick way to see the whole assignment work end to end without the 1 GB download.
"""

import numpy as np

from captiondata import locations
from solutions.captioning_solver import CaptioningSolver
from solutions.classifiers.rnn import CaptioningRNN
from solutions.coco_utils import decode_captions, load_coco_data, sample_coco_minibatch

SHOWN_PER_SPLIT = 4


def run(cell_type="lstm", iterations=400, seed=0, batch_size=50):
    """Train on the embedded training split, then print sampled captions of train and val images.

    Parameters
    ----------
    cell_type : {'rnn', 'lstm'}
    iterations : int
        Number of minibatch updates.
    seed : int
        Seeds numpy's global generator (minibatches, initial weights).
    batch_size : int
    """
    np.random.seed(seed)
    data = load_coco_data(base_dir=locations.EMBEDDED_DIR)
    num_train = data["train_captions"].shape[0]
    model = CaptioningRNN(
        data["word_to_idx"],
        input_dim=data["train_features"].shape[1],
        wordvec_dim=128,
        hidden_dim=256,
        cell_type=cell_type,
    )
    solver = CaptioningSolver(
        model,
        data,
        update_rule="adam",
        optim_config={"learning_rate": 5e-3},
        lr_decay=0.99,
        batch_size=batch_size,
        num_epochs=max(1, round(iterations * batch_size / num_train)),
        print_every=100,
    )
    solver.train()
    for split in ("train", "val"):
        captions, features, urls = sample_coco_minibatch(data, SHOWN_PER_SPLIT, split)
        sampled = decode_captions(model.sample(features), data["idx_to_word"])
        truth = decode_captions(captions, data["idx_to_word"])
        print(f"\n{split} images")
        for url, said, true in zip(urls, sampled, truth):
            print(f"  {url.rsplit('/', 1)[-1]}\n    model: {said}\n    truth: {true}")
