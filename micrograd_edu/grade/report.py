"""What the teacher reads: the text table, ``grades.csv``, and the class report (Markdown, HTML).

Every string that comes from a student (file and folder names, messages) is escaped:
control characters in text, HTML in the HTML report, CSV quoting in the grade book.
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path

from .._support import files
from ..exercises.mistakes import CATALOGUE
from .records import RESULTS, NotebookGrade

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


def table(record: NotebookGrade) -> str:
    """The grade table of one submission, every student-controlled string escaped."""
    head = f"{escape(record.path)}  [{escape(record.student)}]"
    if record.status == "failed":
        return f"{head}: FAILED — {escape(record.detail)}"
    total = f"{record.passed} of {len(record.exercises)} passed"
    lines = [f"{head}  {record.notebook}  ({total})"]
    if record.status != "ran":
        lines[0] += f"  {record.status.upper()} — {escape(record.detail)}"
    lines.append(f"  {'exercise':<9} {'result':<9} mistake / reason")
    for grade in record.exercises:
        reason = grade.message
        if grade.mistake_name:
            reason = f"{grade.mistake_name}: {grade.message}"
        lines.append(f"  {grade.exercise:<9} {grade.result:<9} {escape(reason)}".rstrip())
    if record.flags:
        touched = ", ".join(escape(flag) for flag in record.flags)
        lines.append(f"  read it: its code reaches into the grader ({touched})")
    return "\n".join(lines)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (``files.write_atomically``)."""
    files.write_atomically(path, text.encode("utf-8"))


def _order(numbers: set[str]) -> list[str]:
    return sorted(numbers, key=lambda n: tuple(int(p) if p.isdigit() else 0 for p in n.split(".")))


def grades_csv(records: list[NotebookGrade]) -> str:
    """One row per student, one column per exercise (1 passed, 0 otherwise), and the total."""
    numbers = _order({g.exercise for r in records for g in r.exercises})
    by_student: dict[str, dict[str, int]] = {}
    for record in records:
        row = by_student.setdefault(record.student, {})
        for grade in record.exercises:
            row[grade.exercise] = int(grade.result == "passed")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *numbers, "total", "max"])
    for student in sorted(by_student):
        row = by_student[student]
        cells = [str(row[n]) if n in row else "" for n in numbers]
        writer.writerow([_csv_safe(student), *cells, sum(row.values()), len(row)])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """No formula injection in a spreadsheet: a leading = + - @ is quoted with '."""
    text = escape(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _counts(
    records: list[NotebookGrade],
) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]]]:
    results: dict[str, Counter[str]] = {}
    mistakes: dict[str, Counter[str]] = {}
    for record in records:
        for grade in record.exercises:
            results.setdefault(grade.exercise, Counter())[grade.result] += 1
            if grade.result == "wrong":
                mistakes.setdefault(grade.exercise, Counter())[grade.mistake or ""] += 1
    return results, mistakes


def class_report(records: list[NotebookGrade], markdown: bool = True) -> str:
    """The class report: per exercise the results, and the named mistakes to re-teach."""
    results, mistakes = _counts(records)
    lines = ["# Class report", "", f"{len(records)} submissions graded.", ""]
    lines += _layers_lines(records)
    lines += ["## Results per exercise", ""]
    lines.append("| exercise | " + " | ".join(RESULTS) + " |")
    lines.append("|---|" + "---:|" * len(RESULTS))
    for number in _order(set(results)):
        counts = results[number]
        lines.append(f"| {number} | " + " | ".join(str(counts[r]) for r in RESULTS) + " |")
    lines += ["", "## What to re-teach: the mistakes made", ""]
    for number in _order(set(mistakes)):
        lines.append(f"### Exercise {number}")
        lines.append("")
        for code, count in mistakes[number].most_common():
            if code in CATALOGUE:
                mistake = CATALOGUE[code]
                lines.append(f"- **{mistake.name}** × {count}: {mistake.explanation}")
            else:
                lines.append(f"- wrong, no named mistake × {count}")
        lines.append("")
    flagged = [r for r in records if r.flags]
    if flagged:
        lines += ["## Submissions to read: their code reaches into the grader", ""]
        lines += [f"- {_code(r.path)}: {_code(', '.join(r.flags))}" for r in flagged]
        lines.append("")
    failed = [r for r in records if r.status != "ran"]
    if failed:
        lines += ["## Submissions that did not run to the end", ""]
        lines += [f"- {_code(r.path)}: {r.status} — {_code(r.detail)}" for r in failed]
        lines.append("")
    text = "\n".join(lines)
    return text if markdown else _html(text)


def _code(text: str) -> str:
    """``text`` escaped as a Markdown code span that no backtick in it can close.

    >>> _code("a`b <img src=x>")
    '`` a`b <img src=x> ``'
    """
    text = escape(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"`{text}`"


def _layers_lines(records: list[NotebookGrade]) -> list[str]:
    layers = Counter(layer for record in records for layer in record.layers)
    ran = sum(1 for record in records if record.layers)
    if not ran:
        return []
    shown = ", ".join(f"{name} ({count} of {ran})" for name, count in sorted(layers.items()))
    lines = [f"Sandbox layers that ran: {shown}.", ""]
    weak = Counter(weakness for record in records for weakness in record.weaknesses)
    if weak:
        named = "; ".join(f"{name} ({count} of {ran})" for name, count in sorted(weak.items()))
        lines += [f"Sandbox weaknesses (layers that could not run): {named}.", ""]
    return lines


def _html(markdown: str) -> str:
    """A small, self-contained HTML page of the report (every piece of text escaped)."""
    body: list[str] = []
    in_table = False
    for line in markdown.splitlines():
        if line.startswith("|---"):
            continue
        if line.startswith("| ") != in_table:
            in_table = not in_table
            body.append("<table>" if in_table else "</table>")
        if in_table:
            cells = [html.escape(cell.strip()) for cell in line.strip("|").split("|")]
            tag = "th" if cells[0] == "exercise" else "td"
            body.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line.lstrip('# '))}</h{level}>")
        elif line.startswith("- "):
            body.append(f"<p>• {html.escape(line[2:].replace('**', ''))}</p>")
        elif line:
            body.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        body.append("</table>")
    rows = "\n".join(body)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Class report</title><style>body{font-family:sans-serif;max-width:50em;"
        "margin:auto}td,th{padding:0 .6em;text-align:right}</style></head><body>\n"
        f"{rows}\n</body></html>\n"
    )
