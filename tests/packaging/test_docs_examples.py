"""The code in README.md and docs/**/*.md prints what it shows.

The convention (for anyone writing the docs):

* In a fenced ```` ```python ```` block, a line ``print(...)  # OUTPUT`` claims
  that this ``print`` writes ``OUTPUT``. Everything in the comment up to two
  spaces is the claimed output; what follows two or more spaces is a remark:
  ``print(x.grad)  # -1.5   (dL/dx)`` claims ``-1.5``. Every such line is
  checked: write a ``print`` with a trailing comment only to show its output.
  (A comment on any other line is a remark and is not checked.)
* A ```` ```text ```` block that follows a ```` ```python ```` block with only
  blank lines between them is that block's whole standard output.
* A block that claims output must run on its own, in a fresh namespace (in an
  empty working folder), within a few seconds; a block that claims nothing is
  not run.

Each checked block is one test, named by its file and first line.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)\s*$")
CLAIM = re.compile(r"^\s*print\(.*\)\s+#\s?(?P<comment>.*)$")


@dataclass
class Block:
    """A ```python block: its source, where it is, and the output it claims."""

    path: str
    line: int
    source: str
    claims: dict[int, str] = field(default_factory=dict)
    """Claimed output by line of the block (1-based), from ``print(...)  # OUTPUT``."""
    stdout: str | None = None
    """The whole output, from a ```text block right after it."""

    @property
    def name(self) -> str:
        return f"{self.path}:{self.line}"


def fenced_blocks(text: str) -> list[tuple[int, str, str, int]]:
    """(first line of the body, language, dedented body, line after the closing fence)."""
    lines = text.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match or not match["lang"]:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = textwrap.dedent("\n".join(lines[i + 1 : end]))
        blocks.append((i + 2, match["lang"], body, end + 2))
        i = end + 1
    return blocks


def claimed_output(comment: str) -> str:
    """The claimed output of a ``print(...)  # comment``: up to the first two spaces."""
    return re.split(r"\s{2,}", comment.strip(), maxsplit=1)[0]


def python_blocks(text: str, path: str) -> list[Block]:
    """The ```python blocks of a Markdown text with their claims."""
    found = fenced_blocks(text)
    result = []
    lines = text.splitlines()
    for index, (line, lang, body, after) in enumerate(found):
        if lang != "python":
            continue
        block = Block(path, line, body)
        for number, source_line in enumerate(body.splitlines(), start=1):
            match = CLAIM.match(source_line)
            if match:
                block.claims[number] = claimed_output(match["comment"])
        following = found[index + 1] if index + 1 < len(found) else None
        if (
            following is not None
            and following[1] == "text"
            and all(not lines[k].strip() for k in range(after - 1, following[0] - 2))
        ):
            block.stdout = following[2]
        result.append(block)
    return result


def checked_blocks() -> list[Block]:
    """Every block of README.md and docs/**/*.md that claims some output."""
    paths = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    blocks = []
    for path in paths:
        if path.is_file():
            relative = str(path.relative_to(ROOT))
            text = path.read_text(encoding="utf-8")
            blocks += [b for b in python_blocks(text, relative) if b.claims or b.stdout is not None]
    return blocks


def run(block: Block) -> tuple[dict[int, str], str]:
    """Run a block alone; the output of the prints of each line, and the whole output."""
    filename = f"<{block.name}>"
    by_line: dict[int, list[str]] = {}
    real_print = builtins.print

    def recording_print(*args: Any, **kwargs: Any) -> None:
        target = kwargs.get("file")
        if target is None or target is sys.stdout:
            caller = sys._getframe(1)
            while caller is not None and caller.f_code.co_filename != filename:
                caller = caller.f_back  # type: ignore[assignment]
            text = io.StringIO()
            real_print(*args, **{**kwargs, "file": text})
            if caller is not None:
                by_line.setdefault(caller.f_lineno, []).append(text.getvalue())
        real_print(*args, **kwargs)

    stdout = io.StringIO()
    namespace: dict[str, Any] = {"__name__": "__docs_example__", "print": recording_print}
    with contextlib.redirect_stdout(stdout):
        exec(compile(block.source, filename, "exec"), namespace)
    printed = {line: "".join(parts).rstrip("\n") for line, parts in by_line.items()}
    return printed, stdout.getvalue()


def mismatches(block: Block) -> list[str]:
    """What the block shows and does not print, one line each (empty when it is right)."""
    printed, stdout = run(block)
    problems = []
    source = block.source.splitlines()
    for number, expected in block.claims.items():
        got = printed.get(number)
        if got != expected:
            problems.append(
                f"{block.path}:{block.line + number - 1}: `{source[number - 1].strip()}` shows "
                f"{expected!r} but prints {got!r}"
            )
    if block.stdout is not None:
        shown = [line.rstrip() for line in block.stdout.strip("\n").splitlines()]
        got_lines = [line.rstrip() for line in stdout.strip("\n").splitlines()]
        if shown != got_lines:
            problems.append(
                f"{block.name}: the text block after it shows {shown!r} but it prints {got_lines!r}"
            )
    return problems


BLOCKS = checked_blocks()


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_a_docs_example_prints_what_it_shows(
    block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # an example that writes files writes them here
    assert mismatches(block) == []


def test_the_readme_has_checked_examples() -> None:
    assert any(block.path == "README.md" for block in BLOCKS)


# ----------------------------------------------------------------------
# The convention itself, on made-up pages
# ----------------------------------------------------------------------
PAGE = """\
Some text.

```python
x = 0.1 + 0.2
print(round(x, 2))  # 0.3   (rounded)
print(x)            # 0.3
y = x  # a remark, not checked
```

```python
for i in range(2):
    print(i)
```

```text
0
1
```

```python
print("far")
```

Prose between.

```text
not its output
```

```bash
echo "not python"  # no
```
"""


def test_claims_and_output_blocks_are_found() -> None:
    blocks = python_blocks(PAGE, "page.md")
    assert [(b.line, b.claims, b.stdout) for b in blocks] == [
        (4, {2: "0.3", 3: "0.3"}, None),
        (11, {}, "0\n1"),
        (21, {}, None),  # a text block after prose is not its output
    ]


def test_a_wrong_claim_is_reported_with_its_line_and_what_was_printed() -> None:
    first, loop, _ = python_blocks(PAGE, "page.md")
    assert mismatches(first) == [
        "page.md:6: `print(x)            # 0.3` shows '0.3' but prints '0.30000000000000004'"
    ]
    assert mismatches(loop) == []
    loop.stdout = "0\n2"
    assert mismatches(loop) == [
        "page.md:11: the text block after it shows ['0', '2'] but it prints ['0', '1']"
    ]


def test_a_print_that_prints_nothing_on_its_line_is_a_mismatch() -> None:
    (block,) = python_blocks("```python\nif False:\n    print(1)  # 1\n```\n", "p.md")
    assert mismatches(block) == ["p.md:3: `print(1)  # 1` shows '1' but prints None"]
