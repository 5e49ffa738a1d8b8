"""What every request passes before Datasette sees it (``asgi_wrapper``).

- ``X-Robots-Tag: noindex, nofollow`` on every response.
- Search text (``q``, ``_search``, the operands of ``vn_match()`` in ``sql``) over the limits
  of ``crawler.store.search.check_query`` gets a 400 with the reason before any SQL runs (the
  SQL time limit cannot interrupt FTS5 inside one step, see that module).
- The table search box is routed to the bounded search (``crawler.datasette.search``).
- ``since`` / ``until`` on an archive's pages that are no date (``crawler.datasette.typed_dates``)
  get a 400 that says what was typed and what is accepted, never an empty result.
- The newspaper names are brought up to date (``crawler.datasette.papers``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import markupsafe
from datasette import hookimpl
from datasette.utils.asgi import Request, Response

from crawler.datasette import papers
from crawler.datasette import search as vn_search
from crawler.datasette import typed_dates
from crawler.datasette.search import VN_SEARCH
from crawler.store.search import check_query

_SEARCH_PARAMS = re.compile(r"^(q|_search(_\w+)?|" + VN_SEARCH + ")$")


async def refusal_page(datasette, scope, receive, title: str, message: str, status: int = 400) -> Response:
    """A request we do not run: the reason as JSON for ``.json`` paths, else Datasette's error
    page (its menu and crumbs, in Vietnamese) with the reason."""
    path = scope.get("path", "")
    if path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": status}, status=status)
    try:
        body = await datasette.render_template(
            "error.html", {"title": title, "error": message, "status": status},
            # The page has no form: no CSRF token to give (asgi-csrf sets one further in).
            request=Request({**scope, "csrftoken": lambda: ""}, receive))
    except Exception:  # the page must answer even if a template cannot be rendered
        return refusal(path, title, message, status)
    return Response.html(body, status=status)


def refusal(path: str, title: str, message: str, status: int = 400) -> Response:
    """The same as a bare page, needing nothing of Datasette's."""
    if path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": status}, status=status)
    body = markupsafe.Markup(
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{t}</title></head>'
        '<body><h1>{t}</h1><p class="message-error">{m}</p><p><a href="javascript:history.back()">'
        "Quay lại · Back</a></p></body></html>"
    ).format(t=title, m=message)
    return Response.html(str(body), status=status)


def _on_archive(datasette, scope) -> bool:
    from crawler.datasette.serving import archives

    first = scope.get("path", "").strip("/").split("/", 1)[0]
    return first.removesuffix(".json") in archives(datasette)


def _robots(send):
    async def send_with_header(event):
        if event["type"] == "http.response.start":
            headers = [h for h in event.get("headers", []) if h[0].lower() != b"x-robots-tag"]
            event = {**event, "headers": headers + [(b"x-robots-tag", b"noindex, nofollow")]}
        await send(event)

    return send_with_header


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def archive_app(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            send = _robots(send)
            # The archives are found at startup; this wrapper runs before Datasette's own
            # first-request startup, and needs them.
            await datasette.invoke_startup()
            await papers.refresh(datasette)
            query = scope.get("query_string", b"").decode("latin-1")
            if query and ("since=" in query or "until=" in query) and _on_archive(datasette, scope):
                problem = typed_dates.problem(parse_qsl(query, keep_blank_values=True))
                if problem:
                    response = await refusal_page(datasette, scope, receive, "Ngày không hợp lệ · Invalid date",
                                                  problem)
                    return await response.asgi_send(send)
            if query and ("q=" in query or "_search" in query or "sql=" in query):
                pairs = parse_qsl(query, keep_blank_values=True)
                values = dict(pairs)
                for key, value in pairs:
                    texts = [value] if _SEARCH_PARAMS.match(key) else []
                    if key == "sql":
                        texts = vn_search.match_operands(value, values)
                    for text in texts:
                        problem = check_query(text)
                        if problem:
                            response = await refusal_page(datasette, scope, receive,
                                                          "Câu tìm không hợp lệ · Query not accepted", problem)
                            return await response.asgi_send(send)
                scope = vn_search.route_table_search(datasette, scope, pairs)
            return await app(scope, receive, send)

        return archive_app

    return wrap
