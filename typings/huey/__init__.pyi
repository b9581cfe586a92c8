import datetime
from collections.abc import Callable

from huey.api import Huey as Huey
from huey.api import TaskWrapper as TaskWrapper

def crontab(
    minute: str = "*",
    hour: str = "*",
    day: str = "*",
    month: str = "*",
    day_of_week: str = "*",
    strict: bool = False,
) -> Callable[[datetime.datetime], bool]: ...
