"""Value types shared by every compiler stage: a shape and an element type."""
from __future__ import annotations

import enum
from dataclasses import dataclass


class DType(enum.Enum):
    """Element types of the language; ``node`` is a node index."""

    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    NODE = "node"

    @property
    def is_numeric(self) -> bool:
        return self in (DType.INT, DType.FLOAT, DType.NODE)

    @property
    def is_intlike(self) -> bool:
        """Stored as a 64-bit integer in the executor."""
        return self is not DType.FLOAT


class Shape(enum.Enum):
    SCALAR = "scalar"
    VECTOR = "vector"  # one value per node


@dataclass(frozen=True)
class Type:
    shape: Shape
    dtype: DType

    def __str__(self) -> str:
        return self.dtype.value if self.shape is Shape.SCALAR else f"{self.dtype.value} vector"

    @staticmethod
    def scalar(dtype: DType) -> "Type":
        return Type(Shape.SCALAR, dtype)

    @staticmethod
    def vector(dtype: DType) -> "Type":
        return Type(Shape.VECTOR, dtype)
