"""CaptioningSolver with a stand-in model whose loss and gradient are known in advance."""

import re

import numpy as np
import pytest

from solutions.captioning_solver import CaptioningSolver


class ConstantSlopeModel:
    """loss = sum of all weights, gradient = 1 everywhere.

    Under sgd every iteration lowers each weight by exactly the current
    learning rate, so the weights record the learning-rate schedule. The
    model also keeps the minibatches it was given.
    """

    def __init__(self, **shapes):
        self.params = {name: np.zeros(shape) for name, shape in (shapes or {"w": 1}).items()}
        self.batches = []

    def loss(self, features, captions):
        self.batches.append((features, captions))
        loss = float(sum(value.sum() for value in self.params.values()))
        return loss, {name: np.ones_like(value) for name, value in self.params.items()}


def fake_data(num_train, num_images=5):
    """Training captions whose first column names their image; features[i] = i."""
    image_idxs = np.arange(num_train) % num_images
    captions = np.zeros((num_train, 17), dtype=np.int32)
    captions[:, 0] = image_idxs
    return {"train_captions": captions, "train_image_idxs": image_idxs,
            "train_features": np.arange(num_images, dtype=np.float32)[:, None],
            "train_urls": np.array([f"file:///img{i}.jpg" for i in range(num_images)])}


def test_learning_rate_decays_once_per_epoch():
    # 10 captions, batches of 3: 10 // 3 = 3 iterations per epoch, 2 epochs.
    # Learning rates 1, 1, 1, then 0.5, 0.5, 0.5: w = -1, -2, -3, -3.5, -4, -4.5.
    # The loss is read before each update: 0, -1, -2, -3, -3.5, -4.
    # After the second epoch the rate is decayed again: 0.25.
    model, optim_config = ConstantSlopeModel(), {"learning_rate": 1.0}
    solver = CaptioningSolver(model, fake_data(10), update_rule="sgd", optim_config=optim_config,
                              lr_decay=0.5, batch_size=3, num_epochs=2, verbose=False)
    solver.train()
    assert solver.loss_history == [0.0, -1.0, -2.0, -3.0, -3.5, -4.0]
    np.testing.assert_array_equal(model.params["w"], [-4.5])
    assert solver.optim_configs["w"]["learning_rate"] == 0.25
    assert optim_config == {"learning_rate": 1.0}, "the caller's optim_config was modified"


def test_epoch_is_at_least_one_iteration():
    # 4 captions, batches of 25: max(4 // 25, 1) = 1 iteration per epoch, so
    # 3 epochs are 3 iterations at rates 1, 0.5, 0.25: w = -1, -1.5, -1.75.
    model = ConstantSlopeModel()
    solver = CaptioningSolver(model, fake_data(4), optim_config={"learning_rate": 1.0},
                              lr_decay=0.5, batch_size=25, num_epochs=3, verbose=False)
    solver.train()
    assert solver.loss_history == [0.0, -1.0, -1.5]
    np.testing.assert_array_equal(model.params["w"], [-1.75])


def test_minibatches_pair_each_caption_with_its_image():
    model = ConstantSlopeModel()
    CaptioningSolver(model, fake_data(12), batch_size=4, num_epochs=2, verbose=False).train()
    assert len(model.batches) == 6
    for features, captions in model.batches:
        assert captions.shape == (4, 17) and features.shape == (4, 1)
        np.testing.assert_array_equal(features[:, 0], captions[:, 0])


def test_verbose_training_prints_iteration_and_loss(capsys):
    # 6 iterations printed every 2: iterations 1, 3 and 5, with the losses
    # 0, -2 and -3.5 of the schedule in test_learning_rate_decays_once_per_epoch.
    solver = CaptioningSolver(ConstantSlopeModel(), fake_data(10),
                              optim_config={"learning_rate": 1.0}, lr_decay=0.5,
                              batch_size=3, num_epochs=2, print_every=2)
    solver.train()
    lines = capsys.readouterr().out.splitlines()
    parsed = [re.fullmatch(r"\(Iteration (\d+) / (\d+)\) loss: (\S+)", line) for line in lines]
    assert all(parsed), lines
    printed = [(int(m[1]), int(m[2]), float(m[3])) for m in parsed]
    assert printed == [(1, 6, 0.0), (3, 6, -2.0), (5, 6, -3.5)]


def test_quiet_training_prints_nothing(capsys):
    CaptioningSolver(ConstantSlopeModel(), fake_data(10), batch_size=3, verbose=False).train()
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_every_parameter_gets_its_own_optimizer_state(rule):
    model = ConstantSlopeModel(a=2, b=(3, 2))
    solver = CaptioningSolver(model, fake_data(10), update_rule=rule, batch_size=5,
                              num_epochs=1, verbose=False)
    solver.train()
    assert len(solver.loss_history) == 2
    assert solver.optim_configs["a"] is not solver.optim_configs["b"]
    assert model.params["a"].shape == (2,) and model.params["b"].shape == (3, 2)
    assert (model.params["a"] < 0).all() and (model.params["b"] < 0).all()


def test_unknown_keyword_argument_is_rejected():
    with pytest.raises(ValueError, match="learning_rate"):
        CaptioningSolver(ConstantSlopeModel(), fake_data(10), learning_rate=1e-3)


def test_unknown_update_rule_is_rejected():
    with pytest.raises(ValueError, match="adagrad"):
        CaptioningSolver(ConstantSlopeModel(), fake_data(10), update_rule="adagrad")
