"""Exercise 2.6's corpus: classes students write for "build your own Value", and their verdicts.

Each answer is the source of a notebook cell defining ``MyValue``, run in a fresh
namespace (:func:`answer`), so that the check and the grader see what they see
in a kernel: a class of the student's own, its methods in "a cell" of their own
file name. The wrong answers are the lecture's class (or the stored-derivatives
class) with one thing changed, each with the verdict it must get: the code of
the mistake it makes, or ``None`` where no catalogued mistake fits ("wrong", with
a generic message; never a wrong name).
"""

from __future__ import annotations

from typing import Any, NamedTuple

CLOSURES = """
import math


class MyValue:
    def __init__(self, data, _children=()):
        self.data = data
        self.grad = 0.0
        self._prev = _children
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, MyValue) else MyValue(other)
        out = MyValue(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, MyValue) else MyValue(other)
        out = MyValue(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def tanh(self):
        t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
        out = MyValue(t, (self,))

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                topo.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
"""
"""The lecture's class: closures, with the topological sort on an explicit stack."""

RECURSIVE = """
def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
"""
"""The lecture's own ``backward``: a recursive sort (dies on a deep chain)."""

LOCALS = '''
import math


class MyValue:
    """A number that stores its children and its local derivatives."""

    def __init__(self, data, children=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0
        self.children = children
        self.local_grads = local_grads

    @staticmethod
    def wrap(x):
        return x if isinstance(x, MyValue) else MyValue(x)

    def __add__(self, other):
        other = MyValue.wrap(other)
        return MyValue(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = MyValue.wrap(other)
        return MyValue(self.data * other.data, (self, other), (other.data, self.data))

    __radd__ = __add__
    __rmul__ = __mul__

    def tanh(self):
        t = math.tanh(self.data)
        return MyValue(t, (self,), (1 - t * t,))

    def order(self):
        order, seen = [], {self}
        stack = [(self, iter(self.children))]
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
        return order

    def backward(self):
        self.grad = 1.0
        for node in reversed(self.order()):
            for child, local in zip(node.children, node.local_grads):
                child.grad += local * node.grad
'''
"""Stored local derivatives, an iterative depth-first sort (the engine's way)."""

KAHN = """
def order(self):
        users, nodes, stack = {}, [], [self]
        while stack:
            node = stack.pop()
            nodes.append(node)
            for child in node.children:
                if id(child) not in users:
                    users[id(child)] = 0
                    stack.append(child)
                users[id(child)] += 1
        ready, result = [self], []
        while ready:
            node = ready.pop()
            result.append(node)
            for child in node.children:
                users[id(child)] -= 1
                if users[id(child)] == 0:
                    ready.append(child)
        return result[::-1]
"""
"""Kahn's algorithm: count each node's users, emit a node when all of them are done."""


def _replace(source: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert source.count(old) == 1, f"{old!r} occurs {source.count(old)} times"
        source = source.replace(old, new)
    return source


def _method(source: str, name: str, new: str) -> str:
    """``source`` with its method ``name`` replaced by ``new`` (a ``def`` at class indentation)."""
    start = source.index(f"    def {name}(self")
    end = source.find("\n    def ", start + 1)
    end = len(source) if end == -1 else end + 1
    return source[:start] + "    " + new.strip("\n") + "\n" + source[end:]


RIGHT: dict[str, str] = {
    "closures, an explicit stack": CLOSURES,
    "closures, recursive sort with a higher limit": _method(
        _replace(CLOSURES, ("import math\n", "import math\nimport sys\n")),
        "backward",
        _replace(
            RECURSIVE,
            (
                "        topo, visited",
                "        sys.setrecursionlimit(10_000)\n        topo, visited",
            ),
        ),
    ),
    "stored local derivatives, iterative depth-first sort": LOCALS,
    "stored local derivatives, Kahn's algorithm": _method(LOCALS, "order", KAHN),
    "closures, children in a set (the lecture's _prev)": _replace(
        CLOSURES, ("self._prev = _children", "self._prev = set(_children)")
    ),
}
"""Right answers: each must pass."""


class Wrong(NamedTuple):
    source: str
    mistake: str | None  # the catalogue's code, or None: wrong, no mistake named
    says: str  # a piece of the problem line


WRONG: dict[str, Wrong] = {
    "= instead of += in the closures": Wrong(
        _replace(
            CLOSURES,
            ("self.grad += out.grad\n", "self.grad = out.grad\n"),
            ("other.grad += out.grad", "other.grad = out.grad"),
            ("self.grad += other.data", "self.grad = other.data"),
            ("other.grad += self.data", "other.grad = self.data"),
            ("self.grad += (1 - t", "self.grad = (1 - t"),
        ),
        "assign-not-accumulate",
        "wrong gradients",
    ),
    "children in a dict keyed by node": Wrong(
        _replace(
            LOCALS,
            (
                "            for child, local in zip(node.children, node.local_grads):",
                "            for child, local in dict(zip(node.children, node.local_grads))"
                ".items():",
            ),
        ),
        "reused-operand-lost",
        "wrong gradients",
    ),
    "a number not wrapped": Wrong(
        _replace(
            CLOSURES,
            (
                "        other = other if isinstance(other, MyValue) else MyValue(other)\n"
                "        out = MyValue(self.data + other.data",
                "        out = MyValue(self.data + other.data",
            ),
        ),
        "number-not-wrapped",
        "AttributeError",
    ),
    "no __rmul__": Wrong(
        _replace(CLOSURES, ("    def __rmul__(self, other):\n        return self * other\n", "")),
        "missing-reflected-op",
        "TypeError",
    ),
    "the closures use the child's grad": Wrong(
        _replace(
            CLOSURES,
            ("self.grad += out.grad\n", "self.grad += self.grad\n"),
            ("other.grad += out.grad", "other.grad += other.grad"),
            ("self.grad += other.data * out.grad", "self.grad += other.data * self.grad"),
            ("other.grad += self.data * out.grad", "other.grad += self.data * other.grad"),
            ("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - t**2) * self.grad"),
        ),
        "closure-wrong-grad",
        "wrong gradients",
    ),
    "no seed": Wrong(
        _replace(CLOSURES, ("        self.grad = 1.0\n", "")),
        "no-seed",
        "wrong gradients",
    ),
    "the lecture's recursive sort": Wrong(
        _method(CLOSURES, "backward", RECURSIVE),
        "recursion-depth",
        "RecursionError",
    ),
    "a recursive sort without a visited set": Wrong(
        _method(
            _replace(LOCALS, ("import math\n", "import math\nimport sys\n")),
            "order",
            """
def order(self):
        sys.setrecursionlimit(10_000)
        order = []

        def visit(node):
            for child in node.children:
                visit(child)
            order.append(node)

        visit(self)
        return order
""",
        ),
        "topological-no-visited",
        "wrong gradients",
    ),
    "an iterative sort without a visited set": Wrong(
        _replace(
            LOCALS,
            (
                "                if child not in seen:\n                    seen.add(child)\n"
                "                    stack.append((child, iter(child.children)))\n"
                "                    break",
                "                stack.append((child, iter(child.children)))\n"
                "                break",
            ),
        ),
        "topological-no-visited",
        "wrong gradients",
    ),
    "the order not reversed": Wrong(
        _replace(LOCALS, ("for node in reversed(self.order()):", "for node in self.order():")),
        "wrong-order",
        "wrong gradients",
    ),
    "1 - t for tanh": Wrong(
        _replace(
            CLOSURES, ("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - t) * out.grad")
        ),
        "tanh-missing-square",
        "wrong gradients",
    ),
    "tanh's derivative from the input": Wrong(
        _replace(
            CLOSURES,
            ("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - self.data**2) * out.grad"),
        ),
        "derivative-from-input",
        "wrong gradients",
    ),
    "d(a*b)/da taken as a": Wrong(
        _replace(LOCALS, ("(other.data, self.data))", "(self.data, other.data))")),
        "product-rule-swapped",
        "wrong gradients",
    ),
    "math.tanh of the Value itself": Wrong(
        _replace(LOCALS, ("t = math.tanh(self.data)", "t = math.tanh(self)")),
        None,
        "your code raised TypeError in MyValue.tanh (line",
    ),
    "a wrong forward value": Wrong(
        _replace(LOCALS, ("t = math.tanh(self.data)", "t = math.sinh(self.data)")),
        None,
        "the value of",
    ),
    "an extra factor of 2 in the product": Wrong(
        _replace(LOCALS, ("(other.data, self.data))", "(2 * other.data, 2 * self.data))")),
        None,
        "wrong gradients",
    ),
    "__add__ returns a float": Wrong(
        _replace(
            LOCALS,
            (
                "return MyValue(self.data + other.data, (self, other), (1.0, 1.0))",
                "return self.data + other.data",
            ),
        ),
        None,
        "returned a float",
    ),
    "built on the library's Value": Wrong(
        "from micrograd_edu import Value\n\n\nclass MyValue(Value):\n    pass\n",
        "library-call",
        "built on the library's Value",
    ),
    "the library's Value inside": Wrong(
        """
from micrograd_edu import Value


class MyValue:
    def __init__(self, data, inner=None):
        self.inner = inner if inner is not None else Value(data)

    data = property(lambda self: self.inner.data)
    grad = property(lambda self: self.inner.grad)

    def __add__(self, other):
        other = other.inner if isinstance(other, MyValue) else other
        return MyValue(None, self.inner + other)

    def __mul__(self, other):
        other = other.inner if isinstance(other, MyValue) else other
        return MyValue(None, self.inner * other)

    __radd__ = __add__
    __rmul__ = __mul__

    def tanh(self):
        return MyValue(None, self.inner.tanh())

    def backward(self):
        self.inner.backward()
""",
        "library-call",
        "switched off",
    ),
}
"""Wrong answers, each with its verdict."""

NOT_DONE = """
class MyValue:
    def __init__(self, data, _children=()):
        # YOUR CODE HERE
        raise NotImplementedError('write your code here, in place of this line')
"""
"""The student notebook's cell as it is handed out."""


def answer(source: str, name: str = "answer") -> dict[str, Any]:
    """The namespace of a cell holding ``source``: ``{"MyValue": <the class>, ...}``."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(source, f"<cell: {name}>", "exec"), namespace)
    return namespace
