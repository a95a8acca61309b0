"""The image-captioning assignment: recurrent layers, a captioning model and their tools.

Imported as ``assignment``, the package also answers to the course names of
``_package_names.NAMES`` (``from cs231n.layers import *`` works; see ``_aliases``).
"""

from ._aliases import install as _install_aliases

_install_aliases(__name__)
