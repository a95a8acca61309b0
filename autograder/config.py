"""Typed settings read once from ``grading.toml``; nothing else reads that file."""

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from . import paths
from .names import PACKAGE

ITEMS = (
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "word_embedding_forward",
    "word_embedding_backward",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
    "loss_rnn",
    "loss_lstm",
    "sample_rnn",
    "sample_lstm",
    "overfit_rnn",
    "overfit_lstm",
    "sigmoid_variant",
)
# Items that exist only when grading.toml's ``sigmoid_variant`` is true.
VARIANT_ITEMS = ("sigmoid_variant",)


# The isolation modes of the sandbox, best first; ``limits.isolation_minimum`` names one.
ISOLATION_LEVELS = ("root", "userns", "confined", "none")


class ConfigError(ValueError):
    """``grading.toml`` is missing, malformed, or has a bad value; the message names the key."""


@dataclass(frozen=True)
class Tolerance:
    """Largest accepted scale-relative errors (see grading.toml)."""

    float64: float
    float32: float
    numerical_gradient: float
    numerical_step: float
    loss: float


@dataclass(frozen=True)
class Overfit:
    """docs/assignment.md's overfitting settings and thresholds."""

    max_train: int
    hidden_dim: int
    wordvec_dim: int
    update_rule: str
    learning_rate: float
    batch_size: int
    num_epochs: int
    rnn_lr_decay: float
    lstm_lr_decay: float
    rnn_threshold: float
    lstm_threshold: float


@dataclass(frozen=True)
class Limits:
    """Resource limits of the child process that runs student code."""

    time_multiple: float
    time_allowance_seconds: float
    grading_seconds: float
    cpu_seconds: int
    address_space_mib: int
    memory_mib: int
    max_processes: int
    max_file_size_mib: int
    max_array_elements: int
    max_message_mib: int
    reply_allowance_elements: int
    output_bytes: int
    max_zip_entries: int
    max_unpacked_mib: int
    isolation_minimum: str


@dataclass(frozen=True)
class ClassGrading:
    """Defaults of ``grade-all``."""

    jobs: int
    worker_retries: int


@dataclass(frozen=True)
class Settings:
    """Everything ``grading.toml`` says."""

    seed: int
    sigmoid_variant: bool
    points: dict
    tolerance: Tolerance
    overfit: Overfit
    limits: Limits
    grading: ClassGrading
    package_names: tuple

    @property
    def items(self):
        """The graded items, in the order of :data:`ITEMS`: every item, or without
        :data:`VARIANT_ITEMS` when the sigmoid variant is off."""
        return tuple(self.points)

    @property
    def total_points(self):
        """Sum of the points of every item."""
        return sum(self.points.values())


def load(path=paths.GRADING_TOML):
    """Read and validate a grading.toml.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    Settings

    Raises
    ------
    ConfigError
        Naming the file and the offending key.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error
    known = {"seed", "sigmoid_variant", "points", "classic_points", "tolerance", "overfit",
             "limits", "class", "package"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    sigmoid_variant = _flag(raw, "sigmoid_variant", path)
    return Settings(
        seed=_number(raw, "seed", int, path),
        sigmoid_variant=sigmoid_variant,
        points=_active_points(raw, sigmoid_variant, path),
        tolerance=_section(raw, "tolerance", Tolerance, path),
        overfit=_section(raw, "overfit", Overfit, path),
        limits=_limits(raw, path),
        grading=_section(raw, "class", ClassGrading, path),
        package_names=_package_names(_table(raw, "package", path), path),
    )


def _limits(raw, path):
    """The [limits] table, with ``isolation_minimum`` checked to name an isolation level."""
    limits = _section(raw, "limits", Limits, path)
    if limits.isolation_minimum not in ISOLATION_LEVELS:
        raise ConfigError(f"{path}: limits.isolation_minimum must be one of "
                          f"{', '.join(ISOLATION_LEVELS)} (best first), got "
                          f"{limits.isolation_minimum!r}")
    return limits


def _table(raw, key, path):
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{key}] is missing or not a table")
    return value


def _number(table, key, kind, path, where=""):
    """``table[key]`` checked to be a positive int, float or a str, as ``kind`` says."""
    name = f"{where}.{key}" if where else key
    if key not in table:
        raise ConfigError(f"{path}: {name} is missing")
    value = table[key]
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {name} must be a string, got {value!r}")
        return value
    accepted = (int,) if kind is int else (int, float)
    if isinstance(value, bool) or not isinstance(value, accepted) or value < 0:
        raise ConfigError(f"{path}: {name} must be a non-negative {kind.__name__}, got {value!r}")
    return kind(value)


def _section(raw, key, cls, path):
    """Build the dataclass ``cls`` from table ``[key]``, checking every field's type."""
    table = _table(raw, key, path)
    names = [field.name for field in fields(cls)]
    unknown = sorted(set(table) - set(names))
    if unknown:
        raise ConfigError(f"{path}: unknown key {key}.{unknown[0]}")
    return cls(**{field.name: _number(table, field.name, field.type, path, key)
                  for field in fields(cls)})


def _flag(table, key, path):
    """``table[key]`` checked to be true or false."""
    if not isinstance(table.get(key), bool):
        raise ConfigError(f"{path}: {key} must be true or false, got {table.get(key)!r}")
    return table[key]


def _active_points(raw, sigmoid_variant, path):
    """The points of the graded items: ``[points]`` with the sigmoid variant, else
    ``[classic_points]``.

    Both tables are always checked and must give the same total, so that switching the
    variant never changes what a perfect score is.
    """
    classic_items = tuple(item for item in ITEMS if item not in VARIANT_ITEMS)
    points = _points(_table(raw, "points", path), "points", ITEMS, path)
    classic = _points(_table(raw, "classic_points", path), "classic_points", classic_items, path)
    if sum(points.values()) != sum(classic.values()):
        raise ConfigError(f"{path}: [points] sum to {sum(points.values()):g} but "
                          f"[classic_points] to {sum(classic.values()):g}; make both totals "
                          "equal")
    return points if sigmoid_variant else classic


def _points(table, key, items, path):
    """A points table ``[key]``: exactly ``items``, each a non-negative number."""
    missing = [item for item in items if item not in table]
    unknown = sorted(set(table) - set(items))
    if missing:
        raise ConfigError(f"{path}: {key}.{missing[0]} is missing")
    if unknown:
        raise ConfigError(f"{path}: {key}.{unknown[0]} is not a graded item of [{key}] "
                          f"(items: {', '.join(items)})")
    return {item: _number(table, item, float, path, key) for item in items}


def _package_names(table, path):
    """``package.names``: distinct module names, among them the student package's own."""
    unknown = sorted(set(table) - {"names"})
    if unknown:
        raise ConfigError(f"{path}: unknown key package.{unknown[0]}")
    names = table.get("names")
    if (not isinstance(names, list) or not names
            or not all(isinstance(name, str) and name.isidentifier() for name in names)):
        raise ConfigError(f"{path}: package.names must be a list of module names, got {names!r}")
    own = PACKAGE
    if own not in names or len(set(names)) != len(names):
        raise ConfigError(f"{path}: package.names must name {own!r} (the student package) and "
                          f"list each name once, got {names!r}")
    return tuple(names)
