"""Typed settings read once from ``grading.toml``; nothing else reads that file."""

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from . import paths

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
    """SPEC.md's overfitting settings and thresholds."""

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
    cpu_seconds: int
    address_space_mib: int
    max_processes: int
    max_file_size_mib: int
    max_array_elements: int
    max_message_mib: int
    max_zip_entries: int
    max_unpacked_mib: int
    isolation_minimum: str


@dataclass(frozen=True)
class ClassGrading:
    """Defaults of ``grade-all``."""

    jobs: int


@dataclass(frozen=True)
class Settings:
    """Everything ``grading.toml`` says."""

    seed: int
    points: dict
    tolerance: Tolerance
    overfit: Overfit
    limits: Limits
    grading: ClassGrading

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
    known = {"seed", "points", "tolerance", "overfit", "limits", "class"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    return Settings(
        seed=_number(raw, "seed", int, path),
        points=_points(_table(raw, "points", path), path),
        tolerance=_section(raw, "tolerance", Tolerance, path),
        overfit=_section(raw, "overfit", Overfit, path),
        limits=_limits(raw, path),
        grading=_section(raw, "class", ClassGrading, path),
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


def _points(table, path):
    """The points table: exactly the known items, each a non-negative number."""
    missing = [item for item in ITEMS if item not in table]
    unknown = sorted(set(table) - set(ITEMS))
    if missing:
        raise ConfigError(f"{path}: points.{missing[0]} is missing")
    if unknown:
        raise ConfigError(f"{path}: points.{unknown[0]} is not a graded item "
                          f"(items: {', '.join(ITEMS)})")
    return {item: _number(table, item, float, path, "points") for item in ITEMS}
