"""Who handed a submission in: student names from paths, and never two submissions in one row.

``--student-from`` chooses how (``auto`` by default):

* ``auto``: nbgrader's layout (``submitted/<student>/<assignment>/<file>.ipynb``) by its
  folders; else a folder or file name in one of the learning-management systems' download
  patterns (:func:`lms_student`); else the file's name without the course notebook's name in
  it (``alice_02_backpropagation.ipynb`` → ``alice``); else the folder holding it, when the
  file names only the course notebook (``class/alice/02_backpropagation.ipynb``) or when
  files of one name each sit in a folder of their own (``class/alice/homework.ipynb``,
  ``class/bob/homework.ipynb``);
* ``folder``: the folder holding the file; ``file``: the file's name as ``auto`` reads it;
  ``stem``: the file's name without ``.ipynb``, verbatim; ``nbgrader``: the folder two
  levels up; ``path``: the path as given (always one name per file).

Two submissions that would get the same name (for the same notebook) are an error that
names both (:func:`collisions`): the grade book has one row per submission, never a merge.

>>> names_of([Path("class/alice_02_backpropagation.ipynb"),
...           Path("class/Bob Stone_4021_assignsubmission_file_hw.ipynb"),
...           Path("class/alice/02_backpropagation.ipynb")], "auto", "02_backpropagation")
['alice', 'Bob Stone', 'alice']
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

__all__ = ["MODES", "collisions", "describe_collisions", "lms_student", "names_of", "plain_student"]

MODES = ("auto", "folder", "file", "stem", "nbgrader", "path")
"""The values of ``--student-from``."""

_DATE = r"\d{4}(?:-\d{2}){5}"
LMS_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Canvas: sortablename[_late]_<user id>_<submission id>_<original file name>
    ("Canvas", re.compile(r"^(?P<name>[^_]+)_(?:late_)?\d+_\d+_.*$", re.IGNORECASE)),
    # Moodle: Full Name_<id>_assignsubmission_file_<original file name> (a file or a folder)
    ("Moodle", re.compile(r"^(?P<name>.+?)_\d+_assignsubmission_(?:file|onlinetext)_.*$")),
    # Blackboard: <assignment>_<user name>_attempt_<yyyy-mm-dd-hh-mm-ss>[_<original name>]
    # (the first such part: the original name is the student's, and may hold another's)
    ("Blackboard", re.compile(rf"^.*?_(?P<name>[^_]+)_attempt_{_DATE}(?:[_.].*)?$")),
    # Brightspace (D2L): <id>-<id> - Full Name - Mon d, yyyy hhmm AM - <original name>
    (
        "Brightspace",
        re.compile(r"^\d+-\d+ - (?P<name>.+?) - [A-Z][a-z]{2} \d{1,2}, \d{4} \d{3,4} [AP]M - .*$"),
    ),
)
"""Bulk-download names of learning-management systems, each with the student's part."""

_SEPARATORS = r"[\s_.\-]"
_COPY = re.compile(r"(?:^|\s)copy of\s+|\s*\(\d+\)", re.IGNORECASE)
"""What a file manager or a browser adds to a copy: "Copy of x", "x (1)"."""


def lms_student(name: str) -> str | None:
    """The student's part of a file or folder name an LMS bulk download gives, else None.

    >>> lms_student("smithjane_late_123456_7890123_02_backpropagation.ipynb")
    'smithjane'
    >>> lms_student("Jane Smith_4021_assignsubmission_file_")
    'Jane Smith'
    >>> lms_student("Homework 2_jsmith_attempt_2024-01-15-10-30-00_02_backpropagation.ipynb")
    'jsmith'
    >>> lms_student("alice_02_backpropagation.ipynb") is None
    True
    """
    for _, pattern in LMS_PATTERNS:
        match = pattern.match(name)
        if match:
            return match.group("name").strip() or None
    return None


def _words(stem: str) -> str:
    """A regular expression for ``stem`` with any separators between its words."""
    parts = [re.escape(part) for part in re.split(rf"{_SEPARATORS}+", stem) if part]
    return rf"{_SEPARATORS}*".join(parts)


def plain_student(stem: str, notebook: str | None) -> str:
    """``stem`` without copy marks and the course notebook's name (or number, or title).

    >>> [plain_student(s, "02_backpropagation") for s in
    ...  ["alice_02_backpropagation", "Copy of 02-backpropagation (1) - Bob", "carol-02",
    ...   "backpropagation_dave", "02_backpropagation"]]
    ['alice', 'Bob', 'carol', 'dave', '']
    """
    text = _COPY.sub(" ", stem)
    if notebook:
        number, _, title = notebook.partition("_")
        for part in (notebook, title, number):
            if part:
                edge = rf"(?:^|(?<={_SEPARATORS})){_words(part)}(?=$|{_SEPARATORS})"
                text = re.sub(edge, " ", text, flags=re.IGNORECASE).strip(" _.-")
    return re.sub(r"\s+-\s+|\s{2,}", " ", text).strip(" _.-")


def _from_file(path: Path, notebook: str | None) -> str:
    return lms_student(path.name) or plain_student(path.stem, notebook)


def _nbgrader(path: Path) -> str | None:
    """The student of ``submitted/<student>/<assignment>/<file>`` (or ``autograded/``)."""
    parts = path.parts
    if len(parts) >= 4 and parts[-4] in ("submitted", "autograded"):
        return parts[-3]
    return None


def _student(path: Path, how: str, notebook: str | None) -> str:
    absolute = Path(os.path.abspath(path))
    folder = absolute.parent.name
    if how == "folder":
        return folder
    if how == "stem":
        return absolute.stem
    if how == "nbgrader":
        return absolute.parent.parent.name
    if how == "path":
        return os.fspath(path)
    if how == "file":
        return _from_file(absolute, notebook) or absolute.stem
    return _nbgrader(absolute) or lms_student(folder) or _from_file(absolute, notebook)


def names_of(
    paths: Sequence[Path], how: str, notebook: str | Sequence[str | None] | None
) -> list[str]:
    """The student of each path, by ``--student-from`` ``how`` (one of :data:`MODES`).

    ``notebook`` is the course notebook's stem (or one per path), removed from file
    names. ValueError for an unknown ``how``.
    """
    if how not in MODES:
        raise ValueError(f"--student-from must be one of {', '.join(MODES)}, not {how!r}")
    stems = [notebook] * len(paths) if notebook is None or isinstance(notebook, str) else notebook
    names = [_student(path, how, stem) for path, stem in zip(paths, stems, strict=True)]
    if how != "auto":
        return names
    folders = [Path(os.path.abspath(path)).parent for path in paths]
    shared = {folder for folder in folders if folders.count(folder) > 1}
    clashing = {key for key, found in _groups(names, stems).items() if len(found) > 1}
    return [
        name
        if name and ((name, stem) not in clashing or folder in shared)
        else folder.name or Path(path).stem
        for path, name, stem, folder in zip(paths, names, stems, folders, strict=True)
    ]


def _groups(
    names: Sequence[str], notebooks: Sequence[str | None]
) -> dict[tuple[str, str | None], list[int]]:
    found: dict[tuple[str, str | None], list[int]] = {}
    for index, key in enumerate(zip(names, notebooks, strict=True)):
        found.setdefault(key, []).append(index)
    return found


def collisions(
    paths: Sequence[Path], names: Sequence[str], notebooks: Sequence[str | None]
) -> list[tuple[str, list[Path]]]:
    """The names given to more than one submission of the same notebook, with their paths.

    >>> collisions([Path("a/x.ipynb"), Path("b/x.ipynb")], ["x", "x"], ["02", "02"])
    [('x', [PosixPath('a/x.ipynb'), PosixPath('b/x.ipynb')])]
    """
    return [
        (name, [paths[index] for index in found])
        for (name, _), found in _groups(names, notebooks).items()
        if len(found) > 1
    ]


def describe_collisions(clashes: list[tuple[str, list[Path]]], how: str) -> str:
    """The error a teacher reads when two submissions would share a row."""
    from .records import show_path

    lines = ["these submissions would share one student's row in the grade book:"]
    for name, paths in clashes:
        shown = ", ".join(show_path(path) for path in paths)
        lines.append(f"  {name!r}: {shown}")
    others = ", ".join(mode for mode in MODES if mode != how)
    lines.append(
        f"Name the students apart with --student-from ({others}; now {how}), "
        "or grade one of each pair (the other is another hand-in of the same student)."
    )
    return "\n".join(lines)
