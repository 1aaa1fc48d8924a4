"""What the teacher reads: the text table, ``grades.csv``, and the class report (Markdown, HTML).

Every string that comes from a student (file and folder names, messages) is escaped:
control characters in text, Markdown punctuation (or a code span) in the report, HTML in
the HTML report (rendered by markdown-it-py with raw HTML off), CSV quoting and a quote
before a formula's first character in the grade book.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from .._support import files
from ..exercises.mistakes import CATALOGUE
from .named import answer_id, shown_answer
from .records import RESULTS, STATUSES, ExerciseGrade, NotebookGrade

__all__ = ["class_report", "escape", "grades_csv", "table", "write_atomically"]


def escape(text: str) -> str:
    r"""``text`` with control, format and line-separator characters shown as escapes.

    >>> escape("a\nb\x1b[2J\u202ec")
    'a\\nb\\x1b[2J\\u202ec'
    """
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def _reason(grade: ExerciseGrade) -> str:
    reason = grade.message
    if grade.mistake_name:
        reason = f"{grade.mistake_name}: {grade.message}"
    if grade.follows_from:
        reason = f"follows from {grade.follows_from}: {reason}"
    return reason


def table(record: NotebookGrade) -> str:
    """The grade table of one submission, every student-controlled string escaped."""
    head = f"{escape(record.path)}  [{escape(record.student)}]"
    if not record.exercises and record.status != "graded":
        return f"{head}: {record.status.upper()} — {escape(record.detail)}"
    total = f"{record.passed} of {record.maximum or len(record.exercises)} passed"
    lines = [f"{head}  {record.notebook}  ({total})"]
    if record.status != "graded":
        lines[0] += f"  {record.status.upper()} — {escape(record.detail)}"
    lines += [f"  note: {escape(note)}" for note in record.notes]
    width = max([9, *(len(grade.result) for grade in record.exercises)])
    lines.append(f"  {'exercise':<9} {'result':<{width}} mistake / reason")
    for grade in record.exercises:
        reason = escape(_reason(grade))
        lines.append(f"  {grade.exercise:<9} {grade.result:<{width}} {reason}".rstrip())
    if record.flags:
        touched = ", ".join(escape(flag) for flag in record.flags)
        lines.append(f"  read it: its code reaches into the grader ({touched})")
    return "\n".join(lines)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (``files.write_atomically``)."""
    files.write_atomically(path, text.encode("utf-8"))


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in number.split("."))


def _order(numbers: set[str]) -> list[str]:
    return sorted(numbers, key=_key)


def grades_csv(records: list[NotebookGrade]) -> str:
    """One row per submission, never a merge: its student and status, one column per
    exercise (1 passed, 0 otherwise, empty when not graded), the total, the assignment's
    maximum, the course notebook and the submission's path.

    >>> print(grades_csv([NotebookGrade("a/x.ipynb", "", "alice", "02", "hung", maximum=5)]))
    student,status,total,max,notebook,submission
    alice,hung,0,5,02,a/x.ipynb
    <BLANKLINE>
    """
    numbers = _order({g.exercise for r in records for g in r.exercises})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "status", *numbers, "total", "max", "notebook", "submission"])
    for record in sorted(records, key=_by_student):
        row = {grade.exercise: int(grade.result == "passed") for grade in record.exercises}
        cells = [str(row[n]) if n in row else "" for n in numbers]
        writer.writerow(
            [
                _csv_safe(record.student),
                record.status,
                *cells,
                sum(row.values()),
                record.maximum or len(row),
                record.notebook,
                _csv_safe(record.path),
            ]
        )
    return out.getvalue()


def _by_student(record: NotebookGrade) -> tuple[str, str, str]:
    """Students in alphabetical order, whatever their case."""
    return (record.student.casefold(), record.student, record.path)


def _csv_safe(text: str) -> str:
    """No formula injection in a spreadsheet: a leading = + - @ is quoted with '."""
    text = escape(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---------------------------------------------------------------------- the class report
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")
"""What Markdown reads as markup in the middle of a line (a student's name is never first)."""


def _md(text: str) -> str:
    """Student text as literal Markdown: control characters escaped, punctuation too.

    >>> _md("*a_b* <i>")
    '\\\\*a\\\\_b\\\\* \\\\<i\\\\>'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escape(text))


def _code(text: str) -> str:
    """``text`` escaped as a Markdown code span that no backtick in it can close.

    >>> _code("a`b <img src=x>")
    '`` a`b <img src=x> ``'
    """
    text = escape(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"`{text}`"


def _names(records: list[NotebookGrade]) -> str:
    return ", ".join(_md(record.student) for record in records)


def _summary(records: list[NotebookGrade]) -> list[str]:
    counts = Counter(record.status for record in records)
    shown = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    lines = [f"{len(records)} submissions: {shown or 'none'}.", ""]
    versions = Counter(r.catalogue for r in records if r.exercises)
    if len(versions) > 1 or "" in versions:
        kinds = ", ".join(f"{_code(v or 'unknown')} ({n})" for v, n in sorted(versions.items()))
        lines += [
            f"Judged with several catalogue versions: {kinds}. `grade --rejudge DIR` judges "
            "them all again with the installed one (records graded before answers were kept "
            "need `--regrade all`).",
            "",
        ]
    elif versions:
        lines += [f"Judged with the catalogue {_code(next(iter(versions)))}.", ""]
    return lines


def _results_table(records: list[NotebookGrade]) -> list[str]:
    results: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        for grade in record.exercises:
            results[grade.exercise][grade.result] += 1
    lines = ["## Results per exercise", ""]
    lines.append("| exercise | " + " | ".join(RESULTS) + " |")
    lines.append("|---|" + "---:|" * len(RESULTS))
    for number in _order(set(results)):
        counts = results[number]
        lines.append(f"| {number} | " + " | ".join(str(counts[r]) for r in RESULTS) + " |")
    return [*lines, ""]


Wrong = list[tuple[NotebookGrade, ExerciseGrade]]


def _wrong_by_exercise(records: list[NotebookGrade]) -> dict[str, Wrong]:
    wrong: dict[str, Wrong] = defaultdict(list)
    for record in sorted(records, key=_by_student):
        for grade in record.exercises:
            if grade.result == "wrong" or grade.follows_from:
                wrong[grade.exercise].append((record, grade))
    return wrong


def _named_lines(wrong: Wrong) -> list[str]:
    """Each named mistake (the catalogue's or the teacher's), its count and who made it."""
    by_code: dict[str, Wrong] = defaultdict(list)
    for record, grade in wrong:
        if grade.mistake and not grade.follows_from:
            by_code[grade.mistake].append((record, grade))
    lines = []
    for code, made in sorted(by_code.items(), key=lambda item: -len(item[1])):
        grade = made[0][1]
        name = grade.mistake_name or (CATALOGUE[code].name if code in CATALOGUE else code)
        why = grade.explanation or (CATALOGUE[code].explanation if code in CATALOGUE else "")
        yours = " (named by you)" if code.startswith("teacher:") else ""
        who = _names([record for record, _ in made])
        lines.append(f"- **{_md(name)}**{yours} × {len(made)}: {_md(why)} — {who}")
    return lines


def _unexplained_lines(wrong: Wrong) -> list[str]:
    """Wrong answers no named mistake explains, grouped by their answer to the common case."""
    groups: dict[str, Wrong] = defaultdict(list)
    alone: Wrong = []
    for record, grade in wrong:
        if grade.result != "wrong" or grade.mistake or grade.follows_from:
            continue
        if grade.common is None:
            alone.append((record, grade))
        else:
            groups[answer_id(grade.common)].append((record, grade))
    lines = []
    for key, same in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        if len(same) == 1:
            alone += same
            continue
        answer = _code(shown_answer(same[0][1].common))
        lines.append(
            f"- **{len(same)} gave the same wrong answer**, answer `{key}` (to the notebook's "
            f"own example: {answer}) — {_names([record for record, _ in same])}"
        )
    if alone:
        who = ", ".join(
            f"{_md(record.student)} (`{answer_id(grade.common)}`)"
            if grade.common is not None
            else _md(record.student)
            for record, grade in alone
        )
        lines.append(f"- wrong, no named mistake × {len(alone)}: {who}")
    return lines


def _follows_lines(wrong: Wrong) -> list[str]:
    by_cause: dict[str, Wrong] = defaultdict(list)
    for record, grade in wrong:
        if grade.follows_from:
            by_cause[grade.follows_from].append((record, grade))
    return [
        f"- follows from {cause} × {len(made)} (not counted again): "
        + _names([record for record, _ in made])
        for cause, made in sorted(by_cause.items(), key=lambda item: _key(item[0]))
    ]


def _reteach(records: list[NotebookGrade]) -> list[str]:
    lines = ["## What to re-teach: the mistakes made", ""]
    grouped = False
    for number, wrong in sorted(_wrong_by_exercise(records).items(), key=lambda i: _key(i[0])):
        unexplained = _unexplained_lines(wrong)
        grouped = grouped or any("gave the same" in line for line in unexplained)
        lines += [f"### Exercise {number}", ""]
        lines += _named_lines(wrong) + unexplained + _follows_lines(wrong) + [""]
    if grouped:
        lines += [
            "A group of the same wrong answer can be named: add a `[[mistake]]` with its "
            "`exercise`, its `answer` id, a `name`, an `explanation` and a `hint` to "
            "`mistakes.toml` in this folder, then run `grade --rejudge` on it.",
            "",
        ]
    return lines


def _identical(records: list[NotebookGrade]) -> list[str]:
    groups: dict[str, list[NotebookGrade]] = defaultdict(list)
    for record in records:
        if record.sha256:
            groups[record.sha256].append(record)
    same = [group for group in groups.values() if len(group) > 1]
    if not same:
        return []
    lines = ["## Byte-identical submissions", ""]
    for group in sorted(same, key=lambda g: (-len(g), _by_student(g[0]))):
        first = group[0]
        score = f"{first.passed} of {first.maximum or len(first.exercises)} passed"
        blank = " (nothing passed: the handout as given?)" if not first.passed else ""
        lines.append(f"- {_names(group)}: `{first.sha256[:12]}`, {score}{blank}")
    return [*lines, ""]


def _listed(title: str, entries: list[str]) -> list[str]:
    return [f"## {title}", "", *entries, ""] if entries else []


def class_report(records: list[NotebookGrade], markdown: bool = True) -> str:
    """The class report: per exercise the results, the mistakes to re-teach and who made
    them, groups of the same unexplained wrong answer, identical submissions, and the
    submissions a teacher should look at."""
    ordered = sorted(records, key=_by_student)
    lines = ["# Class report", "", *_summary(ordered), *_layers_lines(ordered)]
    lines += _results_table(ordered) + _reteach(ordered) + _identical(ordered)
    lines += _listed(
        "Submissions that name another notebook (graded as the class's)",
        [
            f"- {_md(r.student)} ({_code(r.path)}): {_md('; '.join(r.notes))}"
            for r in ordered
            if r.notes
        ],
    )
    lines += _listed(
        "Submissions to read: their code reaches into the grader",
        [f"- {_code(r.path)}: {_code(', '.join(r.flags))}" for r in ordered if r.flags],
    )
    lines += _listed(
        "Submissions not graded to the end",
        [
            f"- {_code(r.path)}: {r.status}" + (f" — {_code(r.detail)}" if r.detail else "")
            for r in ordered
            if r.status != "graded"
        ],
    )
    text = "\n".join(lines)
    return text if markdown else _html(text)


def _layers_lines(records: list[NotebookGrade]) -> list[str]:
    """The sandbox's layers that ran and, apart, its weaknesses: each "(n of the runs)"."""
    layers = Counter(layer for record in records for layer in record.layers)
    weak = Counter(weakness for record in records for weakness in record.weaknesses)
    ran = sum(1 for record in records if record.layers or record.weaknesses)
    lines = []
    for title, counts, joint in (
        ("Sandbox layers that ran", layers, ", "),
        ("Sandbox weaknesses (layers that could not run)", weak, "; "),
    ):
        if counts:
            named = joint.join(f"{name} ({n} of {ran})" for name, n in sorted(counts.items()))
            lines += [f"{title}: {_md(named)}.", ""]
    return lines


def _html(markdown: str) -> str:
    """A self-contained HTML page of the report: CommonMark with tables, raw HTML off."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    body = renderer.render(markdown)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Class report</title><style>body{font-family:sans-serif;max-width:54em;"
        "margin:auto;padding:0 1em}td,th{padding:0 .6em}code{background:#f3f3f3}"
        "</style></head><body>\n"
        f"{body}</body></html>\n"
    )
