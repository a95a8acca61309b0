"""The COCO captioning data: its layout, the real-data download and the embedded default set.

Kept out of ``datasets/`` (a data folder) because a top-level package of that
name would collide with the widely installed Hugging Face ``datasets``.
"""
