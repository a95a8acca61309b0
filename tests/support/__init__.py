"""Helpers shared by test folders: submissions, in-process item grading, notebook
workspaces, hand-in zips, and the alternative correct implementations."""
