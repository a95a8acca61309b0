"""Random scenes of one or two coloured shapes, and their rendering with Pillow.

A scene is a background colour plus either one shape at a named position
(left, right, top, bottom, middle) or two shapes side by side or one above
the other. Every shape has a kind, a colour and a size class; its exact
extent, centre and shade are jittered so that no two images are identical.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

IMAGE_SIZE = 64
SUPERSAMPLING = 4  # shapes are drawn this many times larger, then box-averaged down

OBJECT_COLOURS = {
    "red": (214, 39, 40),
    "green": (44, 160, 44),
    "blue": (31, 90, 220),
    "yellow": (240, 210, 30),
    "purple": (148, 70, 190),
    "orange": (255, 127, 14),
}
BACKGROUND_COLOURS = {
    "white": (245, 245, 245),
    "black": (20, 20, 20),
    "gray": (128, 128, 128),
}
SHAPES = ("circle", "square", "triangle", "diamond")
SIZE_EXTENTS = {"small": (10.0, 15.0), "large": (21.0, 27.0)}  # bounding-box side, pixels

# Centres (x, y) in pixels and the jitter (x, y) added to them.
SINGLE_POSITIONS = {
    "left": ((16.0, 32.0), (3.0, 8.0)),
    "right": ((48.0, 32.0), (3.0, 8.0)),
    "top": ((32.0, 16.0), (8.0, 3.0)),
    "bottom": ((32.0, 48.0), (8.0, 3.0)),
    "middle": ((32.0, 32.0), (3.0, 3.0)),
}
PAIR_ARRANGEMENTS = {
    "horizontal": (((17.0, 32.0), (47.0, 32.0)), (1.5, 7.0)),
    "vertical": (((32.0, 17.0), (32.0, 47.0)), (7.0, 1.5)),
}
PAIR_PROBABILITY = 0.6
SHADE_JITTER = 14  # added to every colour channel, uniformly in [-SHADE_JITTER, SHADE_JITTER]
EDGE_MARGIN = 1.0  # pixels kept free between a shape and the image border


@dataclass(frozen=True)
class Shape:
    """One drawn shape.

    Attributes
    ----------
    kind : str
        One of :data:`SHAPES`.
    colour : str
        A key of :data:`OBJECT_COLOURS`.
    size : str
        A key of :data:`SIZE_EXTENTS`.
    centre : tuple of float
        (x, y) in pixels of the output image.
    extent : float
        Side of the bounding box, in pixels.
    rgb : tuple of int
        The jittered fill colour.
    """

    kind: str
    colour: str
    size: str
    centre: tuple
    extent: float
    rgb: tuple


@dataclass(frozen=True)
class Scene:
    """A background and one or two shapes.

    Attributes
    ----------
    background : str
        A key of :data:`BACKGROUND_COLOURS`.
    layout : str
        A key of :data:`SINGLE_POSITIONS` for one shape, of
        :data:`PAIR_ARRANGEMENTS` for two.
    shapes : tuple of Shape
        For a pair, the left (horizontal) or upper (vertical) shape first.
    """

    background: str
    layout: str
    shapes: tuple


def sample_scenes(rng, count):
    """Draw random scenes.

    Parameters
    ----------
    rng : numpy.random.Generator
    count : int

    Returns
    -------
    list of Scene, length ``count``
    """
    return [_sample_scene(rng) for _ in range(count)]


def _sample_scene(rng):
    """One random scene; two shapes in a pair differ in kind and in colour."""
    background = _choice(rng, list(BACKGROUND_COLOURS))
    if rng.random() < PAIR_PROBABILITY:
        layout = _choice(rng, list(PAIR_ARRANGEMENTS))
        centres, jitter = PAIR_ARRANGEMENTS[layout]
        kinds = rng.choice(len(SHAPES), size=2, replace=False)
        colours = rng.choice(len(OBJECT_COLOURS), size=2, replace=False)
        shapes = tuple(
            _sample_shape(rng, SHAPES[kind], list(OBJECT_COLOURS)[colour], centre, jitter)
            for kind, colour, centre in zip(kinds, colours, centres)
        )
    else:
        layout = _choice(rng, list(SINGLE_POSITIONS))
        centre, jitter = SINGLE_POSITIONS[layout]
        kind, colour = _choice(rng, SHAPES), _choice(rng, list(OBJECT_COLOURS))
        shapes = (_sample_shape(rng, kind, colour, centre, jitter),)
    return Scene(background=background, layout=layout, shapes=shapes)


def _sample_shape(rng, kind, colour, centre, jitter):
    """A shape of a given kind and colour near ``centre`` (x, y), kept inside the image."""
    size = _choice(rng, list(SIZE_EXTENTS))
    extent = float(rng.uniform(*SIZE_EXTENTS[size]))
    half = extent / 2 + EDGE_MARGIN
    position = np.asarray(centre) + rng.uniform(-1.0, 1.0, size=2) * np.asarray(jitter)
    position = np.clip(position, half, IMAGE_SIZE - half)
    shade = rng.integers(-SHADE_JITTER, SHADE_JITTER + 1, size=3)
    rgb = np.clip(np.asarray(OBJECT_COLOURS[colour]) + shade, 0, 255)
    return Shape(kind=kind, colour=colour, size=size,
                 centre=(float(position[0]), float(position[1])),
                 extent=extent, rgb=tuple(int(c) for c in rgb))


def _choice(rng, options):
    """One element of a sequence, drawn uniformly."""
    return options[int(rng.integers(len(options)))]


def render(scene):
    """Draw a scene, anti-aliased by supersampling.

    Parameters
    ----------
    scene : Scene

    Returns
    -------
    ndarray of uint8, shape (IMAGE_SIZE, IMAGE_SIZE, 3)
    """
    large = IMAGE_SIZE * SUPERSAMPLING
    image = Image.new("RGB", (large, large), BACKGROUND_COLOURS[scene.background])
    draw = ImageDraw.Draw(image)
    for shape in scene.shapes:
        outline = _outline(shape.kind, np.asarray(shape.centre) * SUPERSAMPLING,
                           shape.extent * SUPERSAMPLING)
        if shape.kind == "circle":
            draw.ellipse(outline, fill=shape.rgb)
        else:
            draw.polygon(outline, fill=shape.rgb)
    return np.asarray(image.reduce(SUPERSAMPLING), dtype=np.uint8)


def _outline(kind, centre, extent):
    """Pillow geometry of a shape: a bounding box for a circle, else polygon vertices.

    Parameters
    ----------
    kind : str
    centre : ndarray, shape (2,)
        (x, y) in canvas pixels.
    extent : float
        Side of the bounding box in canvas pixels.

    Returns
    -------
    list of float (x0, y0, x1, y1) for a circle, list of (x, y) tuples otherwise.
    """
    x, y = (float(c) for c in centre)
    h = extent / 2
    if kind == "circle":
        return [x - h, y - h, x + h, y + h]
    if kind == "square":
        return [(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)]
    if kind == "triangle":
        return [(x, y - h), (x + h, y + h), (x - h, y + h)]
    if kind == "diamond":
        return [(x, y - h), (x + h, y), (x, y + h), (x - h, y)]
    raise ValueError(f"unknown shape kind {kind!r}; expected one of {SHAPES}")
