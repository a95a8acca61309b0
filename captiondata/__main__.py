"""``python -m captiondata``: download the full COCO set, rebuild or check the embedded one."""

import argparse
import sys

from . import layout, locations, progress


def _download(args):
    from . import download

    return download.main(url=args.url, dest=args.dest, force=args.force,
                         full_set=not args.any_size, progress=not args.quiet)


def _build_embedded(args):
    from .embedded import build

    build.build(args.out)
    print(f"Wrote the embedded caption set to {args.out}.")
    return 0


def _check(args):
    try:
        counts = layout.check_layout(args.folder)
    except layout.LayoutError as error:
        print(error)
        return 1
    print(f"{args.folder}: complete ({counts['train']} train and {counts['val']} val images, "
          f"{counts['vocab']} words).")
    return 0


def main(argv=None):
    """Run one verb; return the process exit code."""
    from .download import DEFAULT_URL

    parser = argparse.ArgumentParser(prog="python -m captiondata", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    download = verbs.add_parser("download", help="fetch and unpack coco_captioning.zip")
    download.add_argument("--url", default=DEFAULT_URL)
    download.add_argument("--dest", default=None,
                          help=f"target folder (default: {locations.full_set_dir()})")
    download.add_argument("--force", action="store_true", help="download again even if complete")
    download.add_argument("--any-size", action="store_true",
                          help="accept any complete folder, not only the full published set")
    progress.add_quiet_option(download)
    download.set_defaults(run=_download)

    embedded = verbs.add_parser("build-embedded", help="rebuild the embedded caption set")
    embedded.add_argument("--out", default=str(locations.EMBEDDED_DIR))
    embedded.set_defaults(run=_build_embedded)

    check = verbs.add_parser("check", help="check that a folder is a complete coco_captioning folder")
    check.add_argument("folder", nargs="?", default=str(locations.full_set_dir()))
    check.set_defaults(run=_check)

    args = parser.parse_args(argv)
    return args.run(args)


sys.exit(main())
