"""Peak memory of the grader (the trusted parent) on hostile submissions, next to the reference's.

    python benchmarks/bench_memory.py [--items overfit_rnn,rnn_step_forward]

Each submission is graded in a fresh process, which reports its own peak resident size
(``ru_maxrss``; the child that runs student code is a separate process and not counted).
The hostile submissions try to make the grader hold what their code produced:

* ``long_history``: the loss makes the solver keep 20 million losses (160 MB as float64);
* ``forged_history``: the child's worker is rewritten to answer the training with such a
  history itself, past the child's own checks;
* ``huge_output``: the code prints 200 MB.

Target: every peak within 2x the reference's.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 2.0
ATTACKS = {
    "long_history": """
import sys as _sys

_reference_embedding = word_embedding_forward

def word_embedding_forward(x, W):
    frame = _sys._getframe(1)
    while frame is not None:
        solver = frame.f_locals.get("self")
        if type(solver).__name__ == "CaptioningSolver" and not solver.loss_history:
            solver.loss_history.extend([0.0] * 20_000_000)
        frame = frame.f_back
    return _reference_embedding(x, W)
""",
    "forged_history": """
import numpy as _np
from gradersandbox import dispatch as _dispatch

def _forged_train(self, request):
    model = self._object(request["handle"])
    return _np.zeros(20_000_000), {name: _np.asarray(value) for name, value
                                    in model.params.items()}

_dispatch.Dispatcher._op_train = _forged_train
""",
    "huge_output": """
_reference_step = rnn_step_forward

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    import sys
    for _ in range(200):
        sys.stdout.write("x" * (1 << 20))
    return _reference_step(x, prev_h, Wx, Wh, b, use_tanh)
""",
}
MEASURE = """
import json, resource, sys, time
from autograder import grade
start = time.perf_counter()
result = grade.grade_submission(sys.argv[1], sys.argv[2], items=sys.argv[3].split(","))
print(json.dumps({"score": result.score, "seconds": time.perf_counter() - start,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def submission(folder, attack):
    """The reference's two files in ``folder``, with ``attack`` appended to rnn_layers.py."""
    (folder / "classifiers").mkdir(parents=True)
    layers = (REPO / "solutions" / "rnn_layers.py").read_text(encoding="utf-8")
    (folder / "rnn_layers.py").write_text(layers + "\n" + attack, encoding="utf-8")
    model = (REPO / "solutions" / "classifiers" / "rnn.py").read_text(encoding="utf-8")
    (folder / "classifiers" / "rnn.py").write_text(model, encoding="utf-8")
    return folder


def measure(folder, items):
    """Score, seconds and peak MiB of one grading in a fresh process."""
    completed = subprocess.run([sys.executable, "-c", MEASURE, str(folder), str(folder / "out"),
                                items], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", default="overfit_rnn,rnn_step_forward",
                        help="items to grade (comma-separated)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        runs = {name: measure(submission(Path(scratch, name), code), args.items)
                for name, code in {"reference": "", **ATTACKS}.items()}
    reference = runs["reference"]["peak_mib"]
    worst = 0.0
    for name, run in runs.items():
        ratio = run["peak_mib"] / reference
        worst = max(worst, ratio)
        print(f"{name:15} peak {run['peak_mib']:7.1f} MiB  ({ratio:4.2f} x the reference)  "
              f"score {run['score']:g}  {run['seconds']:.1f} s")
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"worst ratio {worst:.2f}: {verdict} the target of {TARGET_RATIO:g} x")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
