"""``python -m micrograd_edu.cli.demo``: the micrograd README expression, forward and backward."""

from __future__ import annotations

from ..engine import Value


def readme_expression() -> dict[str, Value]:
    """Build the expression of the micrograd README and return its named nodes."""
    a = Value(-4.0, label="a")
    b = Value(2.0, label="b")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    for name, node in {"c": c, "d": d, "e": e, "f": f, "g": g}.items():
        node.label = name
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def main() -> None:
    nodes = readme_expression()
    g = nodes["g"]
    g.backward()
    print("The micrograd README expression, g(a, b), after g.backward():")
    for name, node in nodes.items():
        print(f"  {name} = {node.data:10.4f}   dg/d{name} = {node.grad:10.4f}")


if __name__ == "__main__":
    main()
