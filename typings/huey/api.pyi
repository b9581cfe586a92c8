import datetime
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

from huey.storage import BaseStorage

_P = ParamSpec("_P")
_R = TypeVar("_R")

class Task:
    id: str
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    eta: datetime.datetime | None
    retries: int

class Result:
    id: str
    def get(self, blocking: bool = False, timeout: float | None = None) -> Any: ...
    def __call__(self, blocking: bool = False, timeout: float | None = None) -> Any: ...

class TaskWrapper(Generic[_P, _R]):
    name: str
    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> Result | None: ...
    def call_local(self, *args: _P.args, **kwargs: _P.kwargs) -> _R: ...
    def schedule(
        self,
        args: tuple[Any, ...] | list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
        eta: datetime.datetime | None = None,
        delay: float | datetime.timedelta | None = None,
        priority: int | None = None,
        retries: int | None = None,
        retry_delay: float | None = None,
        expires: float | datetime.timedelta | None = None,
        id: str | None = None,
    ) -> Result | None: ...

class Huey:
    name: str
    immediate: bool
    storage: BaseStorage
    def task(
        self, *args: Any, **kwargs: Any
    ) -> Callable[[Callable[_P, _R]], TaskWrapper[_P, _R]]: ...
    def enqueue(self, task: Task) -> Result | None: ...
    def dequeue(self) -> Task | None: ...
    def execute(self, task: Task, timestamp: datetime.datetime | None = None) -> Any: ...
    def scheduled(self, limit: int | None = None) -> list[Task]: ...
    def pending(self, limit: int | None = None) -> list[Task]: ...
    def pending_count(self) -> int: ...
    def scheduled_count(self) -> int: ...
    def flush(self) -> None: ...
