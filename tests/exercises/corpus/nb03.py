"""Notebook 3: 3.1 neuron_forward, 3.2 collapse."""

from __future__ import annotations

from . import answer

ANSWERS = [
    # ------------------------------------------------------------ 3.1 right
    answer(
        "3.1",
        "loop",
        "passed",
        """
        def neuron_forward(w, x, b):
            z = b
            for wi, xi in zip(w, x):
                z = z + wi * xi
            return z.tanh()
        """,
    ),
    answer(
        "3.1",
        "sum-from-b",
        "passed",
        """
            def neuron_forward(w, x, b):
                return sum((wi * xi for wi, xi in zip(w, x)), b).tanh()
        """,
    ),
    answer(
        "3.1",
        "sum-values",
        "passed",
        """
        def neuron_forward(w, x, b):
            return (sum_values([wi * xi for wi, xi in zip(w, x)]) + b).tanh()
        """,
    ),
    answer(
        "3.1",
        "indices-and-reduce",
        "passed",
        """
        import functools


        def neuron_forward(w, x, b):
            terms = [w[i] * x[i] for i in range(len(w))]
            return (functools.reduce(lambda s, t: s + t, terms) + b).tanh()
        """,
    ),
    # ------------------------------------------------------------ 3.1 wrong
    answer(
        "3.1",
        "no-activation",
        "wrong",
        "def neuron_forward(w, x, b):\n    return sum((wi * xi for wi, xi in zip(w, x)), b)\n",
    ),
    answer(
        "3.1",
        "sigmoid",
        "wrong",
        """
        def neuron_forward(w, x, b):
            return sum((wi * xi for wi, xi in zip(w, x)), b).sigmoid()
        """,
    ),
    answer(
        "3.1",
        "no-bias",
        "wrong",
        "def neuron_forward(w, x, b):\n    return sum(wi * xi for wi, xi in zip(w, x)).tanh()\n",
    ),
    answer(
        "3.1",
        "bias-after-tanh",
        "wrong",
        """
            def neuron_forward(w, x, b):
                return sum(wi * xi for wi, xi in zip(w, x)).tanh() + b
        """,
    ),
    answer(
        "3.1",
        "data-floats",
        "float-not-value",
        """
        def neuron_forward(w, x, b):
            z = sum(wi.data * xi for wi, xi in zip(w, x)) + b.data
            return Value(math.tanh(z))
        """,
    ),
    answer(
        "3.1",
        "math-tanh",
        "error",
        """
        def neuron_forward(w, x, b):
            z = sum((wi * xi for wi, xi in zip(w, x)), b)
            return math.tanh(z)
        """,
    ),
    answer(
        "3.1",
        "list-times-list",
        "error",
        "def neuron_forward(w, x, b):\n    return (sum(w * x) + b).tanh()\n",
    ),
    answer(
        "3.1",
        "no-return",
        "wrong",
        """
            def neuron_forward(w, x, b):
                out = sum((wi * xi for wi, xi in zip(w, x)), b).tanh()
        """,
    ),
    answer(
        "3.1",
        "sum-kept-between-calls",
        "wrong",
        """
        total = Value(0.0)


        def neuron_forward(w, x, b):
            global total
            for wi, xi in zip(w, x):
                total = total + wi * xi
            return (total + b).tanh()
        """,
    ),
    answer(
        "3.1",
        "the-library",
        "library-call",
        """
        from micrograd_edu.engine import dot


        def neuron_forward(w, x, b):
            return (dot(w, x) + b).tanh()
        """,
    ),
    answer(
        "3.1",
        "stub",
        "not done",
        "def neuron_forward(w, x, b):\n    raise NotImplementedError('write your code here')\n",
    ),
    # ------------------------------------------------------------ 3.2 right
    answer(
        "3.2",
        "notebook",
        "passed",
        "def collapse(W1, b1, W2, b2):\n    return W2 @ W1, W2 @ b1 + b2\n",
    ),
    answer(
        "3.2",
        "np-dot",
        "passed",
        "def collapse(W1, b1, W2, b2):\n    return np.dot(W2, W1), np.dot(W2, b1) + b2\n",
    ),
    answer(
        "3.2",
        "transposes",
        "passed",
        "def collapse(W1, b1, W2, b2):\n    return (W1.T @ W2.T).T, b2 + W2.dot(b1)\n",
    ),
    answer(
        "3.2",
        "einsum",
        "passed",
        """
        def collapse(W1, b1, W2, b2):
            return np.einsum("ij,jk->ik", W2, W1), np.einsum("ij,j->i", W2, b1) + b2
        """,
    ),
    # ------------------------------------------------------------ 3.2 wrong
    answer(
        "3.2",
        "product-reversed",
        "wrong",
        "def collapse(W1, b1, W2, b2):\n    return W1 @ W2, W2 @ b1 + b2\n",
    ),
    answer(
        "3.2",
        "biases-added",
        "error",
        "def collapse(W1, b1, W2, b2):\n    return W2 @ W1, b1 + b2\n",
    ),
    answer(
        "3.2",
        "b2-forgotten",
        "wrong",
        "def collapse(W1, b1, W2, b2):\n    return W2 @ W1, W2 @ b1\n",
    ),
    answer(
        "3.2",
        "transposed-result",
        "wrong",
        "def collapse(W1, b1, W2, b2):\n    return W1.T @ W2.T, W2 @ b1 + b2\n",
    ),
    answer(
        "3.2",
        "elementwise",
        "error",
        "def collapse(W1, b1, W2, b2):\n    return W2 * W1, W2 @ b1 + b2\n",
    ),
    answer("3.2", "only-W", "wrong", "def collapse(W1, b1, W2, b2):\n    return W2 @ W1\n"),
    answer(
        "3.2",
        "b2-changed-in-place",
        "wrong",
        """
        def collapse(W1, b1, W2, b2):
            b2 += W2 @ b1
            return W2 @ W1, b2
        """,
    ),
    answer(
        "3.2",
        "no-return",
        "wrong",
        "def collapse(W1, b1, W2, b2):\n    W, b = W2 @ W1, W2 @ b1 + b2\n",
    ),
    answer(
        "3.2",
        "stub",
        "not done",
        "def collapse(W1, b1, W2, b2):\n    raise NotImplementedError('write your code here')\n",
    ),
    answer(  # right, but the check's backward() comes second: every grad twice
        "3.1",
        "backward-inside",
        "wrong",
        """
        def neuron_forward(w, x, b):
            out = sum((wi * xi for wi, xi in zip(w, x)), b).tanh()
            out.backward()
            return out
        """,
    ),
    answer(  # the right output, by appending the bias to w and a 1 to x: the caller's lists
        "3.1",
        "bias-appended-to-the-inputs",
        "wrong",
        """
        def neuron_forward(w, x, b):
            w.append(b)
            x.append(1.0)
            return sum(wi * xi for wi, xi in zip(w, x)).tanh()
        """,
    ),
]
