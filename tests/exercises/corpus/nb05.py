"""Notebook 5: 5.1 mean_squared_error."""

from __future__ import annotations

from . import answer

ANSWERS = [
    # ------------------------------------------------------------ 5.1 right
    answer(
        "5.1",
        "notebook",
        "passed",
        """
        def mean_squared_error(preds, targets):
            total = Value(0.0)
            for p, t in zip(preds, targets):
                total = total + (p - t) ** 2
            return total / len(preds)
        """,
    ),
    answer(
        "5.1",
        "sum-over-len",
        "passed",
        """
        def mean_squared_error(preds, targets):
            return sum((p - t) ** 2 for p, t in zip(preds, targets)) / len(preds)
        """,
    ),
    answer(
        "5.1",
        "sum-values-times-inverse",
        "passed",
        """
        def mean_squared_error(preds, targets):
            return sum_values([(t - p) ** 2 for p, t in zip(preds, targets)]) * (1 / len(preds))
        """,
    ),
    answer(
        "5.1",
        "squares-by-product",
        "passed",
        """
        def mean_squared_error(preds, targets):
            errors = [p - t for p, t in zip(preds, targets)]
            return sum(e * e for e in errors) * len(errors) ** -1
        """,
    ),
    # ------------------------------------------------------------ 5.1 wrong
    answer(
        "5.1",
        "sum",
        "sum-not-mean",
        """
        def mean_squared_error(preds, targets):
            return sum((p - t) ** 2 for p, t in zip(preds, targets))
        """,
    ),
    answer(
        "5.1",
        "rmse",
        "rmse",
        """
        def mean_squared_error(preds, targets):
            return (sum((p - t) ** 2 for p, t in zip(preds, targets)) / len(preds)) ** 0.5
        """,
    ),
    answer(
        "5.1",
        "n-minus-one",
        "n-minus-one",
        """
        def mean_squared_error(preds, targets):
            return sum((p - t) ** 2 for p, t in zip(preds, targets)) / (len(preds) - 1)
        """,
    ),
    answer(
        "5.1",
        "plain-float",
        "float-not-value",
        """
        def mean_squared_error(preds, targets):
            return sum((p.data - t) ** 2 for p, t in zip(preds, targets)) / len(preds)
        """,
    ),
    answer(
        "5.1",
        "the-squares",
        "wrong",
        """
        def mean_squared_error(preds, targets):
            return [(p - t) ** 2 for p, t in zip(preds, targets)]
        """,
    ),
    answer(
        "5.1",
        "the-mse-in-a-list",
        "list-not-tuple",
        """
        def mean_squared_error(preds, targets):
            return [sum((p - t) ** 2 for p, t in zip(preds, targets)) / len(preds)]
        """,
    ),
    answer(
        "5.1",
        "mean-absolute-error",
        "wrong",
        """
        def mean_squared_error(preds, targets):
            return sum(((p - t) ** 2) ** 0.5 for p, t in zip(preds, targets)) / len(preds)
        """,
    ),
    answer(
        "5.1",
        "statistics-mean",
        "error",
        """
        import statistics


        def mean_squared_error(preds, targets):
            return statistics.mean((p - t) ** 2 for p, t in zip(preds, targets))
        """,
    ),
    answer(
        "5.1",
        "the-library",
        "library-call",
        """
            def mean_squared_error(preds, targets):
                return losses.mean(losses.mse, preds, targets)
        """,
    ),
    answer(
        "5.1",
        "total-kept-between-calls",
        "wrong",
        """
        total = Value(0.0)


        def mean_squared_error(preds, targets):
            global total
            for p, t in zip(preds, targets):
                total = total + (p - t) ** 2
            return total / len(preds)
        """,
    ),
    answer(
        "5.1",
        "no-return",
        "wrong",
        """
        def mean_squared_error(preds, targets):
            mse = sum((p - t) ** 2 for p, t in zip(preds, targets)) / len(preds)
        """,
    ),
    answer(
        "5.1",
        "stub",
        "not done",
        """
            def mean_squared_error(preds, targets):
                raise NotImplementedError('write your code')
        """,
    ),
    answer(  # right, but the check's backward() comes second: every grad twice
        "5.1",
        "backward-inside",
        "wrong",
        """
        def mean_squared_error(preds, targets):
            mse = sum((p - t) ** 2 for p, t in zip(preds, targets)) / len(preds)
            mse.backward()
            return mse
        """,
    ),
]
