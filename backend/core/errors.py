"""Domain errors carry their HTTP status; one handler renders JSON for the API, a page otherwise."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.core.accesslog import route_template
from backend.core.i18n import N_
from backend.core.templating import render_error

log = logging.getLogger("loket.errors")


class LoketError(Exception):
    status_code = 400
    code = "bad_request"
    # Dutch message for people; English is the msgid and gets translated on pages.
    message = "The request could not be processed."
    # True for refusals that must be remembered (rate limits, challenges): the request's
    # transaction is rolled back, then the counted hits and alerts registered for replay are
    # written again and committed (backend.core.db.keep_refusal).
    keeps_writes = False
    extra: dict[str, Any] = {}  # noqa: RUF012 - more members of the JSON error body

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 fields: dict[str, str] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        if code:
            self.code = code
        self.fields = fields or {}
        self.headers = headers or {}


class NotFound(LoketError):
    status_code = 404
    code = "not_found"
    message = "This page or item does not exist (any more)."


class Forbidden(LoketError):
    status_code = 403
    code = "forbidden"
    message = "You do not have access to this."


class NotAuthenticated(LoketError):
    status_code = 401
    code = "not_authenticated"
    message = "Please log in first."


class Conflict(LoketError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with the current state."


class Invalid(LoketError):
    status_code = 422
    code = "invalid"
    message = "Some fields are not filled in correctly."


class TooManyRequests(LoketError):
    status_code = 429
    code = "rate_limited"
    message = "Too many attempts. Please wait a moment and try again."
    keeps_writes = True

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after

    @property
    def retry_minutes(self) -> int:
        """The wait in whole minutes, rounded up and at least one (for a page's message)."""
        return max(1, (self.retry_after + 59) // 60)


UNSTORABLE = N_("Some of the text cannot be stored (it holds a character that is not allowed, "
                "or is too long). Please check what you entered.")


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _error_page(request: Request, status: int, message: str, *, code: str,
                fields: dict[str, str] | None = None, headers: dict[str, str] | None = None
                ) -> Response:
    return render_error(request, status, message, code=code, fields=fields or {}, headers=headers)


def login_location(request: Request) -> str:
    """The login page, coming back to this page afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/inloggen?next={quote(target, safe='')}"


def _to_login(request: Request) -> Response:
    """A page that needs a login sends an anonymous visitor to the login page and back."""
    location = login_location(request)
    return Response(status_code=303, headers={"Location": location, "HX-Redirect": location})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoketError)
    async def _domain(request: Request, exc: LoketError) -> Response:
        if wants_json(request):
            body: dict[str, Any] = {"error": {"code": exc.code, "message": exc.message}}
            if exc.fields:
                body["error"]["fields"] = exc.fields
            body["error"].update(exc.extra)
            return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
        if isinstance(exc, NotAuthenticated) and request.method in ("GET", "HEAD"):
            return _to_login(request)
        return _error_page(request, exc.status_code, exc.message, code=exc.code,
                           fields=exc.fields, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        fields: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
            fields[".".join(loc) or "request"] = str(err.get("msg", "invalid"))
        if wants_json(request):
            return JSONResponse(
                {"error": {"code": "invalid", "message": "Invalid parameters: "
                           + ", ".join(sorted(fields)), "fields": fields}},
                status_code=422,
            )
        return _error_page(request, 422, Invalid.message, code="invalid", fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: NotFound.message, 405: "This action is not allowed here.",
                    403: Forbidden.message, 401: NotAuthenticated.message,
                    408: "The request took too long to arrive.",
                    413: "The request is too large."}
        message = messages.get(exc.status_code, str(exc.detail))
        headers = dict(exc.headers or {})
        if wants_json(request):
            return JSONResponse({"error": {"code": f"http_{exc.status_code}", "message": message}},
                                status_code=exc.status_code, headers=headers)
        return _error_page(request, exc.status_code, message, code=f"http_{exc.status_code}",
                           headers=headers)

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> Response:
        # Input that passed validation but that the database refuses to store: a NUL
        # character (PostgreSQL text), a number or text beyond a column's range. The
        # request's transaction is already rolled back; the caller gets a 422, not a 500.
        log.warning("input refused by the database", extra={
            "route": route_template(request.scope), "error": type(exc.orig).__name__})
        message = UNSTORABLE
        if wants_json(request):
            return JSONResponse({"error": {"code": "unstorable", "message": message}},
                                status_code=422)
        return _error_page(request, 422, message, code="unstorable")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Never show a stack trace; the request id ties the log line to what the user reports.
        # The route template, not the path: private links carry their token in the path.
        # This handler runs in Starlette's outermost middleware, outside the request context:
        # the request id and the security headers are added here.
        # cycle: security imports db, which imports this module's LoketError
        from backend.core.security import security_headers

        request_id = request.scope.get("state", {}).get("request_id")
        log.exception("unhandled error", extra={"route": route_template(request.scope),
                                                "request_id": request_id})
        message = "Something went wrong on our side. Please try again later."
        response: Response
        if wants_json(request):
            response = JSONResponse({"error": {"code": "server_error", "message": message}},
                                    status_code=500)
        else:
            response = _error_page(request, 500, message, code="server_error")
        for name, value in security_headers(request.app.state.settings.is_https):
            response.headers.setdefault(name.decode(), value.decode())
        if request_id:
            response.headers["X-Request-ID"] = request_id
        return response
