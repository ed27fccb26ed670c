"""Whether a text can be matched at all: one rule for the library, the API and survey rows.

A need with no letter or digit gives the embedder nothing to read and BM25 no token, so its
"results" would be noise presented as an answer; a text over the configured limit would be cut
by the model's 512-token window without the user knowing which part counted. Each caller words
the refusal its own way (an error for a typed need, a skipped row with its number in a survey),
around the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ProblemKind = Literal["blank", "too_long"]


@dataclass(frozen=True)
class TextProblem:
    """Why a text cannot be matched: its kind, and the reason in Vietnamese (no subject, no period)."""

    kind: ProblemKind
    reason: str


def text_problem(text: object, max_chars: int) -> TextProblem | None:
    """The problem of a need text, or None when it can be matched."""
    if not isinstance(text, str) or not text.strip():
        return TextProblem("blank", "trống: hãy mô tả nhu cầu công nghệ bằng lời")
    if not any(ch.isalnum() for ch in text):
        return TextProblem("blank", "không có chữ hay số nào: hãy mô tả nhu cầu công nghệ bằng lời")
    if len(text) > max_chars:
        return TextProblem("too_long", f"dài {len(text)} ký tự, vượt giới hạn {max_chars} ký tự: hãy rút gọn")
    return None
