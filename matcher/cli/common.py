"""Helpers shared by every command module: consoles, one-line errors, exit codes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console

from matcher.errors import InputError, TechmatchError

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> None:
    """One Vietnamese line on stderr, then exit (2 = bad usage)."""
    err.print(f"[bold red]Lỗi:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn domain errors into one-line messages with the right exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as e:
            fail(str(e), 2)
        except TechmatchError as e:
            fail(str(e), 1)
        except FileNotFoundError as e:
            fail(f"Không tìm thấy tệp: {e.filename}", 2)

    return wrapper  # type: ignore[return-value]


def parse_columns(spec: str | None) -> dict[str, str] | None:
    """`name=Tên,description=Mô tả` -> {"name": "Tên", "description": "Mô tả"}."""
    if not spec:
        return None
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        if "=" not in part:
            raise InputError(f"--columns cần dạng truong=Tên cột, nhận được {part!r}.")
        key, value = part.split("=", 1)
        mapping[key.strip()] = value.strip()
    return mapping
