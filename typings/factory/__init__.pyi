# factory_boy types a factory's create() and build(), but not calling the class (its
# metaclass's __call__, which mypy does not read): BaseFactory.__new__ below declares it.
from collections.abc import Callable
from typing import Any

from factory import django as django
from factory.base import Factory as Factory

class Sequence:
    def __init__(self, function: Callable[[int], Any]) -> None: ...

class SubFactory:
    def __init__(self, factory: type[Factory[Any]] | str, **kwargs: Any) -> None: ...

class LazyFunction:
    def __init__(self, function: Callable[[], Any]) -> None: ...

class LazyAttribute:
    def __init__(self, function: Callable[[Any], Any]) -> None: ...

class Faker:
    def __init__(self, provider: str, **kwargs: Any) -> None: ...

class PostGenerationMethodCall:
    def __init__(self, method_name: str, *args: Any, **kwargs: Any) -> None: ...

class PostGeneration:
    def __init__(self, function: Callable[..., Any]) -> None: ...

def post_generation(fn: Callable[..., Any]) -> PostGeneration: ...
