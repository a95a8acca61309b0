"""Fetching the image behind a caption's URL (provided to students)."""

import io
from urllib.parse import unquote, urlparse

import numpy as np
import requests
from PIL import Image, UnidentifiedImageError

TIMEOUT_SECONDS = 10


def image_from_url(url, timeout=TIMEOUT_SECONDS):
    """Read an image from an ``http(s)://`` or ``file://`` URL.

    Parameters
    ----------
    url : str
    timeout : float
        Seconds to wait for a server before giving up.

    Returns
    -------
    ndarray of uint8, shape (height, width, 3), or None
        None when the image cannot be had; the reason is printed.
    """
    try:
        raw = _read_bytes(url, timeout)
        with Image.open(io.BytesIO(raw)) as image:
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except requests.Timeout:
        print(f"image_from_url: no answer from {url} within {timeout} s")
    except (requests.RequestException, OSError) as error:
        if isinstance(error, UnidentifiedImageError):
            print(f"image_from_url: {url} is not an image")
        else:
            print(f"image_from_url: cannot read {url}: {error}")
    return None


def _read_bytes(url, timeout):
    """The bytes behind a URL; raises requests or OS errors."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        with open(unquote(parsed.path), "rb") as f:
            return f.read()
    if parsed.scheme not in ("http", "https"):
        raise OSError(f"unsupported URL scheme {parsed.scheme!r}")
    response = requests.get(url, timeout=timeout)
    response.raise_for_status()
    return response.content
