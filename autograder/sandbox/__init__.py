"""Running student code: an isolated child process (``SandboxRunner``) or this process
(``InProcessRunner``), behind one interface (``interface.Runner``); failures of student code
are ``StudentError``s.
"""

from .interface import Runner
from .runner import Handle, InProcessRunner, SandboxError, SandboxRunner, StudentError

__all__ = ["Handle", "InProcessRunner", "Runner", "SandboxError", "SandboxRunner",
           "StudentError"]
