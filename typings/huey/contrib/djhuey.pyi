from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from huey.api import Huey, TaskWrapper

_P = ParamSpec("_P")
_R = TypeVar("_R")

HUEY: Huey

def db_task(*args: Any, **kwargs: Any) -> Callable[[Callable[_P, _R]], TaskWrapper[_P, _R]]: ...
def db_periodic_task(
    validate_datetime: Callable[..., bool], *args: Any, **kwargs: Any
) -> Callable[[Callable[_P, _R]], TaskWrapper[_P, _R]]: ...
def lock_task(
    lock_name: str, ttl: int | None = None
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
def on_startup(
    name: str | None = None,
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
