"""Exercise 2.6, your own Value: classes students write, and the verdict each must get.

Each answer is the cell that defines ``MyValue``: the lecture's class with closures
(:data:`CLOSURES`) or the engine's way, stored local derivatives (:data:`LOCALS`),
and each wrong one one of them with one thing changed (:func:`_replace`,
:func:`_method`), so that the verdict is about that change alone.
"""

from __future__ import annotations

from . import answer

CLOSURES = """
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
"""The lecture's own ``backward``: a recursive sort (it dies on a deep chain)."""

LOCALS = '''
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
        users, stack = {}, [self]
        while stack:
            node = stack.pop()
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
"""Kahn's algorithm: count each node's users, list a node when all of them are done."""


def _replace(source: str, *pairs: tuple[str, str]) -> str:
    """``source`` with each ``old`` replaced by ``new``; each must occur exactly once."""
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


_HIGHER_LIMIT = _replace(
    RECURSIVE,
    ("        topo, visited", "        sys.setrecursionlimit(10_000)\n        topo, visited"),
)
_ASSIGN = (
    ("self.grad += out.grad\n", "self.grad = out.grad\n"),
    ("other.grad += out.grad", "other.grad = out.grad"),
    ("self.grad += other.data", "self.grad = other.data"),
    ("other.grad += self.data", "other.grad = self.data"),
    ("self.grad += (1 - t", "self.grad = (1 - t"),
)
_NO_RECURSIVE_VISITED = """
def order(self):
        sys.setrecursionlimit(10_000)
        order = []

        def visit(node):
            for child in node.children:
                visit(child)
            order.append(node)

        visit(self)
        return order
"""
_ENGINE_INSIDE = """
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
"""

ANSWERS = [
    # ------------------------------------------------------------ 2.6 right
    answer("2.6", "closures-explicit-stack", "passed", CLOSURES),
    answer(
        "2.6",
        "closures-recursive-sort-higher-limit",
        "passed",
        "import sys\n" + _method(CLOSURES, "backward", _HIGHER_LIMIT),
    ),
    answer("2.6", "local-derivatives-iterative-sort", "passed", LOCALS),
    answer("2.6", "local-derivatives-kahn", "passed", _method(LOCALS, "order", KAHN)),
    answer(
        "2.6",
        "closures-children-in-a-set",  # the lecture's own _prev = set(_children)
        "passed",
        _replace(CLOSURES, ("self._prev = _children", "self._prev = set(_children)")),
    ),
    # ------------------------------------------------------------ 2.6 wrong: named
    answer("2.6", "assign-in-the-closures", "assign-not-accumulate", _replace(CLOSURES, *_ASSIGN)),
    answer(
        "2.6",
        "children-in-a-dict",
        "reused-operand-lost",
        _replace(
            LOCALS,
            (
                "for child, local in zip(node.children, node.local_grads):",
                "for child, local in dict(zip(node.children, node.local_grads)).items():",
            ),
        ),
    ),
    answer(
        "2.6",
        "number-not-wrapped",
        "number-not-wrapped",
        _replace(
            CLOSURES,
            (
                "        other = other if isinstance(other, MyValue) else MyValue(other)\n"
                "        out = MyValue(self.data + other.data",
                "        out = MyValue(self.data + other.data",
            ),
        ),
    ),
    answer(
        "2.6",
        "number-kept-as-a-child",  # the data is right; backward() meets the number
        "number-not-wrapped",
        _replace(
            CLOSURES,
            (
                "        other = other if isinstance(other, MyValue) else MyValue(other)\n"
                "        out = MyValue(self.data * other.data, (self, other))",
                "        if isinstance(other, MyValue):\n"
                "            out = MyValue(self.data * other.data, (self, other))\n"
                "        else:\n"
                "            out = MyValue(self.data * other, (self, other))",
            ),
        ),
    ),
    answer(
        "2.6",
        "numbers-refused",  # Python's TypeError for a + 3: the operator gave NotImplemented
        "number-not-wrapped",
        _replace(
            CLOSURES,
            (
                "        other = other if isinstance(other, MyValue) else MyValue(other)\n"
                "        out = MyValue(self.data + other.data",
                "        if not isinstance(other, MyValue):\n"
                "            return NotImplemented\n"
                "        out = MyValue(self.data + other.data",
            ),
        ),
    ),
    answer(
        "2.6",
        "no-rmul",
        "missing-reflected-op",
        _replace(CLOSURES, ("    def __rmul__(self, other):\n        return self * other\n", "")),
    ),
    answer(
        "2.6",
        "no-radd",
        "missing-reflected-op",
        _replace(CLOSURES, ("    def __radd__(self, other):\n        return self + other\n", "")),
    ),
    answer(
        "2.6",
        "closures-use-the-child-s-grad",
        "closure-wrong-grad",
        _replace(
            CLOSURES,
            ("self.grad += out.grad\n", "self.grad += self.grad\n"),
            ("other.grad += out.grad", "other.grad += other.grad"),
            ("self.grad += other.data * out.grad", "self.grad += other.data * self.grad"),
            ("other.grad += self.data * out.grad", "other.grad += self.data * other.grad"),
            ("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - t**2) * self.grad"),
        ),
    ),
    answer("2.6", "no-seed", "no-seed", _replace(CLOSURES, ("        self.grad = 1.0\n", ""))),
    answer(
        "2.6",
        "the-lecture-s-recursive-sort",
        "recursion-depth",
        _method(CLOSURES, "backward", RECURSIVE),
    ),
    answer(
        "2.6",
        "recursive-sort-without-visited",
        "topological-no-visited",
        "import sys\n" + _method(LOCALS, "order", _NO_RECURSIVE_VISITED),
    ),
    answer(
        "2.6",
        "iterative-sort-without-visited",
        "topological-no-visited",
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
    ),
    answer(
        "2.6",
        "order-not-reversed",
        "wrong-order",
        _replace(LOCALS, ("for node in reversed(self.order()):", "for node in self.order():")),
    ),
    answer(
        "2.6",
        "tanh-without-square",
        "tanh-missing-square",
        _replace(
            CLOSURES, ("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - t) * out.grad")
        ),
    ),
    answer(
        "2.6",
        "tanh-from-the-input",
        "derivative-from-input",
        _replace(
            CLOSURES,
            ("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - self.data**2) * out.grad"),
        ),
    ),
    answer(
        "2.6",
        "product-own-factor",
        "own-factor",
        _replace(LOCALS, ("(other.data, self.data))", "(self.data, other.data))")),
    ),
    answer("2.6", "the-library-s-value-inside", "library-call", _ENGINE_INSIDE),
    answer(
        "2.6",
        "built-on-the-library-s-value",
        "library-call",
        "class MyValue(Value):\n    pass\n",
    ),
    # ------------------------------------------------------------ 2.6 wrong: no name fits
    answer(
        "2.6",
        "a-wrong-forward-value",
        "wrong",
        _replace(LOCALS, ("t = math.tanh(self.data)", "t = math.sinh(self.data)")),
    ),
    answer(
        "2.6",
        "an-extra-factor-of-2",
        "wrong",
        _replace(LOCALS, ("(other.data, self.data))", "(2 * other.data, 2 * self.data))")),
    ),
    answer(
        "2.6",
        "two-mistakes-at-once",  # = in every node's pass, and the extra factor: neither alone
        "wrong",
        _replace(
            LOCALS,
            ("(other.data, self.data))", "(2 * other.data, 2 * self.data))"),
            ("child.grad += local * node.grad", "child.grad = local * node.grad"),
        ),
    ),
    answer(
        "2.6",
        "add-returns-a-float",
        "wrong",
        _replace(
            LOCALS,
            (
                "return MyValue(self.data + other.data, (self, other), (1.0, 1.0))",
                "return self.data + other.data",
            ),
        ),
    ),
    answer(
        "2.6",
        "tanh-without-return",
        "wrong",
        _replace(
            LOCALS,
            (
                "        return MyValue(t, (self,), (1 - t * t,))",
                "        MyValue(t, (self,), (1 - t * t,))",
            ),
        ),
    ),
    # ------------------------------------------------------------ 2.6: errors, not done
    answer(
        "2.6",
        "math-tanh-of-the-node",
        "error",
        _replace(LOCALS, ("t = math.tanh(self.data)", "t = math.tanh(self)")),
    ),
    answer(
        "2.6",
        "grad-left-none",
        "error",
        _replace(CLOSURES, ("self.grad = 0.0", "self.grad = None")),
    ),
    answer(
        "2.6",
        "a-leaf-s-backward-left-none",
        "error",
        _replace(CLOSURES, ("self._backward = lambda: None", "self._backward = None")),
    ),
    answer(
        "2.6",
        "rmul-recursing-forever",  # number * node calls __rmul__ again: not the deep chain
        "error",
        _replace(
            CLOSURES,
            (
                "    def __rmul__(self, other):\n        return self * other",
                "    def __rmul__(self, other):\n        return other * self",
            ),
        ),
    ),
    answer(
        "2.6", "no-tanh", "error", _method(LOCALS, "tanh", "def tan(self):\n        return self")
    ),
    answer(
        "2.6",
        "a-typo",
        "error",
        _replace(CLOSURES, ("out = MyValue(t, (self,))", "out = MyValue(tt, (self,))")),
    ),
    answer(
        "2.6",
        "stub",
        "not done",
        """
        class MyValue:
            def __init__(self, data, _children=()):
                # YOUR CODE HERE
                raise NotImplementedError('write your code here, in place of this line')
        """,
    ),
    answer(
        "2.6",
        "backward-still-a-stub",
        "not done",
        _method(CLOSURES, "backward", "def backward(self):\n        raise NotImplementedError"),
    ),
    answer("2.6", "tanh-left-none", "not done", _method(LOCALS, "tanh", "tanh = None")),
]
