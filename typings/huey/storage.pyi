from typing import Any

class BaseStorage:
    name: str
    def __init__(self, name: str = "huey", **storage_kwargs: Any) -> None: ...
    def flush_queue(self) -> None: ...

class RedisStorage(BaseStorage):
    def __init__(
        self, name: str = "huey", blocking: bool = True, read_timeout: int = 1, **kwargs: Any
    ) -> None: ...
