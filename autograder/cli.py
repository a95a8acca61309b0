"""Command-line verbs of ``python -m autograder``; each verb's work lives in its own module."""

import argparse
import sys

from . import paths


def _generate(args):
    """Regenerate ``assignment/`` from ``solutions/``, or only check that it is current."""
    from .build import stubs

    if args.check:
        stale = stubs.stale_files(paths.SOLUTIONS_DIR, paths.ASSIGNMENT_DIR)
        if stale:
            print("assignment/ is out of date in: " + ", ".join(stale))
            print("Run `python -m autograder generate` and commit the result.")
            return 1
        print("assignment/ is current.")
        return 0
    stubs.generate(paths.SOLUTIONS_DIR, paths.ASSIGNMENT_DIR)
    print(f"Wrote {paths.ASSIGNMENT_DIR} from {paths.SOLUTIONS_DIR}.")
    return 0


def _demo(args):
    """Train the reference model on the embedded data and print sampled captions."""
    from . import demo

    demo.run(cell_type=args.cell, iterations=args.iterations, seed=args.seed)
    return 0


def build_parser():
    """The argument parser of every verb."""
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    generate = verbs.add_parser("generate", help="write assignment/ from solutions/")
    generate.add_argument("--check", action="store_true", help="only report stale files")
    generate.set_defaults(run=_generate)

    demo = verbs.add_parser("demo", help="train the reference model and show its captions")
    demo.add_argument("--cell", choices=("rnn", "lstm"), default="lstm")
    demo.add_argument("--iterations", type=int, default=400)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)
    return parser


def main(argv=None):
    """Run one verb; return the process exit code."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
