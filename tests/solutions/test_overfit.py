"""The classic overfit check of docs/assignment.md on the embedded caption set.

50 training captions, hidden 512, word vectors 256, adam at 5e-3, 50 epochs of
batches of 25 (100 iterations): the reference model must memorise them.
"""

import numpy as np
import pytest

from captiondata import locations
from solutions.captioning_solver import CaptioningSolver
from solutions.classifiers.rnn import CaptioningRNN
from solutions.coco_utils import load_coco_data


@pytest.mark.slow
@pytest.mark.parametrize("cell_type, lr_decay, final_loss_below",
                         [("rnn", 0.95, 0.1), ("lstm", 0.995, 0.5)])
def test_small_data_is_memorised(tmp_path, monkeypatch, cell_type, lr_decay, final_loss_below):
    # Whether or not the full set was downloaded, the default folder falls back
    # to the embedded set when $COCO_CAPTIONING_DIR names a missing folder.
    monkeypatch.setenv(locations.ENV_VAR, str(tmp_path / "no_full_set"))
    np.random.seed(231)
    data = load_coco_data(max_train=50)
    assert data["train_captions"].shape[0] == 50
    model = CaptioningRNN(data["word_to_idx"], input_dim=data["train_features"].shape[1],
                          wordvec_dim=256, hidden_dim=512, cell_type=cell_type, dtype=np.float32)
    solver = CaptioningSolver(model, data, update_rule="adam", num_epochs=50, batch_size=25,
                              optim_config={"learning_rate": 5e-3}, lr_decay=lr_decay,
                              verbose=False)
    solver.train()
    assert len(solver.loss_history) == 100
    assert solver.loss_history[-1] < final_loss_below, (
        f"{cell_type}: final loss {solver.loss_history[-1]:.4f}, "
        f"first {solver.loss_history[0]:.4f}")
