"""Time the two overfit settings of the reference solution against a matrix-multiply floor.

Run from anywhere: ``python benchmarks/bench_overfit.py [--repeats 3] [--cells rnn lstm]``.
``--root DIR`` times the ``solutions`` package found in DIR instead (e.g. an
older checkout, for before/after comparisons).

Each cell trains ``solutions``' CaptioningRNN at full size (V = 1004, captions
of 17 tokens, so T = 16 input words; D = 512, H = 512, W = 256) with
CaptioningSolver for 100 iterations (50 training captions, batch 25, 50
epochs, adam lr 5e-3; lr_decay 0.95 for the rnn, 0.995 for the lstm), in
float32, on synthetic data that has exactly the real layout's shapes and
dtypes, so the real data set is not needed.

The floor of a cell is the number of floating-point operations of every matrix
product one training iteration needs (forward and backward), times 100
iterations, divided by the float32 GEMM rate measured in the same run. This is
a development script, not a test: it asserts nothing.

Timings are only meaningful on an otherwise idle machine (with two cores, one
busy foreign process can slow the many small multi-threaded products of the
recurrence several-fold). Before each measurement the script waits (up to
``--max-wait`` seconds) for the other processes to go quiet, and it prints the
CPU share that other processes used during each timed run ("foreign load").
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

V = 1004            # vocabulary of the real data set
CAPTION_LEN = 17    # tokens per stored caption: <START>, up to 15 words, <END>, <NULL> padding
T = CAPTION_LEN - 1 # input words per caption (the model drops the last token)
D = 512             # PCA image features
H = 512             # hidden size of the overfit settings
W = 256             # word-vector size of the overfit settings
N = 25              # batch size
NUM_TRAIN = 50      # like load_coco_data(max_train=50)
EPOCHS = 50         # 50 // 25 = 2 iterations per epoch: 100 iterations
ITERATIONS = EPOCHS * max(NUM_TRAIN // N, 1)
LR = 5e-3
LR_DECAY = {"rnn": 0.95, "lstm": 0.995}
NULL, START, END, UNK = 0, 1, 2, 3
SQUARE = 2048       # size of the large square GEMM


class ForeignLoad:
    """CPU share used by other processes between two readings of /proc/stat (Linux)."""

    def __init__(self):
        self.start()

    @staticmethod
    def _busy_seconds():
        try:
            with open("/proc/stat") as f:
                fields = [int(v) for v in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    def start(self):
        self.busy, self.own, self.wall = self._busy_seconds(), sum(os.times()[:2]), time.perf_counter()

    def share(self):
        """Fraction of all cores that other processes kept busy since ``start``."""
        busy = self._busy_seconds()
        if busy is None or self.busy is None:
            return float("nan")
        foreign = (busy - self.busy) - (sum(os.times()[:2]) - self.own)
        wall = time.perf_counter() - self.wall
        return max(foreign, 0.0) / (wall * (os.cpu_count() or 1))


QUIET = 0.05  # foreign load below which a measurement counts as undisturbed


def wait_until_quiet(max_wait, threshold=QUIET, window=1.0):
    """Wait until other processes use under ``threshold`` of the CPUs for ``window`` s."""
    deadline = time.perf_counter() + max_wait
    load = ForeignLoad()
    while True:
        load.start()
        time.sleep(window)
        share = load.share()
        if not share > threshold or time.perf_counter() > deadline:  # nan: cannot tell
            return share


def synthetic_data(seed=0):
    """A data dict with the layout of ``load_coco_data(max_train=50)``, filled at random."""
    rng = np.random.default_rng(seed)
    idx_to_word = ["<NULL>", "<START>", "<END>", "<UNK>"] + [f"word{i}" for i in range(4, V)]
    data = {"idx_to_word": idx_to_word, "word_to_idx": {w: i for i, w in enumerate(idx_to_word)}}
    for split, count in (("train", NUM_TRAIN), ("val", 2 * N)):
        captions = np.full((count, CAPTION_LEN), NULL, dtype=np.int32)
        # 7 to 15 words; a 15-word caption fills all 17 slots, shorter ones are padded.
        for row, words in zip(captions, rng.integers(7, CAPTION_LEN - 2, endpoint=True, size=count)):
            row[0] = START
            row[1 : words + 1] = rng.integers(UNK, V, size=words)
            row[words + 1] = END
        data[f"{split}_captions"] = captions
        data[f"{split}_image_idxs"] = rng.permutation(count).astype(np.int32)
        data[f"{split}_features"] = rng.standard_normal((count, D), dtype=np.float32)
        data[f"{split}_urls"] = np.asarray([f"file:///synthetic/{split}/{i}.jpg" for i in range(count)])
    return data


def products(cell):
    """Every matrix product of one training iteration: (what, m, k, n, how many per iteration).

    An (m, k) @ (k, n) product costs 2*m*k*n flops. The gradient with respect to
    the image features is not needed (they are data), so it is not counted.
    """
    G = 4 * H if cell == "lstm" else H
    NT = N * T
    return [
        ("fwd  projection      features @ W_proj", N, D, H, 1),
        ("fwd  input->hidden   words @ Wx (all steps)", NT, W, G, 1),
        ("fwd  hidden->hidden  h @ Wh (per step)", N, H, G, T),
        ("fwd  vocabulary      h @ W_vocab", NT, H, V, 1),
        ("bwd  vocabulary      dscores @ W_vocab.T", NT, V, H, 1),
        ("bwd  vocabulary      h.T @ dscores", H, NT, V, 1),
        ("bwd  hidden->hidden  da @ Wh.T (per step)", N, G, H, T),
        ("bwd  hidden->hidden  h_prev.T @ da", H, NT, G, 1),
        ("bwd  input->hidden   da @ Wx.T", NT, G, W, 1),
        ("bwd  input->hidden   words.T @ da", W, NT, G, 1),
        ("bwd  projection      features.T @ dh0", D, N, H, 1),
    ]


def gemm_rate(m, k, n, repeats=7, min_flops=2e8):
    """Best float32 GFLOP/s of ``np.matmul(a, b, out=c)`` for C-contiguous (m, k) @ (k, n)."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * k * n
    calls = max(1, int(min_flops / flops))
    np.matmul(a, b, out=c)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=c)
        best = min(best, (time.perf_counter() - start) / calls)
    return flops / best / 1e9


def measure_rates(cells, max_wait):
    """GFLOP/s at every product shape of the model (as given and with the product
    transposed, (n, k) @ (k, m): an implementation may compute either) and at a
    large square; and the foreign load while measuring."""
    shapes = {(SQUARE, SQUARE, SQUARE)}
    for cell in cells:
        shapes.update((m, k, n) for _, m, k, n, _ in products(cell))
    shapes.update([(n, k, m) for m, k, n in shapes])
    rates, load = {}, ForeignLoad()
    wait_until_quiet(max_wait)
    load.start()
    for shape in sorted(shapes, key=lambda s: (-s[0] * s[1] * s[2], s)):
        rates[shape] = gemm_rate(*shape)
    return rates, load.share()


def best_rate(rates, m, k, n):
    """The better of the two orientations of an (m, k) @ (k, n) product."""
    return max(rates[(m, k, n)], rates[(n, k, m)])


def stream_rate(n, repeats=7):
    """Best bytes/s of ``np.add(a, b, out=c)`` on float32 arrays of n elements (12 bytes each)."""
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, n), dtype=np.float32)
    c = np.empty_like(a)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.add(a, b, out=c)
        best = min(best, time.perf_counter() - start)
    return 12 * n / best


def load_package(root):
    """CaptioningRNN and CaptioningSolver from the ``solutions`` package under ``root``."""
    sys.path[:0] = [str(root), str(REPO)]  # REPO also provides captiondata
    from solutions.captioning_solver import CaptioningSolver
    from solutions.classifiers.rnn import CaptioningRNN

    return CaptioningRNN, CaptioningSolver


def timed(function, totals, key):
    """``function`` wrapped so that its run time is added to ``totals[key]``."""
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[key] += time.perf_counter() - start
    return wrapper


def train_once(package, cell, data, seed=0, breakdown=None):
    """Seconds of ``CaptioningSolver.train()`` for one cell, its loss history, the
    dtypes of the trained parameters and the foreign load during the run. With a
    dict ``breakdown``, the seconds spent in ``model.loss`` and in the update rule
    are added to its keys 'loss' and 'update' (and the parameter count is stored)."""
    CaptioningRNN, CaptioningSolver = package
    np.random.seed(seed)
    model = CaptioningRNN(
        data["word_to_idx"], input_dim=D, wordvec_dim=W, hidden_dim=H,
        cell_type=cell, dtype=np.float32,
    )
    solver = CaptioningSolver(
        model, data, update_rule="adam", num_epochs=EPOCHS, batch_size=N,
        optim_config={"learning_rate": LR}, lr_decay=LR_DECAY[cell], verbose=False,
    )
    if breakdown is not None:
        model.loss = timed(model.loss, breakdown, "loss")
        solver.update_rule = timed(solver.update_rule, breakdown, "update")
        breakdown["params"] = sum(p.size for p in model.params.values())
    load = ForeignLoad()
    start = time.perf_counter()
    solver.train()
    elapsed = time.perf_counter() - start
    assert len(solver.loss_history) == ITERATIONS
    dtypes = {str(p.dtype) for p in model.params.values()}
    return elapsed, solver.loss_history, dtypes, load.share()


def run_cell(package, cell, data, args):
    """Warm-up, ``args.repeats`` timed runs and one run with a breakdown, for one cell."""
    print(f"timing {cell} ...", file=sys.stderr, flush=True)
    wait_until_quiet(args.max_wait)
    train_once(package, cell, data)  # warm-up
    # Runs during which other processes took more than QUIET of the CPUs are
    # repeated (up to three times as many runs in all).
    runs = []
    for _ in range(3 * args.repeats):
        wait_until_quiet(args.max_wait)
        runs.append(train_once(package, cell, data))
        if sum(r[3] <= QUIET for r in runs) >= args.repeats:
            break
    best, history, dtypes, load = min(runs, key=lambda r: r[0])
    for _ in range(3):
        parts = {"loss": 0.0, "update": 0.0}
        wait_until_quiet(args.max_wait)
        total, _, _, part_load = train_once(package, cell, data, breakdown=parts)
        if part_load <= QUIET:
            break
    bandwidth = max(stream_rate(parts["params"]) for _ in range(3))
    return best, history, dtypes, load, runs, parts, total, part_load, bandwidth


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per cell (best is kept)")
    parser.add_argument("--cells", nargs="+", choices=("rnn", "lstm"), default=["rnn", "lstm"])
    parser.add_argument("--root", type=Path, default=REPO,
                        help="directory holding the `solutions` package to time")
    parser.add_argument("--max-wait", type=float, default=60.0,
                        help="seconds to wait for a quiet machine before each measurement")
    args = parser.parse_args(argv)

    package = load_package(args.root.resolve())
    data = synthetic_data()
    print(f"solutions from {args.root.resolve()}; numpy {np.__version__}; {os.cpu_count()} CPUs; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"float32; V={V} T={T} D={D} H={H} W={W} batch={N}; {ITERATIONS} iterations per run; "
          f"best of {args.repeats} runs after one warm-up run")

    rates, rate_load = measure_rates(args.cells, args.max_wait)
    cells = {cell: run_cell(package, cell, data, args) for cell in args.cells}
    # Measure the rates again after the runs and keep the better value of each:
    # a foreign process during one of the two measurements then matters less.
    again, load_again = measure_rates(args.cells, args.max_wait)
    rates = {shape: max(rate, again[shape]) for shape, rate in rates.items()}
    print(f"\nfloat32 GEMM rate, np.matmul(a, b, out=c), C-contiguous operands, best of 2 x 7 "
          f"(foreign load {rate_load:.0%} and {load_again:.0%}):")
    print(f"  {'(m x k) @ (k x n)':<28} {'GFLOP/s':>8}   {'transposed (n x k) @ (k x m)':>28}")
    shown = set()
    for (m, k, n), rate in rates.items():
        if (m, k, n) in shown:
            continue
        shown.update([(m, k, n), (n, k, m)])
        print(f"  ({m:>4} x {k:>4}) @ ({k:>4} x {n:>4})  {rate:8.1f}   {rates[(n, k, m)]:28.1f}")
    floor_shape = max(rates, key=rates.get)
    floor_rate = rates[floor_shape]
    print(
        f"\nFLOOR rate = {floor_rate:.1f} GFLOP/s: the best rate measured above "
        f"(({floor_shape[0]} x {floor_shape[1]}) @ ({floor_shape[1]} x {floor_shape[2]})).\n"
        "  Why: it is the fastest this machine's numpy/BLAS multiplies float32 matrices, so no\n"
        "  implementation performing the model's matrix products can beat FLOPs / that rate.\n"
        "  FLOOR ignores all element-wise work (softmax, activations, Adam, ...) and the lower\n"
        "  efficiency of the small (batch 25) products that the recurrence forces.\n"
        "  'shape bound' = sum over the products of FLOPs / (rate measured at that product's\n"
        "  own shape, better orientation): the matrix products alone, each at its own speed."
    )

    results = {}
    for cell in args.cells:
        prods = products(cell)
        flops = sum(2.0 * m * k * n * count for _, m, k, n, count in prods) * ITERATIONS
        print(f"\n[{cell}] matrix products per iteration (rate: better orientation, measured above):")
        shape_bound = 0.0
        for what, m, k, n, count in prods:
            gflop = 2.0 * m * k * n * count / 1e9
            rate = best_rate(rates, m, k, n)
            shape_bound += gflop / rate * ITERATIONS
            print(f"  {what:<44} {f'({m}x{k})@({k}x{n})':<20} x{count:<3} {gflop:6.3f} GFLOP "
                  f"{rate:6.1f} GFLOP/s {1e3 * gflop / rate:6.2f} ms")
        print(f"  total {flops / ITERATIONS / 1e9:.3f} GFLOP per iteration, "
              f"{flops / 1e9:.1f} GFLOP per run")
        best, history, dtypes, load, runs, parts, total, part_load, bandwidth = cells[cell]
        floor = flops / (floor_rate * 1e9)
        results[cell] = (best, floor, shape_bound, load)
        print("  runs (s, foreign load): "
              + ", ".join(f"{r[0]:.3f} ({r[3]:.0%})" for r in runs)
              + f"; params {', '.join(sorted(dtypes))}; loss {history[0]:.3f} -> {history[-1]:.4f}")
        params = parts["params"]
        # Adam has to read w, dw, m, v and write m, v, next_w: 7 float32 arrays.
        adam_bound = 7 * 4 * params * ITERATIONS / bandwidth
        print(f"  breakdown of one more run ({total:.3f} s, foreign load {part_load:.0%}):")
        print(f"    model.loss (forward + backward)   {parts['loss']:7.3f} s   "
              f"its matrix products' shape bound {shape_bound:.3f} s")
        print(f"    update rule (adam, {params / 1e6:.2f} M params) {parts['update']:7.3f} s   "
              f"memory-traffic bound {adam_bound:.3f} s (7 x 4 bytes per parameter at the "
              f"{bandwidth / 1e9:.1f} GB/s of np.add on arrays that size)")
        print(f"    rest (minibatches, solver)         {total - parts['loss'] - parts['update']:7.3f} s")
        results[cell] += (adam_bound,)

    print(f"\n{'cell':<5} {'time (s)':>9} {'FLOOR (s)':>10} {'time/FLOOR':>11} "
          f"{'shape bound (s)':>16} {'+adam bound (s)':>16} {'time/both':>10} {'ms/iter':>8} "
          f"{'foreign load':>13}")
    for cell, (best, floor, shape_bound, load, adam_bound) in results.items():
        both = shape_bound + adam_bound
        print(f"{cell:<5} {best:9.3f} {floor:10.3f} {best / floor:10.2f}x "
              f"{shape_bound:16.3f} {both:16.3f} {best / both:9.2f}x {1e3 * best / ITERATIONS:8.2f} "
              f"{load:12.0%}")
    print("FLOOR: model FLOPs / best GEMM rate. shape bound: the products at their own measured "
          "speed.\n+adam bound: shape bound plus Adam's memory-traffic bound; still ignores the "
          "softmax,\nthe activations and the other element-wise work.")
    if any(r[3] > QUIET for r in results.values()):
        print("warning: other processes used the CPUs during the best run; the times are inflated")


if __name__ == "__main__":
    main()
