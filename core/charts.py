"""Server-rendered SVG charts: no JavaScript, no CDN, no inline style (the CSP forbids it).

Colours come from CSS classes in static/css/app.css (``s-<key>`` for a series or a
segment), text inherits the page's CJK font stack, and every mark has a ``<title>`` so a
screen reader or a hover shows its value. Each chart on the page is followed by a plain
table with the same numbers.
"""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH = 720


def percent(value, digits=1):
    """0.4567 -> "45.7%"; None -> "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def _svg(width, height, title, body, css="svg-chart"):
    # A chart whose marks link to their lists is a group of links, not one image: an
    # image's children are presentational, and links inside it would be nested controls.
    role = "group" if "<a " in body else "img"
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" role="{}" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        css,
        width,
        height,
        role,
        title,
        title,
        body,
    )


def _link(url, inner, label=None):
    if not url:
        return inner
    if label:
        return format_html('<a href="{}" aria-label="{}">{}</a>', url, label, inner)
    return format_html('<a href="{}">{}</a>', url, inner)


def ring(rate, label, url=None, size=132):
    """A ring for one headline rate; the number in the middle links to its list."""
    r = size / 2 - 12
    c = 2 * math.pi * r
    filled = 0 if rate is None else max(0.0, min(rate, 1.0)) * c
    centre = size / 2
    text = percent(rate)
    body = format_html(
        '<circle class="ring-track" cx="{c}" cy="{c}" r="{r}"/>'
        '<circle class="ring-value" cx="{c}" cy="{c}" r="{r}" '
        'stroke-dasharray="{f} {rest}" transform="rotate(-90 {c} {c})"/>'
        '<text class="ring-text" x="{c}" y="{y}">{t}</text>',
        c=f"{centre:.1f}",
        r=f"{r:.1f}",
        f=f"{filled:.2f}",
        rest=f"{c:.2f}",
        y=f"{centre + 6:.1f}",
        t=text,
    )
    svg = _svg(size, size, f"{label}: {text}", _link(url, body, f"{label}: {text}"), css="svg-ring")
    return format_html('<figure class="ring">{}<figcaption>{}</figcaption></figure>', svg, label)


def stacked_bars(rows, legend, title, label_width=170, row_height=24, width=WIDTH):
    """One 100 % bar per row, split into segments that link to their lists.

    rows: [(label, [(key, count, url), …])]; legend: [(key, label)]. With
    ``label_width=0`` the row labels are left out (a single bar in a narrow card).
    """
    if not rows:
        return ""
    bar_width = width - label_width - 70
    height = row_height * len(rows) + 8
    parts = []
    for i, (label, segments) in enumerate(rows):
        y = 4 + i * row_height
        total = sum(count for _, count, _ in segments)
        if label_width:
            parts.append(
                format_html(
                    '<text class="bar-label" x="{}" y="{}">{}</text>',
                    label_width - 8,
                    y + row_height * 0.62,
                    _shorten(label, 14),
                )
            )
        x = label_width
        for key, count, url in segments:
            if not count:
                continue
            w = bar_width * count / total
            rect = format_html(
                '<rect class="seg s-{}" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {} ({})</title></rect>",
                key,
                f"{x:.2f}",
                y + 3,
                f"{w:.2f}",
                row_height - 6,
                dict(legend).get(key, key),
                count,
                percent(count / total),
            )
            parts.append(_link(url, rect))
            x += w
        parts.append(
            format_html(
                '<text class="bar-total" x="{}" y="{}">{}</text>',
                label_width + bar_width + 6,
                y + row_height * 0.62,
                total,
            )
        )
    svg = _svg(width, height, title, mark_safe("".join(parts)))  # noqa: S308 (escaped parts)
    return format_html('<figure class="chart">{}{}</figure>', svg, _legend(legend))


def _legend(legend):
    return format_html(
        '<figcaption class="legend">{}</figcaption>',
        format_html_join(
            "", '<span class="key s-{}"></span><span class="key-label">{}</span>', legend
        ),
    )


def _shorten(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_max(value):
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def line(x_labels, series, title, as_percent=False, height=240):
    """Lines over time. series: [(key, label, [value or None, …])]; rates when as_percent."""
    if not x_labels:
        return ""
    left, right, top, bottom = 52, 16, 12, 30
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [v for _, _, vs in series for v in vs if v is not None]
    y_max = 1.0 if as_percent else _nice_max(max(values, default=0))
    n = len(x_labels)

    def x_at(i):
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(v):
        return top + plot_h * (1 - v / y_max)

    parts = []
    for k in range(5):
        v = y_max * k / 4
        y = y_at(v)
        tick = f"{v * 100:.0f}%" if as_percent else f"{v:,.0f}"
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="y-label" x="{}" y="{}">{}</text>',
                left,
                WIDTH - right,
                f"{y:.1f}",
                f"{y:.1f}",
                left - 6,
                f"{y + 4:.1f}",
                tick,
            )
        )
    every = max(1, math.ceil(n / 12))
    for i, label in enumerate(x_labels):
        if (n - 1 - i) % every == 0:  # evenly spaced, ending on the last point
            parts.append(
                format_html(
                    '<text class="x-label" x="{}" y="{}">{}</text>',
                    f"{x_at(i):.1f}",
                    height - 10,
                    label,
                )
            )
    parts.append(
        format_html(
            '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>',
            left,
            WIDTH - right,
            top + plot_h,
            top + plot_h,
        )
    )
    for key, label, vs in series:
        run = []
        for i, v in enumerate(vs + [None]):
            if v is None:
                if len(run) > 1:
                    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                    parts.append(
                        format_html('<polyline class="series s-{}" points="{}"/>', key, points)
                    )
                run = []
                continue
            run.append((x_at(i), y_at(v)))
        for i, v in enumerate(vs):
            if v is None:
                continue
            shown = percent(v) if as_percent else f"{v:,}"
            parts.append(
                format_html(
                    '<circle class="dot s-{}" cx="{}" cy="{}" r="2.5">'
                    "<title>{} {}: {}</title></circle>",
                    key,
                    f"{x_at(i):.1f}",
                    f"{y_at(v):.1f}",
                    label,
                    x_labels[i],
                    shown,
                )
            )
    svg = _svg(WIDTH, height, title, mark_safe("".join(parts)))  # noqa: S308 (escaped parts)
    return format_html(
        '<figure class="chart">{}{}</figure>',
        svg,
        _legend([(key, label) for key, label, _ in series]),
    )
