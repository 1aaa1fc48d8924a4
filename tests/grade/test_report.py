"""The teacher's Monday: who made each mistake, what follows from what, identical hand-ins,
the same unexplained answer grouped, and the HTML report rendered (and escaped)."""

from __future__ import annotations

import re

from micrograd_edu.exercises.mistakes import CATALOGUE
from micrograd_edu.grade.named import answer_id
from micrograd_edu.grade.records import ExerciseGrade, NotebookGrade
from micrograd_edu.grade.report import class_report, grades_csv, table

ORDER = {"data": ["b", "a"]}


def _grade(number: str, result: str, mistake: str | None = None, **extra: object) -> ExerciseGrade:
    names = {"wrong-order": "wrong order", "assign-not-accumulate": "= instead of +="}
    return ExerciseGrade(
        number,
        result,
        mistake,
        names.get(mistake or ""),
        "a message",
        **extra,  # type: ignore[arg-type]
    )


def _record(
    student: str, *grades: ExerciseGrade, sha: str = "", status: str = "graded"
) -> NotebookGrade:
    return NotebookGrade(
        f"class/{student}.ipynb",
        sha or student * 4,
        student,
        "02_backpropagation",
        status,
        exercises=list(grades),
        maximum=2,
        catalogue="0.2.0+abc",
    )


def _class() -> list[NotebookGrade]:
    return [
        _record("alice", _grade("2.3", "passed"), _grade("2.4", "passed"), sha="same"),
        _record("bob", _grade("2.3", "passed"), _grade("2.4", "passed"), sha="same"),
        _record(
            "carol",
            _grade("2.3", "wrong", "wrong-order"),
            _grade("2.4", "wrong", "wrong-order", follows_from="2.3"),
        ),
        _record("dave", _grade("2.3", "passed"), _grade("2.4", "wrong", "assign-not-accumulate")),
        _record("erin", _grade("2.3", "passed"), _grade("2.4", "wrong", "assign-not-accumulate")),
        _record("fay", _grade("2.3", "wrong", common=ORDER), _grade("2.4", "passed")),
        _record("gus", _grade("2.3", "wrong", common=ORDER), _grade("2.4", "passed")),
        _record("hal", _grade("2.3", "wrong", common={"data": ["a"]}), _grade("2.4", "passed")),
        _record("ivy", status="hung", sha="ivy"),
    ]


def test_names_beside_each_mistake_and_a_follow_on_not_counted_twice() -> None:
    report = class_report(_class())
    section = report.split("### Exercise 2.3\n\n")[1].split("\n\n")[0].splitlines()
    group = answer_id(ORDER)
    assert section == [
        f"- **wrong order** × 1: {CATALOGUE['wrong-order'].explanation} — carol",
        f"- **2 gave the same wrong answer**, answer `{group}` (to the notebook's own example: "
        '`["b", "a"]`) — fay, gus',
        f"- wrong, no named mistake × 1: hal (`{answer_id({'data': ['a']})}`)",
    ]
    section = report.split("### Exercise 2.4\n\n")[1].split("\n\n")[0].splitlines()
    assert section == [
        f"- **= instead of +=** × 2: {CATALOGUE['assign-not-accumulate'].explanation} — dave, erin",
        "- follows from 2.3 × 1 (not counted again): carol",
    ]


def test_the_summary_identical_submissions_and_what_did_not_finish() -> None:
    report = class_report(_class())
    assert report.startswith(
        "# Class report\n\n9 submissions: 8 graded, 1 hung.\n\n"
        "Judged with the catalogue `0.2.0+abc`.\n"
    )
    assert "## Byte-identical submissions\n\n- alice, bob: `same`, 2 of 2 passed\n" in report
    assert "## Submissions not graded to the end\n\n- `class/ivy.ipynb`: hung\n" in report
    assert "| 2.3 | 4 | 4 | 0 | 0 | 0 | 0 |" in report
    assert "| 2.4 | 5 | 3 | 0 | 0 | 0 | 0 |" in report


def test_the_html_report_renders_the_markdown_and_escapes_every_name() -> None:
    hostile = _record(
        "**<img src=x onerror=alert(1)>`[a](javascript:x)",
        _grade("2.3", "wrong", "wrong-order"),
        _grade("2.4", "passed"),
    )
    page = class_report([*_class(), hostile], markdown=False)
    assert "<img" not in page and "<a " not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<strong>wrong order</strong>" in page
    assert "<code>class/ivy.ipynb</code>" in page
    plain = class_report(_class(), markdown=False)
    assert "`" not in re.sub(r"<code>.*?</code>", "", plain)  # every code span rendered
    assert "<th>exercise</th>" in page and "<td>2.4</td>" in page
    markdown = class_report([hostile])
    assert "\\*\\*\\<img src=x onerror=alert(1)\\>\\`\\[a\\](javascript:x)" in markdown


def test_the_grade_book_has_a_row_per_submission_its_status_and_the_maximum() -> None:
    twice = [_record("ann", _grade("2.3", "passed"), _grade("2.4", "wrong")), _record("ann")]
    twice[1].path, twice[1].status, twice[1].detail = "class/ann (1).ipynb", "refused", "a link"
    assert grades_csv(twice).splitlines() == [
        "student,status,2.3,2.4,total,max,notebook,submission",
        "ann,refused,,,0,2,02_backpropagation,class/ann (1).ipynb",
        "ann,graded,1,0,1,2,02_backpropagation,class/ann.ipynb",
    ]


def test_the_table_shows_follow_ons_notes_and_not_reached() -> None:
    record = _record(
        "kim",
        _grade("2.3", "wrong", "wrong-order"),
        _grade("2.4", "not reached"),
        status="crashed",
    )
    record.exercises[
        1
    ].message = "the notebook stopped (crashed) before this exercise's cell had run"
    record.detail, record.notes = "the kernel died (exit status 1)", ["its metadata names 'x'"]
    assert table(record).splitlines() == [
        "class/kim.ipynb  [kim]  02_backpropagation  (0 of 2 passed)  CRASHED — the kernel died "
        "(exit status 1)",
        "  note: its metadata names 'x'",
        "  exercise  result      mistake / reason",
        "  2.3       wrong       wrong order: a message",
        "  2.4       not reached the notebook stopped (crashed) before this exercise's cell "
        "had run",
    ]
    refused = _record("lee", status="refused")
    refused.detail = "cannot read it: it is a symbolic link (grade the file itself)"
    assert table(refused) == (
        "class/lee.ipynb  [lee]: REFUSED — cannot read it: it is a symbolic link (grade the file "
        "itself)"
    )
