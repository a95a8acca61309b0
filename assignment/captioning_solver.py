"""Minibatch training of a captioning model (provided to students)."""

from . import optim
from .coco_utils import sample_coco_minibatch


class CaptioningSolver:
    """Trains a captioning model with one of the update rules of :mod:`optim`.

    Each iteration samples a minibatch of training captions, computes the
    model's loss and gradients and updates every parameter. An epoch is
    ``max(num_train // batch_size, 1)`` iterations; at the end of each epoch
    every learning rate is multiplied by ``lr_decay``.

    Parameters
    ----------
    model : object
        Has ``params`` (dict of arrays) and ``loss(features, captions) -> (loss, grads)``.
    data : dict
        As returned by :func:`coco_utils.load_coco_data`.
    update_rule : str
        A name in :data:`optim.UPDATE_RULES`.
    optim_config : dict
        Hyperparameters for the update rule, copied once per parameter.
    lr_decay : float
    batch_size : int
    num_epochs : int
    print_every : int
        Print the loss every this many iterations (when ``verbose``).
    verbose : bool

    Raises
    ------
    ValueError
        For an unknown keyword argument or update rule.

    Attributes
    ----------
    loss_history : list of float
        The loss of every iteration.
    """

    def __init__(self, model, data, **kwargs):
        self.model = model
        self.data = data
        self.update_rule_name = kwargs.pop("update_rule", "sgd")
        self.optim_config = kwargs.pop("optim_config", {})
        self.lr_decay = kwargs.pop("lr_decay", 1.0)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.print_every = kwargs.pop("print_every", 10)
        self.verbose = kwargs.pop("verbose", True)
        if kwargs:
            unknown = ", ".join(sorted(kwargs))
            raise ValueError(
                f"CaptioningSolver got unknown keyword argument(s): {unknown}. "
                "Known: update_rule, optim_config, lr_decay, batch_size, num_epochs, "
                "print_every, verbose"
            )
        if self.update_rule_name not in optim.UPDATE_RULES:
            raise ValueError(
                f"unknown update_rule {self.update_rule_name!r}; "
                f"choose one of {sorted(optim.UPDATE_RULES)}"
            )
        self.update_rule = optim.UPDATE_RULES[self.update_rule_name]
        self._reset()

    def _reset(self):
        """Start from epoch 0 with an empty history and a fresh config per parameter."""
        self.epoch = 0
        self.loss_history = []
        self.optim_configs = {name: dict(self.optim_config) for name in self.model.params}

    def _step(self):
        """One gradient update on a minibatch of training captions."""
        captions, features, _ = sample_coco_minibatch(
            self.data, batch_size=self.batch_size, split="train"
        )
        loss, grads = self.model.loss(features, captions)
        self.loss_history.append(float(loss))
        for name, w in self.model.params.items():
            next_w, self.optim_configs[name] = self.update_rule(
                w, grads[name], self.optim_configs[name]
            )
            self.model.params[name] = next_w

    def train(self):
        """Run ``num_epochs`` epochs of updates."""
        num_train = self.data["train_captions"].shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        for t in range(num_iterations):
            self._step()
            if self.verbose and t % self.print_every == 0:
                print(f"(Iteration {t + 1} / {num_iterations}) loss: {self.loss_history[-1]:f}")
            if (t + 1) % iterations_per_epoch == 0:
                self.epoch += 1
                for config in self.optim_configs.values():
                    config["learning_rate"] *= self.lr_decay
