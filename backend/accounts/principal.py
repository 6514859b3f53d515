"""Who is making the request, as the rest of the code sees it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int | None
    email: str
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = "session"  # "session" | "token"
    token_id: int | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles)) or "admin" in self.roles

    @property
    def display_name(self) -> str:
        return self.name or self.email
