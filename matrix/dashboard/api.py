"""The JSON summary (docs/API.md): each panel's part, from the same figures as the page."""


def summary(ctx, loaded):
    body = {
        "as_of": ctx.day.isoformat(),
        "area": {"id": ctx.area.pk, "level": ctx.area.level, "name": ctx.area.name},
    }
    for panel, figures in loaded:
        part = panel.json(ctx, figures)
        if panel.summary_key:
            body[panel.summary_key] = part
        else:
            body.update(part)
    return body
