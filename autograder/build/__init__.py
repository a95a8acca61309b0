"""Generators: each turns the sources of truth into one derived artefact."""
