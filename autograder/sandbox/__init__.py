"""Running student code: an isolated child process (``SandboxRunner``) or this process
(``InProcessRunner``), behind one API; each stages the ``Package`` it is given into the
folder it imports from; failures of student code are ``StudentError``s.
"""

from .runner import Handle, InProcessRunner, SandboxError, SandboxRunner, StudentError
from .staging import Package

__all__ = ["Handle", "InProcessRunner", "Package", "SandboxError", "SandboxRunner",
           "StudentError"]
