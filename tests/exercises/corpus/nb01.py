"""Notebook 1: 1.1 numerical_slope, 1.2 build."""

from __future__ import annotations

from . import answer

ANSWERS = [
    # ------------------------------------------------------------ 1.1 right
    answer(
        "1.1",
        "central",
        "passed",
        """
        def numerical_slope(f, x, h=1e-6):
            return (f(x + h) - f(x - h)) / (2 * h)
        """,
    ),
    answer(
        "1.1",
        "central-halved-after",
        "passed",
        """
        def numerical_slope(f, x, h=1e-5):
            return (f(x + h) - f(x - h)) / h / 2
        """,
    ),
    answer(
        "1.1",
        "five-point-stencil",
        "passed",
        """
        def numerical_slope(f, x, h=1e-3):
            return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)
        """,
    ),
    answer(
        "1.1",
        "step-from-outside",
        "passed",
        """
        STEP = 1e-4


        def numerical_slope(f, x):
            return 0.5 * (f(x + STEP) - f(x - STEP)) / STEP
        """,
    ),
    # ------------------------------------------------------------ 1.1 wrong
    answer(
        "1.1",
        "forward",
        "forward-difference",
        """
        def numerical_slope(f, x, h=1e-6):
            return (f(x + h) - f(x)) / h
        """,
    ),
    answer(
        "1.1",
        "backward",
        "forward-difference",
        """
        def numerical_slope(f, x, h=1e-6):
            return (f(x) - f(x - h)) / h
        """,
    ),
    answer(
        "1.1",
        "forward-big-step",
        "forward-difference",
        """
        def numerical_slope(f, x, h=0.1):
            return (f(x + h) - f(x)) / h
        """,
    ),
    answer(
        "1.1",
        "divided-by-h",
        "divided-by-h",
        """
        def numerical_slope(f, x, h=1e-6):
            return (f(x + h) - f(x - h)) / h
        """,
    ),
    answer(
        "1.1",
        "sign",
        "sign-error",
        """
        def numerical_slope(f, x, h=1e-6):
            return (f(x - h) - f(x + h)) / (2 * h)
        """,
    ),
    answer(
        "1.1",
        "default-h-1",
        "step-too-large",
        """
        def numerical_slope(f, x, h=1.0):
            return (f(x + h) - f(x - h)) / (2 * h)
        """,
    ),
    answer(
        "1.1",
        "precedence",
        "wrong",
        """
        def numerical_slope(f, x, h=1e-6):
            return f(x + h) - f(x - h) / 2 * h
        """,
    ),
    answer(
        "1.1",
        "tiny-h",
        "wrong",
        """
        def numerical_slope(f, x, h=1e-15):
            return (f(x + h) - f(x - h)) / (2 * h)
        """,
    ),
    answer(
        "1.1",
        "no-return",
        "wrong",
        """
        def numerical_slope(f, x, h=1e-6):
            slope = (f(x + h) - f(x - h)) / (2 * h)
        """,
    ),
    answer(
        "1.1",
        "library",
        "library-call",
        """
        from micrograd_edu.explain.gradcheck import numerical_grad


        def numerical_slope(f, x, h=1e-6):
            return numerical_grad(lambda v: f(v.data), [x])[0]
        """,
    ),
    answer(
        "1.1",
        "subscript",
        "error",
        """
        def numerical_slope(f, x, h=1e-6):
            return (f[x + h] - f[x - h]) / (2 * h)
        """,
    ),
    answer(
        "1.1",
        "h-without-default",
        "error",
        """
        def numerical_slope(f, x, h):
            return (f(x + h) - f(x - h)) / (2 * h)
        """,
    ),
    answer(
        "1.1",
        "stub",
        "not done",
        """
        def numerical_slope(f, x, h=1e-6):
            # YOUR CODE HERE
            raise NotImplementedError('write your code here, in place of this line')
        """,
    ),
    # ------------------------------------------------------------ 1.2 right
    answer("1.2", "notebook", "passed", "def build(x):\n    return 2 * x**3 - 5 * x + 1\n"),
    answer("1.2", "products", "passed", "def build(x):\n    return x * x * x * 2 - x * 5 + 1\n"),
    answer("1.2", "horner", "passed", "def build(x):\n    return (2 * x * x - 5) * x + 1\n"),
    answer(
        "1.2",
        "negative-coefficient",
        "passed",
        "def build(x):\n    return 2 * (x**3) + (-5) * x + 1\n",
    ),
    # ------------------------------------------------------------ 1.2 wrong
    answer(
        "1.2",
        "data-floats",
        "float-not-value",
        "def build(x):\n    return 2 * x.data**3 - 5 * x.data + 1\n",
    ),
    answer(
        "1.2",
        "wrapped-float",
        "float-not-value",
        "def build(x):\n    return Value(2 * x.data**3 - 5 * x.data + 1)\n",
    ),
    answer("1.2", "square-not-cube", "wrong", "def build(x):\n    return 2 * x**2 - 5 * x + 1\n"),
    answer("1.2", "xor-for-power", "error", "def build(x):\n    return 2 * x^3 - 5 * x + 1\n"),
    answer(
        "1.2",
        "math-pow",
        "error",
        "def build(x):\n    return 2 * math.pow(x, 3) - 5 * x + 1\n",
    ),
    answer("1.2", "no-return", "wrong", "def build(x):\n    f = 2 * x**3 - 5 * x + 1\n"),
    answer(
        "1.2",
        "one-term-from-data",
        "wrong",
        "def build(x):\n    return 2 * x**3 - 5 * x.data + 1\n",
    ),
    answer(
        "1.2",
        "terms-kept-between-calls",
        "wrong",
        """
        terms = []


        def build(x):
            terms.append(2 * x**3)
            terms.append(-5 * x + 1)
            return sum(terms)
        """,
    ),
    answer("1.2", "list-of-terms", "wrong", "def build(x):\n    return [2 * x**3, -5 * x, 1]\n"),
    answer(
        "1.2",
        "stub",
        "not done",
        "def build(x):\n    raise NotImplementedError('write your code here')\n",
    ),
    answer(  # right, but the check's backward() comes second: every grad twice
        "1.2",
        "backward-inside",
        "wrong",
        """
        def build(x):
            f = 2 * x**3 - 5 * x + 1
            f.backward()
            return f
        """,
    ),
]
