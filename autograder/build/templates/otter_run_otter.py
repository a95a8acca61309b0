"""The container's entry point for `otter grade`: run otter with this assignment's plugin.

The plugin (autograder.otter_plugin) is imported from the grader archive that
the bundle ships in files/; it unpacks the same archive to grade.
"""

import sys

sys.path.insert(0, "/autograder/source/files/rnn_captioning_grader.zip")

from otter.run.run_autograder import main  # noqa: E402

if __name__ == "__main__":
    main("/autograder")
