"""How many threads BLAS may use: one, in the sandbox child and in the grading process.

This module imports nothing heavy: :func:`use_one_thread` only works before
numpy is first imported.
"""

import os

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def use_one_thread():
    """Ask BLAS for one thread in this process unless the environment already says otherwise.

    The sandbox child runs student code with one BLAS thread; the grader's own
    reference runs (timings, expected values) then run under the same
    conditions. On a 2-core machine, two OpenBLAS threads were measured ten times
    slower than one on the overfit training. Takes effect only before numpy is
    first imported; child processes inherit it.
    """
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")
