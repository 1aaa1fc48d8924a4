"""The assignment is the teacher's: which course notebook a class is graded as, and who is who.

Before any notebook runs, the grader reads every submission once (:func:`plan_class`):

* the course notebook: ``--notebook STEM`` if given; else the one that more than half of
  the submissions name (in their metadata, else their file name), and when no notebook
  has such a majority the run stops with the counts and asks for ``--notebook``
  (:class:`AssignmentError`). ``--notebook each`` grades each submission as the notebook
  it names itself (a student's folder of the whole course). A submission that names
  another notebook than the class's is graded as the class's, and a note says so;
* the students (:mod:`.naming`): two submissions of the same notebook that would get the
  same name stop the run with both paths (:class:`AssignmentError`), never one row for two.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import naming
from .records import claimed_in_metadata, identify, read_submission, show_path

__all__ = ["EACH", "AssignmentError", "Submission", "class_notebook", "plan_class"]

EACH = "each"
"""``--notebook each``: every submission graded as the course notebook it names itself."""


class AssignmentError(ValueError):
    """The class cannot be graded as given; the message says why and what to pass."""


@dataclass(frozen=True)
class Submission:
    """One submission to grade: its path, student, course notebook (None: none), notes."""

    path: Path
    student: str
    notebook: str | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Claim:
    readable: bool
    notebook: str | None = None  # the notebook it names (metadata, else file name)
    metadata: str | None = None  # the notebook its metadata names, if any


def _claim(path: Path, stems: list[str]) -> _Claim:
    try:
        content = read_submission(path)
    except OSError:
        return _Claim(False)
    claimed, _ = identify(content, path.name, None, stems)
    return _Claim(True, claimed, claimed_in_metadata(content))


def class_notebook(claims: Sequence[str | None], stems: Sequence[str]) -> str:
    """The notebook more than half of the submissions name; AssignmentError if none does.

    >>> class_notebook(["02_backpropagation", "02_backpropagation", None], ["02_backpropagation"])
    '02_backpropagation'
    """
    counts = Counter(claims)
    named = [(stem, count) for stem, count in counts.most_common() if stem is not None]
    if named and named[0][1] * 2 > len(claims):
        return named[0][0]
    said = [f"{count} name {stem}" for stem, count in named]
    if counts[None]:
        said.append(f"{counts[None]} name no course notebook")
    raise AssignmentError(
        f"which course notebook is this class? Of {len(claims)} submissions, "
        + (", ".join(said) or "none can be read")
        + f". Say it: --notebook STEM (one of {', '.join(stems)}), or --notebook {EACH} to "
        "grade each submission as the notebook it names."
    )


def _notes(stem: str, claim: _Claim, name: str) -> tuple[str, ...]:
    """What the teacher should know about a submission graded as ``stem``."""
    if claim.metadata is not None and claim.metadata != stem:
        return (f"its metadata names {claim.metadata!r}: graded as {stem}",)
    if claim.notebook is not None and claim.notebook != stem and claim.notebook in name:
        return (f"its file name names {claim.notebook}: graded as {stem}",)
    return ()


def plan_class(
    paths: Sequence[Path], notebook: str | None, student_from: str, stems: Sequence[str]
) -> list[Submission]:
    """Every submission's student and notebook, checked before any notebook runs.

    ``notebook``: ``--notebook`` (a stem, :data:`EACH`, or None: the class's majority).
    The same file given twice is graded once. AssignmentError for an unknown notebook, no
    majority, or two submissions of one notebook that would get the same name.
    """
    if notebook is not None and notebook != EACH and notebook not in stems:
        raise AssignmentError(
            f"--notebook {notebook!r} is not a course notebook (one of {', '.join(stems)}, "
            f"or {EACH})"
        )
    firsts: dict[Path, Path] = {}
    for path in paths:
        firsts.setdefault(Path(os.path.abspath(path)), path)
    paths = list(firsts.values())
    claims = [_claim(path, list(stems)) for path in paths]
    chosen: list[str | None] = [claim.notebook for claim in claims]
    if notebook != EACH:
        votes = [claim.notebook for claim in claims if claim.readable]
        chosen = [notebook or class_notebook(votes or [None], stems)] * len(paths)
    names = [show_path(Path(name)) for name in naming.names_of(paths, student_from, chosen)]
    clashes = naming.collisions(paths, names, chosen)
    if clashes:
        raise AssignmentError(naming.describe_collisions(clashes, student_from))
    submissions = []
    for path, name, stem, claim in zip(paths, names, chosen, claims, strict=True):
        notes = _notes(stem, claim, path.name) if stem and notebook != EACH else ()
        submissions.append(Submission(path, name, stem, notes))
    return submissions
