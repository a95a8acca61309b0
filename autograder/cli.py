"""Command-line verbs of ``python -m autograder``; each verb's work lives in its own module.

The verbs only parse text: the functions they call check the values
(:mod:`autograder.arguments`), and an :class:`~autograder.arguments.ArgumentError`
becomes a one-line error with exit code 2.
"""

import argparse
import sys
from pathlib import Path

from captiondata.progress import add_quiet_option

from . import arguments, blas, config, names


def _build(args):
    """Write the generated artefacts (assignment/, notebooks, bundles), or list stale ones."""
    from .build import steps

    unknown = [step for step in args.steps if step not in steps.STEPS]
    if unknown:
        return _usage_error(f"unknown build step {unknown[0]!r}; steps: {', '.join(steps.STEPS)}")
    chosen = args.steps or steps.STEPS
    if args.check:
        stale = steps.stale([step for step in chosen if step in steps.COMMITTED_STEPS])
        if stale:
            print("Out of date: " + ", ".join(stale))
            print("Run `python -m autograder build` and commit the result.")
            return 1
        print("Generated files are current.")
        return 0
    touched = steps.build(chosen, on_step=None if args.quiet else _print_step)
    print("Wrote " + (", ".join(touched) if touched else "nothing: everything was current") + ".")
    return 0


def _print_step(step):
    """One progress line on stderr for a finished build step: name, files and seconds."""
    removed = f", {step.removed} removed" if step.removed else ""
    print(f"{step.name:<24} {step.written:>5} files written{removed} {step.seconds:6.2f} s",
          file=sys.stderr, flush=True)


def _demo(args):
    """Train the reference model on the embedded data and print sampled captions."""
    from . import demo

    demo.run(cell_type=args.cell, iterations=args.iterations, seed=args.seed)
    return 0


def _grade(args):
    """Grade one submission, write its reports and print the Markdown one."""
    blas.use_one_thread()
    from . import grade
    from .sandbox import SandboxError

    settings, code = _prepared()
    if settings is None:
        return code
    try:
        result = grade.grade_submission(args.submission, args.out, settings, runner=args.runner,
                                        items=args.items,
                                        on_item=None if args.quiet else _print_item)
    except arguments.ArgumentError as error:
        return _usage_error(str(error))
    except SandboxError as error:
        print(f"error: no grade was given because the sandbox failed: {error}", file=sys.stderr)
        return 1
    print(f"autograder: student code ran with isolation {result.isolation}", file=sys.stderr)
    print((Path(args.out) / "report.md").read_text(encoding="utf-8"), end="")
    return 0


def _print_item(item):
    """One progress line on stderr for a finished item: name, points and seconds."""
    from .report.explain import points

    print(f"{item.name:<24} {points(item.score):>5} / {points(item.max_score):<3} "
          f"{item.seconds:6.2f} s", file=sys.stderr, flush=True)


def _grade_all(args):
    """Grade every submission of a folder, write the gradebook and print the class summary."""
    from . import grade_all
    from .answers.manual import ManualScoresError

    settings, code = _prepared()
    if settings is None:
        return code
    try:
        grade_all.grade_all(args.submissions, args.out, settings, jobs=args.jobs,
                            runner=args.runner, items=args.items, progress=not args.quiet,
                            manual_scores=args.manual_scores, scheduler=args.scheduler,
                            resume=args.resume)
    except arguments.ArgumentError as error:
        return _usage_error(str(error))
    except ManualScoresError as error:
        return _usage_error(f"{error}; fix the file and run grade-all again")
    except (ImportError, ConnectionError) as error:  # only --scheduler raises these
        print(f"error: {error}", file=sys.stderr)
        return 1
    print((Path(args.out) / "summary.md").read_text(encoding="utf-8"), end="")
    return 0


def _answers(args):
    """Write the written answers' pages, the key and the manual-scores CSV of a class."""
    from .answers.collect import collect
    from .answers.manual import ManualScoresError

    settings, code = _prepared()
    if settings is None:
        return code
    try:
        collected = collect(args.submissions, args.out, settings,
                            anonymise=not args.no_anonymise)
    except arguments.ArgumentError as error:
        return _usage_error(str(error))
    except ManualScoresError as error:
        return _usage_error(f"{error}; remove it or choose another --out")
    *questions, index = collected.pages
    print(f"Wrote {len(questions)} pages, one per written question, with the answers of "
          f"{collected.students} submissions: open {index}.")
    if collected.scores_kept:
        print(f"Left {collected.scores} as it was (it may hold scores already); delete it for a "
              "fresh one.")
    print(f"Give the scores in {collected.scores}, then merge them with `python -m autograder "
          f"grade-all SUBMISSIONS --out DIR --manual-scores {collected.scores}`.")
    return 0


def _prepared():
    """grading.toml's settings and 0, or None and exit code 2 after a one-line error."""
    try:
        return config.load(), 0
    except config.ConfigError as error:
        return None, _usage_error(str(error))


def _usage_error(message):
    """Print a one-line error for a usage problem; return exit code 2."""
    print(f"error: {message}", file=sys.stderr)
    return 2


def _item_list(text):
    """``--items a,b`` -> ['a', 'b']."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _add_grading_options(parser):
    """The options that ``grade`` and ``grade-all`` share."""
    parser.add_argument("--out", required=True, help="folder that receives the reports")
    parser.add_argument("--runner", choices=arguments.RUNNERS, default=arguments.RUNNERS[0],
                        help="run student code in an isolated child process (default) or in "
                             "this process (no isolation)")
    parser.add_argument("--items", type=_item_list, default=None, metavar="A,B",
                        help="grade only these items (the others are reported as not graded)")
    add_quiet_option(parser)


def build_parser():
    """The argument parser of every verb."""
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    from .build.steps import STEPS

    generate = verbs.add_parser("generate", help="write assignment/ from solutions/ (the same "
                                                 "as `build stubs`)")
    generate.add_argument("--check", action="store_true", help="only report stale files")
    add_quiet_option(generate)
    generate.set_defaults(run=_build, steps=["stubs"])

    build = verbs.add_parser("build", help="write assignment/, the student notebooks and the "
                                           "dist/ bundles from their sources")
    build.add_argument("steps", nargs="*", metavar="STEP",
                       help=f"only these steps ({', '.join(STEPS)}; default: all)")
    build.add_argument("--check", action="store_true", help="only report stale files")
    add_quiet_option(build)
    build.set_defaults(run=_build)

    demo = verbs.add_parser("demo", help="train the reference model and show its captions")
    demo.add_argument("--cell", choices=("rnn", "lstm"), default="lstm")
    demo.add_argument("--iterations", type=int, default=400)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)

    grade = verbs.add_parser("grade", help="grade one submission (a folder or a .zip)")
    grade.add_argument("submission", help=f"folder or .zip holding {names.LAYERS_FILE} and "
                                          f"{names.MODEL_FILE}")
    _add_grading_options(grade)
    grade.set_defaults(run=_grade)

    grade_all = verbs.add_parser("grade-all", help="grade a folder of submissions into a "
                                                   "gradebook")
    grade_all.add_argument("submissions", help="folder with one entry (folder or .zip) per "
                                               "submission")
    _add_grading_options(grade_all)
    grade_all.add_argument("--jobs", type=int, default=None,
                           help="submissions graded at once (default: [class] jobs of "
                                "grading.toml)")
    grade_all.add_argument("--manual-scores", default=None, metavar="CSV",
                           help="merge the written questions' scores of this CSV (written by "
                                "the answers verb, then filled in) into the gradebook and reports")
    grade_all.add_argument("--scheduler", default=None, metavar="ADDRESS",
                           help="grade on the workers of this Dask scheduler, e.g. "
                                "tcp://host:8786 (needs the cluster extra)")
    grade_all.add_argument("--resume", action="store_true",
                           help="keep the results already in --out of submissions whose files "
                                "have not changed (regrade without it after changing "
                                "grading.toml, --items or the grader)")
    grade_all.set_defaults(run=_grade_all)

    answers = verbs.add_parser("answers", help="collect the written answers of a class into one "
                                               "page per question and a manual-scores CSV")
    answers.add_argument("submissions", help="folder with one hand-in (folder or .zip) per "
                                             "student")
    answers.add_argument("--out", required=True, help="folder that receives the pages and CSVs")
    answers.add_argument("--no-anonymise", action="store_true",
                         help="name students by their submission instead of a random id")
    answers.set_defaults(run=_answers)
    return parser


def main(argv=None):
    """Run one verb; return the process exit code."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
