"""The catalog record every other stage works on.

One `Technology` per catalog row. Readers (CSV/XLSX/JSON/DOCX) map whatever headers a file has
onto these fields; everything that is not a known field is kept in `extra` so that filters can
still use "any catalog column".
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

REQUIRED_FIELDS: tuple[str, ...] = ("id", "name", "description", "institute", "field")
OPTIONAL_FIELDS: tuple[str, ...] = ("sectors", "trl", "transfer_form", "keywords")
LIST_SEPARATOR = ";"


class Technology(BaseModel):
    """A technology offered for transfer. Texts are stored NFC-normalised."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=500)
    description: str = Field(min_length=1, max_length=10_000)
    institute: str = Field(min_length=1, max_length=300)
    field: str = Field(min_length=1, max_length=200)
    sectors: tuple[str, ...] = ()
    trl: int | None = Field(default=None, ge=1, le=9)
    transfer_form: str = ""
    keywords: tuple[str, ...] = ()
    extra: dict[str, str] = Field(default_factory=dict)

    def passage_text(self) -> str:
        """The text that is embedded and indexed for this technology (name first: it carries most signal)."""
        parts = [self.name, self.description]
        if self.keywords:
            parts.append("Từ khóa: " + ", ".join(self.keywords))
        return ". ".join(p.strip().rstrip(".") for p in parts if p.strip()) + "."

    def column(self, name: str) -> Any:
        """Value of a catalog column by name, known field or extra column (used by filters)."""
        if name in type(self).model_fields and name != "extra":
            return getattr(self, name)
        return self.extra.get(name)
