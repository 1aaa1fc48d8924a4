"""Verdicts from kept answers: judged, named by the teacher, linked, and re-judged without a kernel.

Records are made here as the grader makes them (the fake course's probe answers on its
hidden cases), so every test runs in a fraction of a second.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grading_fake as fake
import pytest

from micrograd_edu.exercises.mistakes import Outcome
from micrograd_edu.grade import cli
from micrograd_edu.grade.judging import judge_exercise, link_follows, rejudge, rejudge_all
from micrograd_edu.grade.named import NamedMistake, NamedMistakesError, answer_id, load_named
from micrograd_edu.grade.records import NotebookGrade, derive_seed


def _answer(function: Any, case: list[int]) -> dict[str, Any]:
    if function is None:
        return {"missing": True}
    try:
        return {"data": [function(x) for x in case]}
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}


def _record(
    student: str,
    double: Any = fake.FUNCTIONS["9.1"][1],
    square: Any = fake.FUNCTIONS["9.2"][1],
    uses: dict[str, list[str]] | None = None,
    course: Any = fake,
    named: dict[tuple[str, str], NamedMistake] | None = None,
) -> NotebookGrade:
    """A record as the grader writes it, for the student's ``double`` and ``square``."""
    content = f"{student}'s notebook".encode()
    seed = derive_seed(content)
    record = NotebookGrade(
        f"class/{student}.ipynb",
        f"{seed:064x}"[-64:],
        student,
        fake.STEM,
        "graded",
        maximum=2,
        uses=uses or {},
        catalogue=fake.VERSION,
    )
    for number, function in (("9.1", double), ("9.2", square)):
        case = fake.grading_cases(number, seed)
        common = _answer(function, fake.common_case(number))
        record.exercises.append(
            judge_exercise(course, number, case, _answer(function, case), common, named)
        )
    link_follows(record)
    return record


def _results(record: NotebookGrade) -> dict[str, tuple[str, str | None, str | None]]:
    return {g.exercise: (g.result, g.mistake, g.follows_from) for g in record.exercises}


def triple(x: int) -> int:
    return 3 * x


def test_a_record_keeps_the_case_and_the_raw_answers() -> None:
    record = _record("ann", double=triple)
    grade = record.exercises[0]
    assert (grade.result, grade.mistake, grade.message) == ("wrong", None, "wrong values")
    assert grade.answer == {"data": [3 * x for x in grade.case]}
    assert grade.common == {"data": [3, 6, 9]}
    again = NotebookGrade.from_json(record.to_json())
    assert again == record


class Version2:
    """The fake course after its catalogue learnt that 3·x is a "sum instead of mean"."""

    PROBE_MARKER = fake.PROBE_MARKER
    course_exercises = staticmethod(fake.course_exercises)
    grading_cases = staticmethod(fake.grading_cases)
    probe_cell = staticmethod(fake.probe_cell)

    @staticmethod
    def judge(number: str, case: list[int], probe: dict[str, Any]) -> Outcome:
        expected = [fake.FUNCTIONS[number][1](x) for x in case]
        if probe.get("data") == [3 * x for x in case] and expected != probe.get("data"):
            return Outcome(number, "wrong", "sum-not-mean", "three times too large")
        return fake.judge(number, case, probe)

    @staticmethod
    def catalogue_version() -> str:
        return "fake-2"


def test_rejudge_applies_a_changed_catalogue_without_a_kernel() -> None:
    record = _record("ann", double=triple)
    again = rejudge(record, Version2, None, "fake-2")
    assert _results(again)["9.1"] == ("wrong", "sum-not-mean", None)
    assert again.exercises[0].mistake_name == "sum instead of mean"
    assert again.catalogue == "fake-2"
    assert _results(record)["9.1"] == ("wrong", None, None)  # the record itself is unchanged


def test_a_class_is_rejudged_in_processes_alike() -> None:
    records = [
        _record(f"s{index}", double=triple if index % 2 else fake.FUNCTIONS["9.1"][1])
        for index in range(6)
    ]
    alone = [rejudge(record, fake, None, "v") for record in records]
    assert rejudge_all(records, fake, None, "v", jobs=2) == alone
    assert [r.exercises[0].result for r in alone] == ["passed", "wrong"] * 3


def test_a_teacher_named_group_is_applied_by_its_answer_to_the_common_case() -> None:
    group = answer_id({"data": [3, 6, 9]})
    mistake = NamedMistake("9.1", group, "tripled", "multiplied by 3, not 2", "read the task")
    record = _record("ann", double=triple, named={("9.1", group): mistake})
    grade = record.exercises[0]
    assert (grade.result, grade.mistake, grade.mistake_name) == (
        "wrong",
        f"teacher:9.1:{group}",
        "tripled",
    )
    assert grade.explanation == "multiplied by 3, not 2"
    assert grade.feedback.splitlines()[1:] == [
        "  mistake:  tripled — multiplied by 3, not 2",
        "  hint:     read the task",
    ]
    # another wrong answer, and a catalogued mistake, keep their own names
    other = _record("bob", double=lambda x: 4 * x, named={("9.1", group): mistake})
    assert _results(other)["9.1"] == ("wrong", None, None)
    sign = _record("cy", double=lambda x: -2 * x, named={("9.1", group): mistake})
    assert _results(sign)["9.1"] == ("wrong", "sign-error", None)


def test_a_failure_that_follows_from_an_earlier_exercise() -> None:
    uses = {"9.2": ["9.1"]}

    def stub(x: int) -> int:
        raise NotImplementedError

    followed = _record("ann", double=triple, square=lambda x: 5 * x, uses=uses)
    assert _results(followed)["9.2"] == ("wrong", None, "9.1")
    not_done = _record("bob", double=stub, square=stub, uses=uses)
    assert _results(not_done) == {"9.1": ("not done", None, None), "9.2": ("not done", None, "9.1")}
    own = _record("cy", double=triple, square=lambda x: -x * x, uses=uses)
    assert _results(own)["9.2"] == ("wrong", "sign-error", None)  # a mistake of its own
    alone = _record("dee", double=triple, square=lambda x: 5 * x)  # 9.2 does not call 9.1
    assert _results(alone)["9.2"] == ("wrong", None, None)
    later = _record("eve", double=lambda x: 5 * x, uses={"9.1": ["9.2"]}, square=triple)
    assert _results(later)["9.1"] == ("wrong", None, None)  # only an earlier one is a cause


def _class_folder(folder: Path, records: list[NotebookGrade]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(record.to_json() + "\n" for record in records)
    (folder / "results.jsonl").write_text(lines, encoding="ascii")
    return folder


def test_grade_rejudge_a_class_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [_record("ann"), _record("bob", double=triple), _record("cy", double=triple)]
    folder = _class_folder(tmp_path / "out", records)
    assert cli.main(["--rejudge", str(folder)], course=Version2) == 0
    assert (
        capsys.readouterr().out == "re-judged 3 records with catalogue fake-2: 2 verdicts changed\n"
    )
    assert (folder / "grades.csv").read_text().splitlines()[1:] == [
        "ann,graded,1,1,2,2,90_fake,class/ann.ipynb",
        "bob,graded,0,1,1,2,90_fake,class/bob.ipynb",
        "cy,graded,0,1,1,2,90_fake,class/cy.ipynb",
    ]
    report = (folder / "report.md").read_text()
    assert "- **sum instead of mean** × 2: the result is n times too large" in report
    assert report.split("**sum instead of mean** × 2: ")[1].split("\n")[0].endswith(" — bob, cy")
    assert "Judged with the catalogue `fake-2`." in report
    kept = [NotebookGrade.from_json(line) for line in (folder / "results.jsonl").open()]
    assert len(kept) == 6  # appended: the latest line of each path is the record
    assert [r.catalogue for r in kept[3:]] == ["fake-2"] * 3


def test_the_report_groups_unexplained_answers_and_a_mistakes_file_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [_record("ann", double=triple), _record("bob", double=triple), _record("cy")]
    folder = _class_folder(tmp_path / "out", records)
    assert cli.main(["--rejudge", str(folder)], course=fake) == 0
    group = answer_id({"data": [3, 6, 9]})
    report = (folder / "report.md").read_text()
    assert (
        f"- **2 gave the same wrong answer**, answer `{group}` (to the notebook's own example: "
        "`[3, 6, 9]`) — ann, bob"
    ) in report
    (folder / "mistakes.toml").write_text(
        "# named after Monday's class\n"
        "[[mistake]]\n"
        'exercise = "9.1"\n'
        f'answer = "{group}"\n'
        'name = "tripled"\n'
        'explanation = "multiplied by 3 where the task says 2"\n'
        'hint = "read the task again"\n',
        encoding="utf-8",
    )
    capsys.readouterr()
    assert cli.main(["--rejudge", str(folder)], course=fake) == 0
    out, err = capsys.readouterr()
    assert out == "re-judged 3 records with catalogue fake-1: 2 verdicts changed\n"
    assert err == f"the teacher's named mistakes: 1 from {folder / 'mistakes.toml'}\n"
    report = (folder / "report.md").read_text()
    assert (
        "- **tripled** (named by you) × 2: multiplied by 3 where the task says 2 — ann, bob"
        in report
    )
    assert "gave the same wrong answer" not in report


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[mistake]]\nexercise = '9.1'\n", "[[mistake]] number 1: no 'answer'"),
        ("[[mistake]]\ncolour = 'red'\n", "[[mistake]] number 1: unknown key 'colour'"),
        ("[[oops]]\n", "unknown key 'oops' (write [[mistake]] tables)"),
        ("[[mistake\n", "not valid TOML"),
        (
            "[[mistake]]\nexercise='9.1'\nanswer='[3, 6, 9]'\nname='n'\nexplanation='e'\n",
            "'answer' must be the group's id as the report shows it (12 hex digits)",
        ),
        (
            "[[mistake]]\nexercise='9.1'\nanswer='0123456789ab'\nname=''\nexplanation='e'\n",
            "'name' must be a non-empty string",
        ),
        (
            "[[mistake]]\nexercise='9.1'\nanswer='0123456789ab'\nname='n'\nexplanation='e'\n" * 2,
            "[[mistake]] number 2 names exercise 9.1's answer 0123456789ab again",
        ),
    ],
)
def test_a_bad_mistakes_file_is_refused_with_where_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "mistakes.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NamedMistakesError) as error:
        load_named(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)
    folder = _class_folder(tmp_path / "out", [_record("ann")])
    assert cli.main(["--rejudge", str(folder), "--mistakes", str(path)], course=fake) == 2
    assert message in capsys.readouterr().err


def test_records_of_an_earlier_version_are_read_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = {
        "path": "class/ann/90_fake.ipynb",
        "sha256": "0" * 64,
        "student": "ann",
        "notebook": "90_fake",
        "status": "ran",
        "detail": "",
        "exercises": [
            {
                "exercise": "9.1",
                "result": "passed",
                "mistake": None,
                "mistake_name": None,
                "message": "",
                "feedback": "",
            },
            {
                "exercise": "9.2",
                "result": "wrong",
                "mistake": None,
                "mistake_name": None,
                "message": "wrong values",
                "feedback": "",
            },
        ],
        "layers": ["folder"],
        "seconds": 1.0,
        "flags": [],
    }
    failed = dict(
        old, path="x.ipynb", status="failed", detail="cannot read it: a link", exercises=[]
    )
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "results.jsonl").write_text(json.dumps(old) + "\n" + json.dumps(failed) + "\n")
    assert cli.main(["--rejudge", str(folder)], course=fake) == 1  # x.ipynb was refused
    assert "1 records were graded before answers were kept" in capsys.readouterr().err
    assert (folder / "grades.csv").read_text().splitlines()[1:] == [
        "ann,graded,1,0,1,2,90_fake,class/ann/90_fake.ipynb",
        "ann,refused,,,0,0,90_fake,x.ipynb",
    ]


def test_rejudge_needs_a_graded_folder_and_no_notebooks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--rejudge", str(tmp_path)], course=fake) == 2
    assert f"--rejudge {tmp_path}: no results.jsonl in it" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        cli.main(["--rejudge", str(tmp_path), "a.ipynb"], course=fake)
    assert stop.value.code == 2
    assert "give no notebooks with it" in capsys.readouterr().err
