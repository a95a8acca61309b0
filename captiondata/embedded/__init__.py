"""The embedded default caption set: drawn scenes, their captions and features.

``python -m captiondata build-embedded`` regenerates it with
:func:`captiondata.embedded.build.build`. The modules each do one job:

- :mod:`.scenes` samples scene descriptions and renders them with Pillow;
- :mod:`.captions` writes English captions and builds the vocabulary;
- :mod:`.features` turns pixels into fc7-like and PCA features;
- :mod:`.build` writes the ``coco_captioning`` folder.
"""
