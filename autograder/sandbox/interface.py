"""The one interface through which item programs call a package's code.

Four classes implement it: ``SandboxRunner`` (the student's code in an isolated child),
``InProcessRunner`` (the student's code in this process), ``StudentRunner`` (either of
those with the item's time limit) and ``LocalRunner`` (a trusted package: the reference or
a known mistake's mutant). A program written against :class:`Runner` computes the
student's outputs, the expected ones and a mutant's alike.

Every implementation sends arguments by value (the callee may update them in place) and
returns results made plain by one function, ``dispatch.to_plain``: numbers and numpy
scalars become exact 0-d ndarrays, ndarray subclasses exact ndarrays, in lists, tuples and
str-keyed dicts; anything else is refused. Kept objects come back as handles, opaque to
the caller.

A reply's shapes, where the caller knows them, are declared with ``expect``: a dict of
``{name: shape}`` (a tuple of int per array the reply should hold). A sandboxed or
in-process runner reads no reply holding more values than that, plus
``limits.reply_allowance_elements`` (so a small reply of the wrong shape still reaches the
comparison, which explains it); without ``expect``, a reply may hold a few times the values
of its request and of the objects it names. Trusted runners ignore ``expect``.
"""

from typing import Protocol, runtime_checkable


@runtime_checkable
class Runner(Protocol):
    """Calls into one package: ``<package>.<module>.<name>``.

    Attributes
    ----------
    isolation : str
        How the code runs, for reports, e.g. ``"none (in-process)"``.
    """

    isolation: str

    def call(self, func, *args, keep=(), expect=None, timeout=None, **kwargs):
        """Call a function of the package.

        Parameters
        ----------
        func : str
            ``"module.function"``, e.g. ``"rnn_layers.rnn_step_forward"``.
        *args, **kwargs
            numpy arrays (sent by value), Python scalars and str, None, lists, tuples and
            dicts of those, handles, numpy dtypes and scalar types.
        keep : tuple of int
            Positions of the returned tuple kept in the runner and returned as handles
            (e.g. ``keep=(1,)`` for a cache).
        expect : dict of str to tuple of int, or None
            The shapes of the arrays the result should hold, by name (for messages).
        timeout : float or None
            Wall-clock seconds; None: the runner's default.

        Returns
        -------
        object
            The result, plain: exact ndarrays (0-d for numbers) in tuples, lists and dicts,
            with handles at the positions of ``keep``.

        Raises
        ------
        autograder.sandbox.StudentError
            When the student's code fails, returns something that is not plain numbers, or
            more than ``expect`` allows (sandboxed and in-process runners).
        """

    def new(self, cls, *args, timeout=None, **kwargs):
        """Instantiate a class of the package and keep the object.

        Parameters
        ----------
        cls : str
            ``"module.Class"``, e.g. ``"classifiers.rnn.CaptioningRNN"``.
        *args, timeout, **kwargs
            As for :meth:`call`.

        Returns
        -------
        handle
        """

    def method(self, handle, name, *args, keep=(), expect=None, timeout=None, **kwargs):
        """Call a method of a kept object, like :meth:`call`.

        Parameters
        ----------
        handle : handle
        name : str
            E.g. ``"loss"``, which returns ``(0-d array, {param name: array})``.
        *args, keep, expect, timeout, **kwargs
            As for :meth:`call`.

        Returns
        -------
        object
        """

    def get_attr(self, handle, name, expect=None, timeout=None):
        """An attribute of a kept object, made plain like a result.

        Parameters
        ----------
        handle : handle
        name : str
            E.g. ``"params"`` (a dict of arrays).
        expect, timeout
            As for :meth:`call`.

        Returns
        -------
        object
        """

    def set_params(self, handle, params, timeout=None):
        """Replace ``model.params[name]`` with a copy of each given array.

        Parameters
        ----------
        handle : handle
        params : dict of str to ndarray
        timeout : float or None
        """

    def train(self, handle, data, solver_kwargs, iterations, expect=None, timeout=None,
              seed=None):
        """Train a kept model with the package's ``CaptioningSolver``.

        Parameters
        ----------
        handle : handle
            A ``CaptioningRNN``.
        data : dict
            Arrays ``train_captions`` (N, T), ``train_image_idxs`` (N,),
            ``train_features`` (M, D) and ``train_urls`` (M,) of str.
        solver_kwargs : dict
            Keyword arguments of ``CaptioningSolver``.
        iterations : int
            How many iterations these settings make the solver run: the loss history
            has one loss per iteration, and a longer one is refused.
        expect : dict of str to tuple of int, or None
            The shapes of the model's parameters after training.
        timeout : float or None
        seed : int or None
            Seeds ``np.random`` where the model trains (the solver draws its minibatches
            from it), so that a regrade repeats the training exactly; reduced modulo
            2**32, the range ``np.random.seed`` accepts.

        Returns
        -------
        loss_history : ndarray of float64, shape (at most iterations,)
        params : dict of str to ndarray
            The model's parameters after training.
        """

    def drop(self, *handles):
        """Forget kept objects; no code of theirs (``__del__``) runs for it.

        Parameters
        ----------
        *handles : handle
        """

    def output(self):
        """What the package's code printed since the last call, cut to ``limits.output_bytes``.

        Returns
        -------
        str
        """
