"""Trends, "Xu hướng": how often a search query appears over time, per province or per paper.

Installed by the entry point ``archive_trends`` (pyproject.toml).

- ``/<database>/-/trends?q=…&q=…&by=time|province|site&unit=auto|day|week|month|year&since=&until=``:
  a chart (inline SVG drawn here, nothing fetched from anywhere) and the counts as a table;
  ``/-/trends.json`` and ``/-/trends.csv`` give the same counts as data. Up to ``MAX_QUERIES``
  queries side by side.
- Counting is the search's own: ``crawler.datasette.search.count_matches`` (same query
  language, same plan, same matches as the search page), grouped by day (or paper/province and
  day) and summed here into weeks, months or years; ``since``/``until`` (typed as
  ``crawler.text.dates.parse_user_date`` reads them) keep the days in range.
- The bound: each query is counted for at most ``BUDGET_MS`` ms, newest articles first. At a
  million articles a common word can take longer than that; the page then says the count is
  partial and down to which archived article (its date) it reached, never a silent figure.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from crawler.datasette.search import count_matches
from crawler.store.search import QueryTooLong
from crawler.text.dates import DateInputError, USER_DATE_FORMS, display, parse_user_date

TEMPLATES = Path(__file__).resolve().parent / "templates"

MAX_QUERIES = 4
# Per query: at a million articles the commonest words are cut here (bench/trends.py measures it).
BUDGET_MS = 2000
UNITS = ("day", "week", "month", "year")
UNIT_NAMES = {"day": "ngày · day", "week": "tuần · week", "month": "tháng · month", "year": "năm · year"}
BY_NAMES = {"time": "theo thời gian · over time", "province": "theo tỉnh · per province", "site": "theo báo · per paper"}
# "auto": days up to two months, weeks up to a year, months beyond.
AUTO_DAYS, AUTO_WEEKS = 62, 366
MAX_BUCKETS = 800
COLORS = ("#1f6fb4", "#d9480f", "#2b8a3e", "#862e9c")


def _bucket(day: str, unit: str) -> str:
    if unit == "day":
        return day
    if unit == "month":
        return day[:7]
    if unit == "year":
        return day[:4]
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()  # the week's Monday


def _label(key: str, unit: str) -> str:
    if unit == "day":
        return display(key)
    if unit == "week":
        return "Tuần " + display(key)
    if unit == "month":
        return f"{key[5:7]}/{key[:4]}"
    return key


def _next(key: str, unit: str) -> str:
    if unit == "day":
        return (date.fromisoformat(key) + timedelta(days=1)).isoformat()
    if unit == "week":
        return (date.fromisoformat(key) + timedelta(days=7)).isoformat()
    if unit == "month":
        y, m = int(key[:4]), int(key[5:7])
        return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"
    return f"{int(key) + 1:04d}"


def _auto_unit(first: date, last: date) -> str:
    span = (last - first).days
    return "day" if span <= AUTO_DAYS else "week" if span <= AUTO_WEEKS else "month"


def _valid_day(key: str) -> bool:
    try:
        date.fromisoformat(key)
    except ValueError:
        return False
    return True


def _reached(conn, rowid) -> str | None:
    """The date of the oldest archived article a cut count reached."""
    if rowid is None:
        return None
    row = conn.execute("SELECT coalesce(published, fetched_at), fetched_at FROM articles WHERE rowid = ?", [rowid]).fetchone()
    return display(row[0]) if row else None


def trends(conn, queries: list[str], *, by: str = "time", unit: str = "auto", since: date | None = None,
           until: date | None = None, budget_ms: int | None = BUDGET_MS) -> dict:
    """The counts behind the page (plain data): ``series`` (per query: counts per key, undated,
    complete, reached), ``keys`` (the buckets or groups, in order), ``unit``."""
    grouping = {"time": "day", "province": "province_day", "site": "site_day"}[by]
    if by != "time" and since is None and until is None:
        grouping = by  # no day needed: cheaper keys
    series = []
    for query in queries:
        counted = count_matches(conn, query, group_by=grouping, budget_ms=budget_ms)
        days: dict[str, int] = {}
        undated = 0
        for key, n in counted.counts.items():
            if grouping == "day":
                group, day = "", key
            elif grouping == by:  # a paper or province, no dates asked
                group, day = key, None
            else:
                group, _, day = key.rpartition("|")
            if day is not None:
                if not _valid_day(day):
                    undated += n
                    continue
                if (since and day < since.isoformat()) or (until and day > until.isoformat()):
                    continue
            k = day if by == "time" else group
            days[k] = days.get(k, 0) + n
        series.append({"query": query, "days": days, "undated": undated, "complete": counted.complete,
                       "reached": _reached(conn, counted.searched_down_to), "total": sum(days.values())})
    if by != "time":
        keys = sorted({k for s in series for k in s["days"]}, key=lambda k: (-sum(s["days"].get(k, 0) for s in series), k))
        for s in series:
            s["counts"] = {k: s["days"].get(k, 0) for k in keys}
        return {"series": series, "keys": keys, "labels": [k or "(không rõ · unknown)" for k in keys], "unit": None, "by": by}
    seen = sorted({d for s in series for d in s["days"]})
    first = since or (date.fromisoformat(seen[0]) if seen else None)
    last = until or (date.fromisoformat(seen[-1]) if seen else None)
    if first is None or last is None:
        return {"series": [{**s, "counts": {}} for s in series], "keys": [], "labels": [], "unit": unit, "by": by}
    if unit not in UNITS:
        unit = _auto_unit(first, last)
    keys, key, end = [], _bucket(first.isoformat(), unit), _bucket(last.isoformat(), unit)
    while key <= end and len(keys) < MAX_BUCKETS:
        keys.append(key)
        key = _next(key, unit)
    for s in series:
        counts = dict.fromkeys(keys, 0)
        for d, n in s["days"].items():
            b = _bucket(d, unit)
            if b in counts:
                counts[b] += n
        s["counts"] = counts
    return {"series": series, "keys": keys, "labels": [_label(k, unit) for k in keys], "unit": unit, "by": by}


def chart_svg(result: dict) -> markupsafe.Markup:
    """The counts as an SVG drawn on the server: a line with a point per bucket over time, or
    grouped horizontal bars per province/paper. Each point/bar carries its count."""
    series, keys, labels = result["series"], result["keys"], result["labels"]
    if not keys:
        return markupsafe.Markup("")
    top = max([1] + [n for s in series for n in s["counts"].values()])
    esc = markupsafe.escape
    parts = []
    if result["by"] == "time":
        width, height, left, bottom, pad = 900, 320, 50, 60, 20
        step = (width - left - pad) / max(1, len(keys) - 1) if len(keys) > 1 else 0
        plot_h = height - bottom - pad

        def x(i):
            return left + (i * step if len(keys) > 1 else (width - left - pad) / 2)

        def y(n):
            return pad + plot_h - n / top * plot_h

        parts.append(f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - pad}" y2="{y(0):.1f}" stroke="#999"/>')
        parts.append(f'<line x1="{left}" y1="{pad}" x2="{left}" y2="{y(0):.1f}" stroke="#999"/>')
        parts.append(f'<text x="{left - 6}" y="{pad + 4}" text-anchor="end" font-size="11">{top}</text>')
        parts.append(f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="11">0</text>')
        every = max(1, len(keys) // 12)
        for i, label in enumerate(labels):
            if i % every == 0:
                parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">'
                             f'{esc(label)}</text>')
        for si, s in enumerate(series):
            color = COLORS[si % len(COLORS)]
            points = " ".join(f"{x(i):.1f},{y(s['counts'][k]):.1f}" for i, k in enumerate(keys))
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
            for i, k in enumerate(keys):
                n = s["counts"][k]
                parts.append(f'<circle class="point" data-series="{si}" data-key="{esc(k)}" data-count="{n}" '
                             f'cx="{x(i):.1f}" cy="{y(n):.1f}" r="{3.5 if n else 2}" fill="{color}">'
                             f'<title>{esc(s["query"])} · {esc(labels[i])}: {n}</title></circle>')
    else:
        row_h, bar_h, left, width = 8 + 14 * len(series), 12, 220, 900
        height = 10 + row_h * len(keys)
        for i, (k, label) in enumerate(zip(keys, labels)):
            y0 = 10 + i * row_h
            parts.append(f'<text x="{left - 6}" y="{y0 + 12}" text-anchor="end" font-size="12">{esc(label)}</text>')
            for si, s in enumerate(series):
                n = s["counts"][k]
                w = n / top * (width - left - 60)
                parts.append(f'<rect class="bar" data-series="{si}" data-key="{esc(k)}" data-count="{n}" x="{left}" '
                             f'y="{y0 + si * 14}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[si % len(COLORS)]}">'
                             f'<title>{esc(s["query"])} · {esc(label)}: {n}</title></rect>')
                parts.append(f'<text x="{left + w + 4:.1f}" y="{y0 + si * 14 + 10}" font-size="11">{n}</text>')
    return markupsafe.Markup(f'<svg class="trends-chart" role="img" aria-label="Biểu đồ xu hướng · Trends chart" '
                             f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
                             f'style="max-width:{width}px">{"".join(parts)}</svg>')


def _params(request) -> tuple[list[str], dict, list[str]]:
    """(queries, options, problems) from the request; problems are Vietnamese-first lines."""
    problems = []
    queries = [q.strip() for q in request.args.getlist("q") if q.strip()]
    if len(queries) > MAX_QUERIES:
        problems.append(f"Tối đa {MAX_QUERIES} truy vấn cùng lúc; chỉ {MAX_QUERIES} truy vấn đầu được đếm "
                        f"(at most {MAX_QUERIES} queries side by side)")
        queries = queries[:MAX_QUERIES]
    by = request.args.get("by") or "time"
    if by not in BY_NAMES:
        problems.append(f"by={by!r}: dùng time, province hoặc site (accepted: time, province, site)")
        by = "time"
    unit = request.args.get("unit") or "auto"
    if unit not in UNITS + ("auto",):
        problems.append(f"unit={unit!r}: dùng auto, day, week, month hoặc year (accepted: auto, day, week, month, year)")
        unit = "auto"
    dates = {}
    for name, label in (("since", "Từ ngày · since"), ("until", "Đến ngày · until")):
        typed = (request.args.get(name) or "").strip()
        if not typed:
            dates[name] = None
            continue
        try:
            span = parse_user_date(typed)
        except DateInputError as err:
            problems.append(f"{label}: {err}")
            dates[name] = False
            continue
        dates[name] = span.start if name == "since" else span.end
    return queries, {"by": by, "unit": unit, **dates}, problems


async def trends_page(datasette, request):
    database = request.url_vars["database"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound("Không có cơ sở dữ liệu này · Database not found") from None
    if not await db.table_exists("articles_fts"):
        raise NotFound("Cơ sở dữ liệu này không có chỉ mục tìm kiếm · This database has no search index")
    queries, opts, problems = _params(request)
    fmt = request.url_vars.get("format")
    bad_date = opts["since"] is False or opts["until"] is False
    result = None
    if queries and not bad_date:
        def work(conn):
            return trends(conn, queries, by=opts["by"], unit=opts["unit"], since=opts["since"], until=opts["until"])
        try:
            result = await db.execute_fn(work)
        except QueryTooLong as err:
            problems.append(f"Truy vấn quá dài · Query too long: {err}")
    if fmt in ("json", "csv"):
        if result is None:
            return Response.json({"ok": False, "errors": problems or ["Chưa có truy vấn (q=…) · no query given"]}, status=400)
        if fmt == "json":
            return Response.json({
                "ok": True, "by": result["by"], "unit": result["unit"], "keys": result["keys"], "labels": result["labels"],
                "budget_ms": BUDGET_MS,
                "series": [{"query": s["query"], "counts": s["counts"], "total": s["total"], "undated": s["undated"],
                            "complete": s["complete"], "reached": s["reached"]} for s in result["series"]],
            })
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["key", "label"] + [s["query"] for s in result["series"]])
        for k, label in zip(result["keys"], result["labels"]):
            writer.writerow([k, label] + [s["counts"][k] for s in result["series"]])
        return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="trends.csv"'})
    base = datasette.urls.database(database) + "/-/trends"
    query_string = request.query_string
    rows = []
    if result:
        rows = [{"label": label, "counts": [s["counts"][k] for s in result["series"]]}
                for k, label in zip(result["keys"], result["labels"])]
    typed = dict(request.args)
    context = {
        "database": database, "queries": queries or [""], "max_queries": MAX_QUERIES,
        "opts": opts, "typed_since": typed.get("since", ""), "typed_until": typed.get("until", ""),
        "problems": problems, "result": result, "rows": rows, "colors": COLORS,
        "chart": chart_svg(result) if result else "", "by_names": BY_NAMES, "unit_names": UNIT_NAMES,
        "budget_s": BUDGET_MS / 1000, "date_forms": USER_DATE_FORMS,
        "json_url": f"{base}.json?{query_string}", "csv_url": f"{base}.csv?{query_string}",
        "search_url": datasette.urls.database(database) + "/search",
        "unit_label": UNIT_NAMES.get(result["unit"], "") if result else "",
    }
    template = datasette.jinja_env.from_string((TEMPLATES / "archive-trends.html").read_text(encoding="utf-8"))
    return Response.html(await datasette.render_template(template, context, request=request))


def trends_url(datasette, database: str, *queries: str) -> str:
    return datasette.urls.database(database) + "/-/trends?" + urlencode([("q", q) for q in queries])


@hookimpl
def register_routes():
    return [(r"^/(?P<database>[^/]+)/-/trends(\.(?P<format>json|csv))?$", trends_page)]
