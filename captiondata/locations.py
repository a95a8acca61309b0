"""Where the data lives: the downloaded full set, or the embedded default set."""

import os
from pathlib import Path

DATASETS_DIR = Path(__file__).resolve().parents[1] / "datasets"
EMBEDDED_DIR = DATASETS_DIR / "embedded" / "coco_captioning"
ENV_VAR = "COCO_CAPTIONING_DIR"


def full_set_dir():
    """Folder of the downloaded full set: ``$COCO_CAPTIONING_DIR`` or ``datasets/coco_captioning``."""
    return Path(os.environ.get(ENV_VAR) or DATASETS_DIR / "coco_captioning")
