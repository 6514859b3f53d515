"""API shapes of the knowledge base's endpoints that are not a content type's own
(``models.py`` holds those: ``*Public``, ``*Create``, ``*Update``)."""

from pydantic import BaseModel


class SearchHit(BaseModel):
    id: str
    type: str
    title: str
    url: str
    snippet: str  # escaped HTML with <mark> around matched words


class SearchResponse(BaseModel):
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    total: int
    took_ms: float
    suggestion: str | None = None
    page: int
    per_page: int
