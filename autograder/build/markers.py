"""The solution markers of ``solutions/``: a student part sits between these two comment lines.

The stub step (:mod:`autograder.build.stubs`) replaces what they enclose; the
classic transform (:mod:`autograder.build.variant`) leaves module-level regions,
the reference's private helpers, as they are.
"""

import re

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
