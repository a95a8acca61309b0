"""Running student code: an isolated child process (``SandboxRunner``) or this process
(``InProcessRunner``), behind one API; failures of student code are ``StudentError``s.
"""

from .runner import Handle, InProcessRunner, SandboxError, SandboxRunner, StudentError

__all__ = ["Handle", "InProcessRunner", "SandboxError", "SandboxRunner", "StudentError"]
