"""Exercise 2.6's own entries of the catalogue of mistakes (build your own ``Value``).

:mod:`~micrograd_edu.exercises.mistakes` joins them into the one
:data:`~micrograd_edu.exercises.mistakes.CATALOGUE`; they are kept here, as plain
data (no imports), so that each module stays small. Each entry gives the fields
of a :class:`~micrograd_edu.exercises.mistakes.Mistake`: the rule in words
(``explanation``, the second attempt) and, apart, the ``formula`` (the third).
2.6 also names mistakes it shares with other exercises (= instead of +=, no
seed, wrong order, 1 − tanh, the derivative from the input, a product's
derivative taken as its own factor, the library's own version called).

>>> [entry["code"] for entry in VALUE_CLASS_MISTAKES][:2]
['number-not-wrapped', 'missing-reflected-op']
"""

from __future__ import annotations

__all__ = ["VALUE_CLASS_MISTAKES"]

VALUE_CLASS_MISTAKES: tuple[dict[str, str], ...] = (
    {
        "code": "number-not-wrapped",
        "name": "a number not wrapped in a Value",
        "explanation": "your operator received a plain number, which has no data, no grad and "
        "no children: turn a number into a node of your class (a leaf) before computing with it",
        "formula": "a + 1 computes a + MyValue(1);  a * 2 computes a * MyValue(2)",
    },
    {
        "code": "missing-reflected-op",
        "name": "no reflected operator for a number on the left",
        "explanation": "with a plain number on the left, Python first asks the number, which "
        "does not know your class, then asks the node on the right for its reflected method: "
        "your class must define one for each operator",
        "formula": "2 * a calls a.__rmul__(2);  1 + a calls a.__radd__(1)",
    },
    {
        "code": "reused-operand-lost",
        "name": "a node used twice by one operation counted once",
        "explanation": "when the same node is both operands of one operation, each operand "
        "passes back its own share and both shares must arrive: a set of children, or a dict "
        "keyed by node, keeps the node once and loses a share",
        "formula": "d(a + a)/da = 1 + 1 = 2;  d(a·a)/da = a + a = 2a",
    },
    {
        "code": "closure-wrong-grad",
        "name": "the closure used the wrong node's grad",
        "explanation": "no gradient reached below the output: each local derivative is "
        "multiplied by the gradient of the node the operation returned, not by the child's own "
        "gradient (still 0 when the closure runs), and each operation keeps its closure on the "
        "node it returns",
        "formula": "child.grad += local_grad × out.grad",
    },
    {
        "code": "topological-no-visited",
        "name": "topological sort without a visited set",
        "explanation": "a node reached along several paths was put in the order once per path, "
        "so it passed its gradient on more than once (and the order grows exponentially with "
        "reuse): remember the nodes already visited, and list each node once",
        "formula": "len(order) == len(set(order))",
    },
    {
        "code": "recursion-depth",
        "name": "recursion too deep",
        "explanation": "a recursive sort nests one call per node along the longest path, and "
        "Python stops at about 1,000 nested calls: a deep graph needs a loop over a stack (a "
        "list you append to and pop from) instead",
        "formula": "nested calls = the longest path's length > sys.getrecursionlimit() = 1,000",
    },
)
"""2.6's mistakes, as the fields of :class:`~micrograd_edu.exercises.mistakes.Mistake`."""
