from typing import TypeVar

from factory.base import Factory

_T = TypeVar("_T")

class DjangoModelFactory(Factory[_T]): ...
