"""Who handed each submission in, and which notebook the class is: decided before any kernel.

One row per submission, never a merge: file names of the learning-management systems'
bulk downloads, folders per student, nbgrader's layout, and two submissions with one name
an error that names both. The class's notebook is the one most submissions name; another
claim is graded as the class's and noted.
"""

from __future__ import annotations

from pathlib import Path

import grading_fake as fake
import pytest

from micrograd_edu.grade.assignment import AssignmentError, class_notebook, plan_class
from micrograd_edu.grade.naming import lms_student, names_of, plain_student

STEM = "02_backpropagation"
STEMS = ["01_derivatives_and_value", STEM, "09_training_mistakes"]


@pytest.mark.parametrize(
    ("name", "student"),
    [
        ("smithjane_123456_7890123_02_backpropagation.ipynb", "smithjane"),  # Canvas
        ("smithjane_LATE_123456_7890123_hw-1.ipynb", "smithjane"),  # Canvas, late
        ("Jane Smith_4021_assignsubmission_file_02_backpropagation.ipynb", "Jane Smith"),  # Moodle
        ("Jane Smith_4021_assignsubmission_file_", "Jane Smith"),  # Moodle, a folder per student
        ("Homework 2_jsmith_attempt_2024-01-15-10-30-00_nb.ipynb", "jsmith"),  # Blackboard
        ("Homework 2_jsmith_attempt_2024-01-15-10-30-00.txt", "jsmith"),  # Blackboard's receipt
        ("81234-56789 - Jane Smith - Jan 15, 2024 1030 AM - nb02.ipynb", "Jane Smith"),  # D2L
        ("alice_02_backpropagation.ipynb", None),  # a plain name: not an LMS pattern
        ("smith_2024_hw.ipynb", None),
    ],
)
def test_learning_management_systems_download_names(name: str, student: str | None) -> None:
    assert lms_student(name) == student


@pytest.mark.parametrize(
    ("stem", "student"),
    [
        ("alice_02_backpropagation", "alice"),
        ("02_backpropagation_bob", "bob"),
        ("Copy of carol-02-backpropagation (1)", "carol"),
        ("dave 02", "dave"),
        ("backpropagation-erin", "erin"),
        ("Frank Ocean - 02_backpropagation", "Frank Ocean"),
        ("02_backpropagation", ""),
        ("hw2", "hw2"),
    ],
)
def test_a_plain_file_name_without_the_course_notebooks_name(stem: str, student: str) -> None:
    assert plain_student(stem, STEM) == student


def test_auto_names_from_files_folders_and_nbgrader() -> None:
    paths = [
        Path("class/alice_02_backpropagation.ipynb"),  # a flat folder: the file
        Path("class/bob/02_backpropagation.ipynb"),  # the file names only the notebook: folder
        Path("moodle/Jane Smith_4021_assignsubmission_file_/notebook.ipynb"),  # an LMS folder
        Path("course/submitted/carol/hw2/02_backpropagation.ipynb"),  # nbgrader
        Path("Copy of 02_backpropagation (1).ipynb"),  # nothing but copy marks: the folder
    ]
    names = names_of(paths, "auto", STEM)
    assert names[:4] == ["alice", "bob", "Jane Smith", "carol"]
    assert names[4] == Path.cwd().name
    assert names_of(paths[:2], "folder", STEM) == ["class", "bob"]
    assert names_of(paths[:2], "stem", STEM) == ["alice_02_backpropagation", STEM]
    assert names_of(paths[:1], "file", STEM) == ["alice"]
    assert names_of(paths[3:4], "nbgrader", STEM) == ["carol"]
    assert names_of(paths[:1], "path", STEM) == ["class/alice_02_backpropagation.ipynb"]
    with pytest.raises(ValueError, match="--student-from must be one of auto, folder"):
        names_of(paths, "email", STEM)


def _write(folder: Path, name: str, stem: str = fake.STEM) -> Path:
    return fake.write(folder, name, *fake.RIGHT, stem=stem)


def test_a_flat_folder_is_one_student_per_file(tmp_path: Path) -> None:
    paths = [_write(tmp_path, f"{who}_90_fake.ipynb") for who in ("alice", "bob", "carol")]
    paths.append(tmp_path / "dave_90_fake.ipynb")
    paths[-1].write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    plan = plan_class(paths, None, "auto", list(fake.course_exercises()))
    assert [(item.student, item.notebook, item.notes) for item in plan] == [
        ("alice", "90_fake", ()),
        ("bob", "90_fake", ()),
        ("carol", "90_fake", ()),
        ("dave", "90_fake", ()),  # names no notebook: the class's
    ]


def test_two_submissions_with_one_name_are_an_error_naming_both(tmp_path: Path) -> None:
    first = _write(tmp_path, "alice_90_fake.ipynb")
    second = _write(tmp_path, "alice-90_fake (1).ipynb")  # handed in twice
    with pytest.raises(AssignmentError) as error:
        plan_class([first, second], None, "auto", list(fake.course_exercises()))
    message = str(error.value)
    assert message.startswith("these submissions would share one student's row")
    assert f"'alice': {first}, {second}" in message
    assert "--student-from (folder, file, stem, nbgrader, path; now auto)" in message
    plan = plan_class([first, second], None, "stem", list(fake.course_exercises()))
    assert [item.student for item in plan] == ["alice_90_fake", "alice-90_fake (1)"]


def test_one_file_name_in_a_folder_per_student_is_named_by_the_folders(tmp_path: Path) -> None:
    paths = [_write(tmp_path / who, "homework.ipynb") for who in ("ann", "ben")]
    plan = plan_class(paths, None, "auto", list(fake.course_exercises()))
    assert [item.student for item in plan] == ["ann", "ben"]
    with pytest.raises(AssignmentError, match="'homework': "):
        plan_class(paths, None, "file", list(fake.course_exercises()))


def test_the_same_file_given_twice_is_graded_once(tmp_path: Path) -> None:
    path = _write(tmp_path / "ann", "90_fake.ipynb")
    again = tmp_path / "ann" / ".." / "ann" / "90_fake.ipynb"
    plan = plan_class([path, again, path], None, "auto", list(fake.course_exercises()))
    assert [item.path for item in plan] == [path]


def test_the_class_notebook_is_the_majority_and_another_claim_is_noted(tmp_path: Path) -> None:
    paths = [_write(tmp_path / who, "nb.ipynb") for who in ("ann", "ben")]
    paths.append(_write(tmp_path / "cy", "nb.ipynb", stem=fake.OTHER))
    plan = plan_class(paths, None, "auto", list(fake.course_exercises()))
    assert [(item.notebook, item.notes) for item in plan] == [
        ("90_fake", ()),
        ("90_fake", ()),
        ("90_fake", ("its metadata names '91_other': graded as 90_fake",)),
    ]
    each = plan_class(paths, "each", "auto", list(fake.course_exercises()))
    assert [(item.notebook, item.notes) for item in each] == [
        ("90_fake", ()),
        ("90_fake", ()),
        ("91_other", ()),
    ]


def test_no_majority_asks_the_teacher(tmp_path: Path) -> None:
    paths = [_write(tmp_path / "ann", "nb.ipynb"), _write(tmp_path / "ben", "nb.ipynb", fake.OTHER)]
    with pytest.raises(AssignmentError) as error:
        plan_class(paths, None, "auto", list(fake.course_exercises()))
    assert str(error.value) == (
        "which course notebook is this class? Of 2 submissions, 1 name 90_fake, 1 name "
        "91_other. Say it: --notebook STEM (one of 90_fake, 91_other), or --notebook each to "
        "grade each submission as the notebook it names."
    )
    with pytest.raises(AssignmentError, match="--notebook '92_x' is not a course notebook"):
        plan_class(paths, "92_x", "auto", list(fake.course_exercises()))
    assert class_notebook([STEM, STEM, None], STEMS) == STEM
    with pytest.raises(AssignmentError, match="1 name 02_backpropagation, 1 name no course"):
        class_notebook([STEM, None], STEMS)


def test_a_file_name_that_names_another_notebook_is_noted(tmp_path: Path) -> None:
    notebooks = tmp_path / "class"
    notebooks.mkdir()
    blank = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    for name in ("ann_02_backpropagation", "ben_02_backpropagation", "cy_09_training_mistakes"):
        (notebooks / f"{name}.ipynb").write_text(blank)
    plan = plan_class(sorted(notebooks.iterdir()), None, "auto", STEMS)
    assert [(item.student, item.notes) for item in plan] == [
        ("ann", ()),
        ("ben", ()),
        (
            "cy_09_training_mistakes",
            ("its file name names 09_training_mistakes: graded as 02_backpropagation",),
        ),
    ]
