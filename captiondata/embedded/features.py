"""Image features computed from pixels: an fc7-like code and its PCA.

The pipeline stands in for a CNN. A hand-made descriptor summarises every
region of a spatial pyramid (the whole image, its quarters, a 4 x 4 grid)
by its colours (the share of pixels nearest to each palette colour) and its
edge orientations (a gradient-orientation histogram, which tells a square
from a diamond, a triangle or a circle), and adds a thumbnail of the image.
A fixed random projection followed by a ReLU spreads the standardised
descriptor over 4096 sparse units, like a network's ``fc7`` layer; a
whitening PCA fitted on the training images reduces those to 512
components of unit variance. Both codes are rounded to a coarse grid so
that the compressed files stay small.
"""

import numpy as np

from .scenes import BACKGROUND_COLOURS, OBJECT_COLOURS

# Cells per image side at each level of the spatial pyramid: R = 1 + 4 + 16 = 21 regions.
PYRAMID_LEVELS = (1, 2, 4)
ORIENTATION_BINS = 9  # over 180 degrees: edges are unsigned
THUMBNAIL_SIZE = 8  # pixels per side of the thumbnail part of the descriptor
PALETTE = np.asarray(list(OBJECT_COLOURS.values()) + list(BACKGROUND_COLOURS.values()),
                     dtype=np.int32)
# Multipliers of the standardised blocks. Colour counts most: the large
# background shares would otherwise drown the object colours; the thumbnail,
# mostly telling where things are, least.
BLOCK_WEIGHTS = {"colour": 4.0, "orientation": 1.0, "thumbnail": 0.5}

FC7_DIM = 4096
PCA_DIM = 512
PROJECTION_SEED = 20140
FC7_THRESHOLD = 0.5  # in standard deviations of the pre-activations: about 30% of units fire
FC7_STEP = 1.0 / 16  # fc7 values are multiples of this
PCA_STEP = 1.0 / 64  # PCA values are multiples of this
BATCH = 500  # images per chunk when computing descriptors


def descriptor_blocks(images):
    """Colour, orientation and thumbnail statistics of images.

    Parameters
    ----------
    images : ndarray of uint8, shape (N, S, S, 3)
        S divisible by every level of :data:`PYRAMID_LEVELS` and by
        :data:`THUMBNAIL_SIZE`.

    Returns
    -------
    dict of str to ndarray of float64
        ``colour`` (N, R * len(PALETTE)), ``orientation``
        (N, R * ORIENTATION_BINS) and ``thumbnail``
        (N, 3 * THUMBNAIL_SIZE**2).
    """
    parts = {"colour": _colour_shares, "orientation": _orientation_histograms,
             "thumbnail": _thumbnail}
    chunks = {name: [] for name in parts}
    for start in range(0, len(images), BATCH):
        pixels = images[start:start + BATCH].astype(np.int32)
        for name, part in parts.items():
            chunks[name].append(part(pixels))
    return {name: np.concatenate(chunks[name]).astype(np.float64) for name in parts}


def _pyramid_means(values):
    """Averages over the regions of a spatial pyramid.

    Level ``k`` of :data:`PYRAMID_LEVELS` splits the image into k x k equal
    cells; the coarse levels make what is where readable at several scales.

    Parameters
    ----------
    values : ndarray, shape (N, S, S)
        S divisible by every level.

    Returns
    -------
    ndarray, shape (N, R)
    """
    n, s, _ = values.shape
    return np.concatenate([
        values.reshape(n, k, s // k, k, s // k).mean(axis=(2, 4)).reshape(n, -1)
        for k in PYRAMID_LEVELS], axis=1)


def _colour_shares(pixels):
    """Share of every region's pixels whose nearest palette colour is each colour.

    The distances are sums of products of integers, exact in float64 in any
    summation order, so near-ties are decided alike on every machine.

    Parameters
    ----------
    pixels : ndarray of int32, shape (N, S, S, 3), values in [0, 255]

    Returns
    -------
    ndarray, shape (N, R * len(PALETTE))
    """
    palette = PALETTE.astype(np.float64)
    # |p - c|^2 without the |p|^2 term, which is the same for every colour c
    distances = np.sum(palette ** 2, axis=1) - 2 * pixels.astype(np.float64) @ palette.T
    nearest = np.argmin(distances, axis=-1)
    return np.concatenate(
        [_pyramid_means((nearest == k).astype(np.float64)) for k in range(len(PALETTE))], axis=1)


def _orientation_histograms(pixels):
    """Every region's gradient magnitude binned by edge orientation.

    The gradient of a pixel is the central difference of its colour channel
    that changes most. Bins are decided by integer-exact comparisons rather
    than an arctangent, so they do not depend on the machine's math library.

    Parameters
    ----------
    pixels : ndarray of int32, shape (N, S, S, 3), values in [0, 255]

    Returns
    -------
    ndarray, shape (N, R * ORIENTATION_BINS)
    """
    padded = np.pad(pixels, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    gx = padded[:, 1:-1, 2:] - padded[:, 1:-1, :-2]
    gy = padded[:, 2:, 1:-1] - padded[:, :-2, 1:-1]
    squared = gx * gx + gy * gy
    strongest = np.argmax(squared, axis=-1)[..., None]
    gx, gy, squared = (np.take_along_axis(g, strongest, axis=-1)[..., 0] for g in (gx, gy, squared))
    # Edges are unsigned: turn every gradient into the upper half plane, angle in [0, pi).
    flip = (gy < 0) | ((gy == 0) & (gx < 0))
    gx, gy = np.where(flip, -gx, gx), np.where(flip, -gy, gy)
    # The bin is the number of bin boundaries at or below the gradient's angle.
    boundaries = np.arange(1, ORIENTATION_BINS) * np.pi / ORIENTATION_BINS
    bins = sum((np.cos(angle) * gy - np.sin(angle) * gx >= 0).astype(int) for angle in boundaries)
    magnitude = np.sqrt(squared)
    return np.concatenate(
        [_pyramid_means(np.where(bins == k, magnitude, 0.0)) for k in range(ORIENTATION_BINS)],
        axis=1)


def _thumbnail(pixels):
    """Block-averaged pixels.

    Parameters
    ----------
    pixels : ndarray of int32, shape (N, S, S, 3), values in [0, 255]

    Returns
    -------
    ndarray, shape (N, 3 * THUMBNAIL_SIZE**2)
    """
    n, s, _, _ = pixels.shape
    c = s // THUMBNAIL_SIZE
    blocks = pixels.reshape(n, THUMBNAIL_SIZE, c, THUMBNAIL_SIZE, c, 3)
    return blocks.mean(axis=(2, 4)).reshape(n, -1)


def fit_standardiser(train_blocks):
    """Centre and scale of every descriptor block on the training images.

    Each block gets one scale, the root mean square of its centred values,
    so a block's entries keep their relative sizes and every block carries
    one unit of variance per dimension.

    Parameters
    ----------
    train_blocks : dict of str to ndarray, shape (N, d_block)
        From :func:`descriptor_blocks`.

    Returns
    -------
    dict of str to (ndarray of shape (d_block,), float)
        The mean and the scale of each block.
    """
    standardiser = {}
    for name, values in train_blocks.items():
        mean = values.mean(axis=0)
        standardiser[name] = (mean, float(np.sqrt(np.mean((values - mean) ** 2))))
    return standardiser


def fc7_features(blocks, standardiser):
    """Random-projection ReLU code of standardised, weighted descriptors.

    Parameters
    ----------
    blocks : dict of str to ndarray, shape (N, d_block)
        From :func:`descriptor_blocks`.
    standardiser : dict
        From :func:`fit_standardiser`.

    Returns
    -------
    ndarray of float32, shape (N, FC7_DIM)
        Non-negative multiples of :data:`FC7_STEP`.
    """
    standardised = np.concatenate(
        [BLOCK_WEIGHTS[name] * (blocks[name] - mean) / scale
         for name, (mean, scale) in standardiser.items()], axis=1)
    # Every standardised block has unit variance per dimension on the training
    # images, so dividing by this norm gives the pre-activations unit variance.
    norm = np.sqrt(sum(BLOCK_WEIGHTS[name] ** 2 * blocks[name].shape[1] for name in standardiser))
    projection = np.random.default_rng(PROJECTION_SEED).standard_normal(
        (standardised.shape[1], FC7_DIM)) / norm
    return _round(np.maximum(standardised @ projection - FC7_THRESHOLD, 0.0), FC7_STEP)


def fit_pca(train_fc7, dim=PCA_DIM):
    """A whitening PCA projection fitted on the training codes.

    The principal axes come from the eigenvectors of the N x N Gram matrix
    of the centred codes, which is cheaper than decomposing the D x D
    covariance when N < D. Each axis is divided by the training standard
    deviation along it, so every projected component has unit variance on
    the training images: the 512 components weigh alike, as the varied
    content of real photographs makes them do in COCO.

    Parameters
    ----------
    train_fc7 : ndarray, shape (N, D)
    dim : int
        At most N - 1.

    Returns
    -------
    mean : ndarray of float64, shape (D,)
    projection : ndarray of float64, shape (D, dim)
        Columns by falling variance. The largest-magnitude entry of each
        column is positive, so the result does not depend on the sign
        conventions of the linear-algebra library.
    """
    mean = train_fc7.mean(axis=0, dtype=np.float64)
    centred = train_fc7 - mean
    eigenvalues, vectors = np.linalg.eigh(centred @ centred.T)
    top = np.argsort(eigenvalues)[::-1][:dim]
    # unit axis: centred.T @ v / sqrt(eigenvalue); standard deviation: sqrt(eigenvalue / N)
    projection = centred.T @ vectors[:, top] * np.sqrt(len(centred)) / eigenvalues[top]
    signs = np.sign(projection[np.argmax(np.abs(projection), axis=0), np.arange(dim)])
    return mean, projection * signs


def pca_features(fc7, mean, projection):
    """Whitened principal components of codes.

    Parameters
    ----------
    fc7 : ndarray, shape (N, D)
    mean : ndarray, shape (D,)
    projection : ndarray, shape (D, dim)
        From :func:`fit_pca`.

    Returns
    -------
    ndarray of float32, shape (N, dim)
        Multiples of :data:`PCA_STEP`.
    """
    return _round((fc7 - mean) @ projection, PCA_STEP)


def _round(values, step):
    """Values rounded to the nearest multiple of ``step``, as float32 (any shape)."""
    return (np.round(values / step) * step).astype(np.float32)
