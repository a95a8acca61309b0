"""A known mistake: a named patch of the reference, the items it costs and its hint."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    """A known mistake.

    Attributes
    ----------
    name : str
        Slug, unique in the catalogue.
    item : str
        The item of grading.toml it must cost points in.
    description : str
        What the mutated code does, for staff: ``docs/mistakes.md`` lists every
        mistake by it, and the class summary (``summary.html``) the ones named most often.
    hint : str
        One sentence for the student, naming the mistake.
    patch : tuple of Patch
    also : tuple of str
        Other items it costs points in.
    """

    name: str
    item: str
    description: str
    hint: str
    patch: tuple
    also: tuple = ()
