"""The grader's flag: code in a submission that reaches into the grader, for a human to read.

Code in the kernel can patch the probe (switch the "write it yourself" guard off, rewrite the
probe cell with an IPython input transformer, patch the grader's functions): no verdict can
tell. So the grader searches the notebook's code cells for what an intro notebook has no
reason to use and flags the notebook, never failing it (:func:`touches_the_grader`). The
code is read as Python reads identifiers too (NFKC-normalised: ``ｅｘｅｃ`` is ``exec``).

The search is linear in the notebook's size: every regular expression starts with a literal
(or a look-behind, then a literal) and what follows it is bounded, and the calls of
``getattr``, ``setattr`` and ``delattr`` are judged in one pass over the cell's tokens.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
import unicodedata

__all__ = ["TOUCHES", "touches_the_grader"]

# What an intro notebook has no reason to touch; a probe can be patched only through them.
# Each pattern starts with a literal (or a look-behind, then a literal), and what follows it
# is bounded or stops at the next character of another kind: the search of a 50 MB notebook
# stays linear. The text searched is NFKC-normalised first, as Python reads identifiers
# ("ｅｘｅｃ" is exec).
_INTERNALS = (
    r"(?:switch|copies|probing|core|grading|registry|graphs|compare|op_table|nb\d\d"
    r"|backward_pass|training_loop|value_class|value_mistakes|code_errors|jupyter)\b"
)
TOUCHES = tuple(
    re.compile(pattern)
    for pattern in (
        r"exercises\s*\.\s*" + _INTERNALS,
        r"exercises\s+import\s+\(?\s*(?:\w+(?:\s+as\s+\w+)?\s*,\s*){0,9}" + _INTERNALS,
        r"switched_off|probe_all|probe_one|run_probe|PROBE_MARKER|_micrograd_edu_probe",
        r"sys\s*\.\s*(?:modules|std(?:out|err)\s*=)",
        r"(?:set|get)(?:trace|profile)\b|addaudithook|sys\s*\.\s*monitoring|use_tool_id",
        r"(?:import\s+sys\s+as|from\s+sys\s+import)\b",
        r"_getframe|currentframe|\bf_(?:back|locals|globals|builtins|code)\b|\b(?:tb|gi|cr)_frame\b",
        r"__(?:code|dict|globals|closure|defaults|import|getattribute|setattr|subclasses)__",
        r"builtins\b|ctypes\b|importlib\b|/proc/",
        r"gc\s*\.\s*get_refer|vars\s*\(",
        r"(?<![\w.])(?:exec|eval|compile)\b(?:\s*\()?",
        r"(?<![\w.])(?:get|set|del)attr\b(?!\s*\()|attrgetter|methodcaller",
        r"input_transformers_(?:cleanup|post)|input_transformer_manager|ast_transformers",
        r"events\s*\.\s*register|get_ipython|InteractiveShell|register_magic",
        r"FunctionType|LambdaType|CodeType",
        r"getsource|getsourcelines|getfile|findsource|get_source|linecache|__file__",
        r"b(?:16|32|64|85)decode|a85decode|decodebytes|codecs\b|binascii|fromhex|rot.?13",
        r"marshal\b|zlib\b|pickle\s*\.\s*loads?\b",
        r"subprocess|multiprocessing|_posixsubprocess|pty\s*\.\s*(?:fork|spawn)",
        r"os\s*\.\s*(?:system|popen|fork|exec\w*|spawn\w*|posix_spawn\w*)\b",
        r"threading|_thread\b|concurrent\s*\.\s*futures",
        r"runpy|doctest|cProfile|\bpdb\b|runsource|runcode|InteractiveInterpreter|InteractiveConsole",
        r"timeit\s*\.|timeit\s+import|(?<![\w.])Timer\s*\(|compile_command",
    )
)
_BY_NAME = ("getattr", "setattr", "delattr")
_BY_NAME_CALL = re.compile(r"(?<![\w.])(?:get|set|del)attr\s*\(")


def touches_the_grader(content: bytes) -> list[str]:
    """What in the submission's code cells reaches into the grader (sorted, each once).

    Code in the kernel can patch the probe (say, switch the "write it yourself" guard off):
    no verdict can tell, so such a notebook is flagged for a human to read, never failed.
    The code is also read as Python reads identifiers (NFKC-normalised): what matches only
    in that form is marked "(in look-alike letters)".

    >>> touches_the_grader(b'{"cells": [{"cell_type": "code", "source": "import ctypes"}]}')
    ['ctypes']
    >>> touches_the_grader('{"cells": [{"cell_type": "code", "source": "ｅｘｅｃ(s)"}]}'.encode())
    ['exec( (in look-alike letters)']
    """
    try:
        cells = json.loads(content).get("cells", [])
        sources = [cell.get("source", "") for cell in cells if cell.get("cell_type") == "code"]
        texts = [s if isinstance(s, str) else "".join(map(str, s)) for s in sources]
    except (ValueError, AttributeError, TypeError, RecursionError):
        return []
    plain = _matches(texts)
    folded = [unicodedata.normalize("NFKC", text) for text in texts]
    disguised = _matches(folded) - plain if folded != texts else set()
    return sorted(plain | {f"{found} (in look-alike letters)" for found in disguised})


def _matches(texts: list[str]) -> set[str]:
    text = "\n".join(texts)
    found = {" ".join(m.group(0).split()) for pattern in TOUCHES for m in pattern.finditer(text)}
    for cell in texts:
        if _BY_NAME_CALL.search(cell):
            found |= _attributes_by_name(cell)
    return found


def _attributes_by_name(cell: str) -> set[str]:
    """``getattr(x, name)``, ``setattr`` and ``delattr`` whose name is not a string literal
    (``getattr(x, "ex" + "ec")``), found in one pass over the cell's tokens (strings and
    comments are not code; memory stays small). A cell that stops tokenizing is read up to
    there."""
    found: set[str] = set()
    opened: list[str | None] = []  # per open bracket: the attribute function it calls
    previous: tokenize.TokenInfo | None = None
    judging: tuple[str, list[tokenize.TokenInfo]] | None = None  # the tokens after its comma
    try:
        for token in tokenize.generate_tokens(io.StringIO(cell).readline):
            if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                continue
            if judging is not None:
                judging[1].append(token)
                if len(judging[1]) == 2:
                    if not _one_string(judging[1]):
                        found.add(f"{judging[0]}(…, a name built in code)")
                    judging = None
            if token.type == tokenize.OP:
                judging = _bracket(token, previous, opened) or judging
            previous = token
    except (tokenize.TokenError, SyntaxError):
        pass
    if judging is not None and not _one_string(judging[1]):
        found.add(f"{judging[0]}(…, a name built in code)")
    return found


def _bracket(
    token: tokenize.TokenInfo, previous: tokenize.TokenInfo | None, opened: list[str | None]
) -> tuple[str, list[tokenize.TokenInfo]] | None:
    """Track the brackets; at the first top-level comma of a by-name call, start judging."""
    if token.string in "([{":
        name = previous.string if previous is not None and previous.type == tokenize.NAME else ""
        opened.append(name if token.string == "(" and name in _BY_NAME else None)
    elif token.string in ")]}" and opened:
        opened.pop()
    elif token.string == "," and opened and opened[-1] is not None:
        name, opened[-1] = opened[-1], None  # only its second argument is judged
        return name, []
    return None


def _one_string(after: list[tokenize.TokenInfo]) -> bool:
    """Whether these tokens are a plain string literal and the end of the argument."""
    return (
        len(after) == 2
        and after[0].type == tokenize.STRING
        and not after[0].string.lower().startswith(("f", "rf", "fr", "bf"))
        and after[1].string in (",", ")")
    )
