"""Notebook 2: 2.1 my_grads, 2.2 local_grads, 2.3 topological_sort, 2.4 backward, 2.5 OPS."""

from __future__ import annotations

import textwrap

from . import answer

_RIGHT_GRADS = '"L": 1.0, "f": 4.0, "d": -2.0, "c": -2.0, "e": -2.0'


def _grads(**changes: str) -> str:
    """my_grads with the right numbers, some replaced (as source text)."""
    values = {
        "L": "1.0",
        "f": "4.0",
        "d": "-2.0",
        "c": "-2.0",
        "e": "-2.0",
        "a": "6.0",
        "b": "-4.0",
    }
    values.update(changes)
    return "my_grads = {" + ", ".join(f'"{k}": {v}' for k, v in values.items()) + "}\n"


def _backward(body: str) -> str:
    """``backward(root)``: the order from the notebook's topological_sort, then ``body``."""
    head = "def backward(root):\n    order = topological_sort(root)\n"
    return head + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


_OPS = """
OPS = {
    "exp": (lambda a: math.exp(a), lambda a, out: out),
    "log": (lambda a: math.log(a), lambda a, out: 1 / a),
    "tanh": (lambda a: math.tanh(a), lambda a, out: 1 - out**2),
    "sigmoid": (lambda a: 1 / (1 + math.exp(-a)), lambda a, out: out * (1 - out)),
    "div": (lambda a, b: a / b, lambda a, b, out: (1 / b, -a / b**2)),
    "pow": (lambda a, k: a**k, lambda a, k, out: k * a ** (k - 1)),
}
"""


def _ops(name: str, entry: str) -> str:
    """The right op table with one entry replaced (as source text)."""
    return _OPS + f'OPS["{name}"] = {entry}\n'


ANSWERS = [
    # ------------------------------------------------------------ 2.1 right
    answer("2.1", "numbers", "passed", _grads()),
    answer("2.1", "ints", "passed", _grads(f="4", d="-2", c="-2", e="-2", a="6", b="-4")),
    answer(
        "2.1",
        "products-written-out",
        "passed",
        _grads(f="10 + 2 * -3", c="-2.0 * 1", e="-2.0 * 1", a="-2.0 * -3", b="-2.0 * 2"),
    ),
    answer(
        "2.1",
        "read-from-backward",
        "passed",
        """
        a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
        e = a * b
        d = e + c
        L = d * f
        L.backward()
        my_grads = {"L": L.grad, "f": f.grad, "d": d.grad, "c": c.grad, "e": e.grad,
                    "a": a.grad, "b": b.grad}
        """,
    ),
    # ------------------------------------------------------------ 2.1 wrong
    answer(  # exact fractions are numbers too
        "2.1",
        "fractions",
        "passed",
        "from fractions import Fraction\n\n"
        + _grads(f="Fraction(4)", d="Fraction(-2)", c="Fraction(-4, 2)", a="Fraction(12, 2)"),
    ),
    answer("2.1", "sign-of-a", "sign-error", _grads(a="-6.0")),
    answer("2.1", "own-factor-of-a", "own-factor", _grads(a="-4.0")),
    answer("2.1", "own-factor-of-f", "own-factor", _grads(f="-2.0")),
    answer("2.1", "no-chain-at-e", "missing-chain", _grads(e="1.0", a="-3.0", b="2.0")),
    answer("2.1", "no-chain-at-c", "missing-chain", _grads(c="1.0")),
    answer("2.1", "a-made-up-b", "wrong", _grads(b="7.0")),
    answer("2.1", "dL-dL-zero", "wrong", _grads(L="0.0")),
    answer(
        "2.1",
        "none-left-raise-removed",
        "not done",
        'my_grads = {"L": 1.0, "f": 4.0, "d": None, "c": None, "e": None, "a": None, "b": None}\n',
    ),
    answer("2.1", "an-entry-missing", "wrong", "my_grads = {" + _RIGHT_GRADS + ', "a": 6.0}\n'),
    answer("2.1", "a-list", "wrong", "my_grads = [1.0, 4.0, -2.0, -2.0, -2.0, 6.0, -4.0]\n"),
    answer("2.1", "strings", "wrong", _grads(f='"4"')),
    # ------------------------------------------------------------ 2.2 right
    answer("2.2", "notebook", "passed", "def local_grads(a, b):\n    return 1 / b, -a / b**2\n"),
    answer(
        "2.2", "products", "passed", "def local_grads(a, b):\n    return 1.0 / b, -a / (b * b)\n"
    ),
    answer("2.2", "powers", "passed", "def local_grads(a, b):\n    return [b**-1, -a * b**-2]\n"),
    answer(
        "2.2",
        "quotient-again",
        "passed",
        "def local_grads(a, b):\n    return 1 / b, -(a / b) / b\n",
    ),
    # ------------------------------------------------------------ 2.2 wrong
    answer(
        "2.2",
        "missing-square",
        "division-missing-square",
        "def local_grads(a, b):\n    return 1 / b, -a / b\n",
    ),
    answer(
        "2.2",
        "missing-sign",
        "division-missing-sign",
        "def local_grads(a, b):\n    return 1 / b, a / b**2\n",
    ),
    answer(
        "2.2", "swapped", "swapped-pair", "def local_grads(a, b):\n    return -a / b**2, 1 / b\n"
    ),
    answer(
        "2.2", "both-negated", "sign-error", "def local_grads(a, b):\n    return -1 / b, a / b**2\n"
    ),
    answer("2.2", "one-number", "wrong", "def local_grads(a, b):\n    return -a / b**2\n"),
    answer("2.2", "no-return", "wrong", "def local_grads(a, b):\n    da, db = 1 / b, -a / b**2\n"),
    answer("2.2", "precedence", "wrong", "def local_grads(a, b):\n    return 1 / b, -a / b * b\n"),
    answer(
        "2.2", "floor-division", "wrong", "def local_grads(a, b):\n    return 1 // b, -a / b**2\n"
    ),
    answer(
        "2.2",
        "the-engine",
        "library-call",
        """
        def local_grads(a, b):
            va, vb = Value(a), Value(b)
            (va / vb).backward()
            return va.grad, vb.grad
        """,
    ),
    answer("2.2", "typo", "error", "def local_grads(a, b):\n    return 1 / b, -a / bb**2\n"),
    answer(
        "2.2",
        "stub",
        "not done",
        "def local_grads(a, b):\n    raise NotImplementedError('write your code here')\n",
    ),
    # ------------------------------------------------------------ 2.3 right
    answer(
        "2.3",
        "recursive",
        "passed",
        """
        def topological_sort(root):
            order, visited = [], set()

            def visit(node):
                if node not in visited:
                    visited.add(node)
                    for child in node.children:
                        visit(child)
                    order.append(node)

            visit(root)
            return order
        """,
    ),
    answer(
        "2.3",
        "iterative-stack",
        "passed",
        """
        def topological_sort(root):
            order, visited, stack = [], set(), [(root, False)]
            while stack:
                node, children_done = stack.pop()
                if children_done:
                    order.append(node)
                elif node not in visited:
                    visited.add(node)
                    stack.append((node, True))
                    for child in node.children:
                        if child not in visited:
                            stack.append((child, False))
            return order
        """,
    ),
    answer(
        "2.3",
        "kahn",
        "passed",
        """
        def topological_sort(root):
            parents, seen, todo = {}, {root}, [root]
            while todo:
                node = todo.pop()
                for child in node.children:
                    parents.setdefault(child, 0)
                    parents[child] += 1
                    if child not in seen:
                        seen.add(child)
                        todo.append(child)
            ready, order = [root], []
            while ready:
                node = ready.pop()
                order.append(node)
                for child in node.children:
                    parents[child] -= 1
                    if parents[child] == 0:
                        ready.append(child)
            return order[::-1]
        """,
    ),
    answer(
        "2.3",
        "visited-list",
        "passed",
        """
        def topological_sort(root):
            order = []

            def visit(node):
                if node in order:
                    return
                for child in node.children:
                    visit(child)
                order.append(node)

            visit(root)
            return order
        """,
    ),
    # ------------------------------------------------------------ 2.3 wrong
    answer(
        "2.3",
        "reversed",
        "wrong-order",
        """
        def topological_sort(root):
            order, visited = [], set()

            def visit(node):
                if node not in visited:
                    visited.add(node)
                    for child in node.children:
                        visit(child)
                    order.append(node)

            visit(root)
            return order[::-1]
        """,
    ),
    answer(
        "2.3",
        "no-visited-set",
        "wrong",
        """
        def topological_sort(root):
            order = []

            def visit(node):
                for child in node.children:
                    visit(child)
                order.append(node)

            visit(root)
            return order
        """,
    ),
    answer(
        "2.3",
        "computed-nodes-only",
        "wrong",
        """
        def topological_sort(root):
            order, visited = [], set()

            def visit(node):
                if node not in visited and node.children:
                    visited.add(node)
                    for child in node.children:
                        visit(child)
                    order.append(node)

            visit(root)
            return order
        """,
    ),
    answer(
        "2.3",
        "visited-kept-between-calls",
        "wrong",
        """
        order, visited = [], set()


        def topological_sort(root):
            def visit(node):
                if node not in visited:
                    visited.add(node)
                    for child in node.children:
                        visit(child)
                    order.append(node)

            visit(root)
            return list(order)
        """,
    ),
    answer(
        "2.3",
        "default-argument",
        "wrong",
        """
        def topological_sort(root, order=[], visited=set()):
            if root not in visited:
                visited.add(root)
                for child in root.children:
                    topological_sort(child, order, visited)
                order.append(root)
            return order
        """,
    ),
    answer(
        "2.3",
        "breadth-first",
        "wrong",
        """
        def topological_sort(root):
            order, queue = [], [root]
            while queue:
                node = queue.pop(0)
                if node not in order:
                    order.append(node)
                    queue.extend(node.children)
            return order[::-1]
        """,
    ),
    answer(  # right on graphs whose first child is always the deepest, wrong in general
        "2.3",
        "pre-order-reversed",
        "wrong",
        """
        def topological_sort(root):
            order, visited = [], set()

            def visit(node):
                if node not in visited:
                    visited.add(node)
                    order.append(node)
                    for child in node.children:
                        visit(child)

            visit(root)
            return order[::-1]
        """,
    ),
    answer(  # appended before its children: not the reverse of an order either
        "2.3",
        "pre-order",
        "wrong",
        """
        def topological_sort(root):
            order, visited = [], set()

            def visit(node):
                if node not in visited:
                    visited.add(node)
                    order.append(node)
                    for child in node.children:
                        visit(child)

            visit(root)
            return order
        """,
    ),
    answer(
        "2.3",
        "children-called",
        "error",
        """
        def topological_sort(root):
            order = []
            for child in root.children():
                order.append(child)
            return order + [root]
        """,
    ),
    answer(
        "2.3",
        "the-engine",
        "library-call",
        "def topological_sort(root):\n    return root.topological_order()\n",
    ),
    answer(
        "2.3",
        "a-set",
        "wrong",
        """
        def topological_sort(root):
            seen, todo = set(), [root]
            while todo:
                node = todo.pop()
                seen.add(node)
                todo.extend(node.children)
            return seen
        """,
    ),
    answer(
        "2.3",
        "labels-not-nodes",
        "wrong",
        """
        def topological_sort(root):
            order = []

            def visit(node):
                if node.label not in order:
                    for child in node.children:
                        visit(child)
                    order.append(node.label)

            visit(root)
            return order
        """,
    ),
    answer(
        "2.3",
        "stub",
        "not done",
        "def topological_sort(root):\n    raise NotImplementedError('write your code here')\n",
    ),
    # ------------------------------------------------------------ 2.4 right
    answer(
        "2.4",
        "notebook",
        "passed",
        _backward("""
            for node in order:
                node.grad = 0.0
            root.grad = 1.0
            for node in reversed(order):
                for child, local_grad in zip(node.children, node.local_grads):
                    child.grad += local_grad * node.grad
        """),
    ),
    answer(
        "2.4",
        "like-the-engine",
        "passed",
        _backward("""
            for node in order:
                if node.children:
                    node.grad = 0.0
            root.grad += 1.0
            for node in reversed(order):
                for child, local_grad in zip(node.children, node.local_grads):
                    child.grad += local_grad * node.grad
        """),
    ),
    answer(
        "2.4",
        "engine-order-indices",
        "passed",
        """
        def backward(root):
            order = root.topological_order()
            for node in order:
                node.grad = 0.0
            root.grad = 1.0
            for i in range(len(order) - 1, -1, -1):
                node = order[i]
                for j in range(len(node.children)):
                    node.children[j].grad += node.local_grads[j] * node.grad
        """,
    ),
    answer(
        "2.4",
        "own-iterative-order",
        "passed",
        """
        def backward(root):
            order, seen, stack = [], set(), [(root, iter(root.children))]
            seen.add(root)
            while stack:
                node, children = stack[-1]
                for child in children:
                    if child not in seen:
                        seen.add(child)
                        stack.append((child, iter(child.children)))
                        break
                else:
                    stack.pop()
                    order.append(node)
            for node in order:
                node.grad = 0.0
            root.grad = 1.0
            for node in reversed(order):
                for child, local in zip(node.children, node.local_grads):
                    child.grad += local * node.grad
        """,
    ),
    # ------------------------------------------------------------ 2.4 wrong
    answer(
        "2.4",
        "assign",
        "assign-not-accumulate",
        _backward("""
            for node in order:
                node.grad = 0.0
            root.grad = 1.0
            for node in reversed(order):
                for child, local_grad in zip(node.children, node.local_grads):
                    child.grad = local_grad * node.grad
        """),
    ),
    answer(
        "2.4",
        "no-seed",
        "no-seed",
        _backward("""
            for node in order:
                node.grad = 0.0
            for node in reversed(order):
                for child, local_grad in zip(node.children, node.local_grads):
                    child.grad += local_grad * node.grad
        """),
    ),
    answer(
        "2.4",
        "seed-minus-one",
        "sign-error",
        _backward("""
            for node in order:
                node.grad = 0.0
            root.grad = -1.0
            for node in reversed(order):
                for child, local_grad in zip(node.children, node.local_grads):
                    child.grad += local_grad * node.grad
        """),
    ),
    answer(
        "2.4",
        "forwards",
        "wrong-order",
        _backward("""
            for node in order:
                node.grad = 0.0
            root.grad = 1.0
            for node in order:
                for child, local_grad in zip(node.children, node.local_grads):
                    child.grad += local_grad * node.grad
        """),
    ),
    answer(
        "2.4",
        "never-resets",
        "stale-grads",
        _backward("""
            root.grad = 1.0
            for node in reversed(order):
                for child, local_grad in zip(node.children, node.local_grads):
                    child.grad += local_grad * node.grad
        """),
    ),
    answer(
        "2.4",
        "resets-the-leaves-only",
        "wrong",
        _backward("""
            for node in order:
                if not node.children:
                    node.grad = 0.0
            root.grad = 1.0
            for node in reversed(order):
                for child, local_grad in zip(node.children, node.local_grads):
                    child.grad += local_grad * node.grad
        """),
    ),
    answer(
        "2.4",
        "tanh-by-hand",
        "tanh-missing-square",
        _backward("""
            for node in order:
                node.grad = 0.0
            root.grad = 1.0
            for node in reversed(order):
                locals_ = (1 - node.data,) if node.op == "tanh" else node.local_grads
                for child, local_grad in zip(node.children, locals_):
                    child.grad += local_grad * node.grad
        """),
    ),
    answer("2.4", "the-engine", "library-call", "def backward(root):\n    root.backward()\n"),
    answer(
        "2.4",
        "typo",
        "error",
        _backward("""
            root.grad = 1.0
            for node in reversed(order):
                for child, local_grad in zip(node.children, node.local_grad):
                    child.grad += local_grad * node.grad
        """),
    ),
    answer(
        "2.4",
        "seed-only",
        "wrong",
        "def backward(root):\n    root.grad = 1.0\n",
    ),
    answer(
        "2.4",
        "stub",
        "not done",
        "def backward(root):\n    raise NotImplementedError('write your code here')\n",
    ),
    # ------------------------------------------------------------ 2.5 right
    answer("2.5", "notebook", "passed", _OPS),
    answer(
        "2.5",
        "from-the-input",
        "passed",
        _OPS
        + """
OPS["tanh"] = (math.tanh, lambda a, out: 1 - math.tanh(a) ** 2)
OPS["exp"] = (math.exp, lambda a, out: math.exp(a))
OPS["sigmoid"] = (
    lambda a: 0.5 * (1 + math.tanh(a / 2)),
    lambda a, out: math.exp(-a) / (1 + math.exp(-a)) ** 2,
)
""",
    ),
    answer(
        "2.5",
        "functions",
        "passed",
        """
        import operator


        def pow_local(a, k, out):
            return k * out / a


        def div_local(a, b, out):
            return [1 / b, -out / b]


        OPS = {
            "exp": (math.exp, lambda a, out: out),
            "log": (math.log, lambda a, out: a**-1),
            "tanh": (math.tanh, lambda a, out: (1 - out) * (1 + out)),
            "sigmoid": (lambda a: math.exp(a) / (1 + math.exp(a)), lambda a, out: out - out**2),
            "div": (operator.truediv, div_local),
            "pow": (math.pow, pow_local),
        }
        """,
    ),
    # ------------------------------------------------------------ 2.5 wrong
    answer(
        "2.5",
        "tanh-without-square",
        "tanh-missing-square",
        _ops("tanh", "(math.tanh, lambda a, out: 1 - out)"),
    ),
    answer(
        "2.5",
        "exp-from-input",
        "derivative-from-input",
        _ops("exp", "(math.exp, lambda a, out: a)"),
    ),
    answer(
        "2.5",
        "div-without-sign",
        "division-missing-sign",
        _ops("div", "(lambda a, b: a / b, lambda a, b, out: (1 / b, a / b**2))"),
    ),
    answer(
        "2.5",
        "div-without-square",
        "division-missing-square",
        _ops("div", "(lambda a, b: a / b, lambda a, b, out: (1 / b, -a / b))"),
    ),
    answer(
        "2.5",
        "div-swapped",
        "swapped-pair",
        _ops("div", "(lambda a, b: a / b, lambda a, b, out: (-a / b**2, 1 / b))"),
    ),
    answer(
        "2.5",
        "pow-without-factor",
        "power-missing-factor",
        _ops("pow", "(lambda a, k: a**k, lambda a, k, out: a ** (k - 1))"),
    ),
    answer(
        "2.5",
        "pow-exponent-kept",
        "power-exponent-not-lowered",
        _ops("pow", "(lambda a, k: a**k, lambda a, k, out: k * a**k)"),
    ),
    answer(
        "2.5",
        "sigmoid-forward-sign",
        "wrong",
        _ops("sigmoid", "(lambda a: 1 / (1 + math.exp(a)), lambda a, out: out * (1 - out))"),
    ),
    answer("2.5", "log-from-output", "wrong", _ops("log", "(math.log, lambda a, out: 1 / out)")),
    answer(
        "2.5",
        "template-left",
        "not done",
        """
        OPS = {
            "exp": (None, None),
            "log": (None, None),
            "tanh": (None, None),
            "sigmoid": (None, None),
            "div": (None, None),
            "pow": (None, None),
        }
        """,
    ),
    answer("2.5", "an-op-missing", "wrong", _OPS + 'del OPS["pow"]\n'),
    answer("2.5", "not-a-pair", "wrong", _ops("exp", "math.exp")),
    answer("2.5", "local-arity", "error", _ops("log", "(math.log, lambda a: 1 / a)")),
    answer(
        "2.5",
        "the-engine",
        "library-call",
        _ops("exp", "(lambda a: Value(a).exp().data, lambda a, out: out)"),
    ),
]
