"""One rule decides whether a text can be matched, for typed needs, the API and survey rows."""

from __future__ import annotations

import pytest

from matcher.text.need_text import text_problem


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "blank"),
        ("   \n\t", "blank"),
        ("!!! ??? …", "blank"),
        ("\u0000\u0001", "blank"),
        (None, "blank"),
        ("x" * 11, "too_long"),
    ],
)
def test_problems(text: object, kind: str) -> None:
    problem = text_problem(text, max_chars=10)
    assert problem is not None and problem.kind == kind
    assert not problem.reason.endswith(".")  # callers put it in their own sentence


@pytest.mark.parametrize("text", ["xử lý nước", "xu ly nuoc", "IoT", "5G", "x" * 10, "lọc\u0301"])
def test_matchable_texts(text: str) -> None:
    assert text_problem(text, max_chars=10) is None


def test_reason_names_the_length_and_the_limit() -> None:
    problem = text_problem("a" * 25, max_chars=20)
    assert problem is not None and "25 ký tự" in problem.reason and "giới hạn 20" in problem.reason
