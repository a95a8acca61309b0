"""Running student code: an isolated child process (``SandboxRunner``) or this process
(``InProcessRunner``), behind one interface (``interface.Runner``); each stages the
``Package`` it is given into the folder it imports from; failures of student code are
``StudentError``s.
"""

from .interface import Runner
from .runner import Handle, InProcessRunner, SandboxError, SandboxRunner, StudentError
from .staging import Package

__all__ = ["Handle", "InProcessRunner", "Package", "Runner", "SandboxError", "SandboxRunner",
           "StudentError"]
