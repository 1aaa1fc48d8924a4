"""micrograd_edu: a small scalar autograd engine for learning how neural networks learn.

>>> from micrograd_edu import Value
>>> x = Value(3.0, label="x")
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad  # dy/dx = 2x + 2
8.0
"""

from ._support import moved
from .engine import Value

__all__ = ["Value", "__version__"]
__version__ = "0.2.0"

moved.install()  # old import names (micrograd_edu.gradcheck, visualize) work for one release
