"""Datasette plugin (entry point ``archive_dashboard``): the archive at a glance, ``/<db>/-/dashboard``.

- articles per day (per month past ``MAX_DAYS``) for each newspaper and each province, over a
  chosen range (``?since=YYYY-MM-DD&until=YYYY-MM-DD``; by default the 30 days up to the newest
  article), drawn as heat maps;
- each newspaper's archive depth: its oldest to its newest article, on one time axis;
- the last crawl of each newspaper with its new / duplicate / reject counts;
- the newspapers ``python -m crawler health`` flags, by the same judgement (``crawler.health.check``):
  never crawled, failing, stale, rejecting.

The charts are SVG drawn here on the server: no script, no style sheet and no font from
anywhere else, nothing for a reader's browser to fetch but the page itself. Papers and
provinces are in Vietnamese alphabetical order, dates ``dd/mm/yyyy`` in +07:00.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

import markupsafe
from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from sqlite_utils import Database

from crawler.datasette.vietnamese import sort_key, vn_datetime
from crawler.health import FLAG_LABELS, check, site_names

DEFAULT_DAYS = 30
MAX_DAYS = 92  # longer ranges are drawn per month


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def _columns(since: date, until: date) -> tuple[list[str], int, object]:
    """Column keys of the range (days, or months when long), the substr() length, the label."""
    if (until - since).days + 1 <= MAX_DAYS:
        days = [(since + timedelta(days=k)).isoformat() for k in range((until - since).days + 1)]
        return days, 10, lambda d: f"{d[8:10]}/{d[5:7]}"
    months, d = [], since.replace(day=1)
    while d <= until:
        months.append(d.isoformat()[:7])
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months, 7, lambda m: f"{m[5:7]}/{m[:4]}"


def flagged(conn: sqlite3.Connection, sites: list[str]) -> dict[str, list[str]]:
    """``{site: ["flag: why", …]}`` for the newspapers ``crawler.health.check`` flags: the same
    judgement as ``python -m crawler health`` (never-crawled papers included)."""
    out = {}
    for h in check(Database(conn), sites):
        if h.flags:
            out[h.site] = [f"{FLAG_LABELS.get(flag, flag)}: {why}" for flag, why in sorted(h.flags.items())]
    return out


# -- drawing ------------------------------------------------------------------------------------


# Row labels are 11px text (the template's style); this is a wide glyph of it, so that the
# longest paper name ("Báo Bà Rịa - Vũng Tàu điện tử") fits left of the grid instead of being cut.
LABEL_CHAR_PX = 7
LABEL_MIN_PX = 120


def label_width(labels) -> int:
    """Pixels left of a chart for its row labels: the longest label, at least ``LABEL_MIN_PX``."""
    return max([LABEL_MIN_PX] + [LABEL_CHAR_PX * len(str(label)) + 12 for label in labels])


def _color(count: int, top: int) -> str:
    if not count:
        return "#f3f3f3"
    share = min(1.0, (count / top) ** 0.5) if top else 0
    # light to dark blue
    r, g, b = (int(220 - 190 * share), int(235 - 150 * share), int(250 - 60 * share))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(rows: list[str], columns: list[str], counts: dict[tuple[str, str], int], *,
            row_labels: dict[str, str], column_label, title: str) -> markupsafe.Markup:
    """An SVG grid: one row per ``rows``, one cell per ``columns``, shade by count."""
    cell, top_h = 14, 46
    label_w = label_width(row_labels.get(r, r) for r in rows)
    width = label_w + cell * len(columns) + 10
    height = top_h + cell * len(rows) + 10
    top = max(counts.values(), default=0)
    parts = [f'<svg class="heatmap" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}">',
             str(markupsafe.Markup("<title>{}</title>").format(title))]
    step = max(1, -(-len(columns) // 16), 3)  # a label every 3 cells at least: they are ~40px wide
    for j, col in enumerate(columns):
        if j % step == 0:
            x = label_w + j * cell
            parts.append(str(markupsafe.Markup(
                '<text class="col-label" x="{}" y="{}" transform="rotate(-45 {} {})">{}</text>'
            ).format(x + 3, top_h - 4, x + 3, top_h - 4, column_label(col))))
    for i, row in enumerate(rows):
        y = top_h + i * cell
        parts.append(str(markupsafe.Markup('<text class="row-label" x="{}" y="{}">{}</text>').format(
            label_w - 6, y + cell - 3, row_labels.get(row, row))))
        for j, col in enumerate(columns):
            n = counts.get((row, col), 0)
            parts.append(str(markupsafe.Markup(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-count="{}"><title>{}: {} · {:,}</title></rect>'
            ).format(label_w + j * cell, y, cell - 1, cell - 1, _color(n, top), n,
                     row_labels.get(row, row), column_label(col), n)))
    parts.append("</svg>")
    return markupsafe.Markup("".join(parts))


def depth_chart(depth: list[dict], labels: dict[str, str]) -> markupsafe.Markup:
    """Each newspaper's oldest → newest article as a bar on one time axis."""
    days = [d for r in depth for d in (_day(r["oldest"]), _day(r["newest"])) if d]
    if not days:
        return markupsafe.Markup("<p>Chưa có bài · No articles yet.</p>")
    first, last = min(days), max(days)
    span = max(1, (last - first).days)
    bar_w, row_h = 560, 16
    label_w = label_width(labels.get(r["site"], r["site"]) for r in depth)
    width, height = label_w + bar_w + 150, 30 + row_h * len(depth)
    parts = [f'<svg class="depth" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}"><title>Độ sâu lưu trữ · Archive depth</title>']
    for k in range(5):
        d = first + timedelta(days=span * k // 4)
        x = label_w + bar_w * k // 4
        parts.append(f'<line x1="{x}" y1="18" x2="{x}" y2="{height}" stroke="#ddd"/>'
                     f'<text class="col-label" x="{x}" y="12" text-anchor="middle">{d:%d/%m/%Y}</text>')
    for i, r in enumerate(depth):
        y = 22 + i * row_h
        a, b = _day(r["oldest"]), _day(r["newest"])
        name = labels.get(r["site"], r["site"])
        parts.append(str(markupsafe.Markup('<text class="row-label" x="{}" y="{}">{}</text>').format(
            label_w - 6, y + row_h - 5, name)))
        if a and b:
            x1 = label_w + bar_w * (a - first).days // span
            x2 = label_w + bar_w * (b - first).days // span
            parts.append(str(markupsafe.Markup(
                '<rect class="depth-bar" x="{}" y="{}" width="{}" height="{}" fill="#4a7fb5">'
                "<title>{}: {} → {} · {:,}</title></rect>"
                '<text class="count" x="{}" y="{}">{:,}</text>'
            ).format(x1, y + 2, max(2, x2 - x1), row_h - 5, name, f"{a:%d/%m/%Y}", f"{b:%d/%m/%Y}",
                     r["articles"], label_w + bar_w + 8, y + row_h - 5, r["articles"])))
    parts.append("</svg>")
    return markupsafe.Markup("".join(parts))


# -- the page -----------------------------------------------------------------------------------


def _range(request, newest: date | None) -> tuple[date, date]:
    until = _day(request.args.get("until")) or newest or datetime.now(UTC).date()
    since = _day(request.args.get("since")) or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        since, until = until, since
    return since, until


def _columns(since: date, until: date) -> tuple[list[str], int, object]:
    """Column keys of the range (days, or months when long), the substr() length, the label."""
    if (until - since).days + 1 <= MAX_DAYS:
        days = [(since + timedelta(days=k)).isoformat() for k in range((until - since).days + 1)]
        return days, 10, lambda d: f"{d[8:10]}/{d[5:7]}"
    months, d = [], since.replace(day=1)
    while d <= until:
        months.append(d.isoformat()[:7])
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months, 7, lambda m: f"{m[5:7]}/{m[:4]}"


async def dashboard_page(datasette, request):
    from crawler.datasette import is_archive, paper_names

    database = request.url_vars["database"]
    if not is_archive(datasette, database):
        raise NotFound(f"Không phải kho bài báo · Not an archive: {database}")
    db = datasette.get_database(database)
    names = paper_names(datasette, database)
    newest = (await db.execute("SELECT max(published) FROM articles")).rows[0][0]
    since, until = _range(request, _day(newest))
    columns, width, column_label = _columns(since, until)
    # Published dates are local (+07:00) ISO strings: their first 10 characters are the local day.
    counts = (await db.execute(
        f"""SELECT site, province, substr(published, 1, {width}) AS k, count(*) AS n FROM articles
            WHERE published >= :since AND published < :until GROUP BY site, province, k""",
        {"since": since.isoformat(), "until": (until + timedelta(days=1)).isoformat()})).rows
    by_paper: dict[tuple[str, str], int] = {}
    by_province: dict[tuple[str, str], int] = {}
    for r in counts:
        by_paper[(r["site"], r["k"])] = by_paper.get((r["site"], r["k"]), 0) + r["n"]
        province = r["province"] or "(chưa rõ · unknown)"
        by_province[(province, r["k"])] = by_province.get((province, r["k"]), 0) + r["n"]
    depth = [dict(r) for r in (await db.execute(
        """SELECT site, min(published) AS oldest, max(published) AS newest, count(*) AS articles
           FROM articles WHERE published IS NOT NULL GROUP BY site""")).rows]
    papers = sorted({s for s, _ in by_paper} | {r["site"] for r in depth} | set(names),
                    key=lambda s: sort_key(names.get(s, s)))
    provinces = sorted({p for p, _ in by_province}, key=sort_key)
    depth.sort(key=lambda r: sort_key(names.get(r["site"], r["site"])))

    crawl_rows = [dict(r) for r in (await db.execute(
        """SELECT id, site, started, finished, finish_reason, requests, new_articles, duplicates,
                  rejects, errors FROM crawls WHERE id IN (SELECT max(id) FROM crawls GROUP BY site)""")).rows]
    last = {r["site"]: r for r in crawl_rows}
    judged = sorted(set(await db.execute_fn(lambda conn: site_names(Database(conn)))) | set(last))
    problems = await db.execute_fn(lambda conn: flagged(conn, judged))
    last_crawls = [
        dict(r, paper=names.get(s, s), started_display=vn_datetime(r["started"]),
             finished_display=vn_datetime(r["finished"]) if r["finished"] else None,
             url=datasette.urls.row(database, "crawls", str(r["id"])), problems=problems.get(s, []))
        for s, r in sorted(last.items(), key=lambda kv: sort_key(names.get(kv[0], kv[0])))
    ]
    context = {
        "database": database,
        "since": since.isoformat(), "until": until.isoformat(),
        "since_display": f"{since:%d/%m/%Y}", "until_display": f"{until:%d/%m/%Y}",
        "per_month": width == 7,
        "papers_chart": heatmap(papers, columns, by_paper, row_labels=names, column_label=column_label,
                                title="Số bài mỗi ngày theo báo · Articles per day per newspaper"),
        "provinces_chart": heatmap(provinces, columns, by_province, row_labels={}, column_label=column_label,
                                   title="Số bài mỗi ngày theo tỉnh · Articles per day per province"),
        "total": sum(by_paper.values()),
        "depth_chart": depth_chart(depth, names),
        "depth": [dict(r, paper=names.get(r["site"], r["site"]), oldest_display=vn_datetime(r["oldest"]),
                       newest_display=vn_datetime(r["newest"])) for r in depth],
        "last_crawls": last_crawls,
        "broken": [{"site": s, "paper": names.get(s, s), "why": why}
                   for s, why in sorted(problems.items(), key=lambda kv: sort_key(names.get(kv[0], kv[0])))],
    }
    return Response.html(await datasette.render_template("archive-dashboard.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/(?P<database>[^/]+)/-/dashboard$", dashboard_page)]


@hookimpl
def menu_links(datasette, actor, request):
    from crawler.datasette import archives

    return [{"href": datasette.urls.path(f"/{name}/-/dashboard"), "label": f"Tổng quan · Dashboard ({name})"}
            for name in archives(datasette)]
