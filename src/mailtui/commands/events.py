"""``mailtui events``: the notification event catalog."""

from __future__ import annotations

import argparse

from mailtui.commands._common import print_json

EPILOG = """\
examples:
  mailtui events                      every event: id, category, title
  mailtui events --category loans     only the loan notifications
  mailtui events --locale fr          French titles
  mailtui events --json | jq '.events[] | select(.id == "task_reminder") | .variables'
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "events",
        help="list the notification events",
        description="List the notification events mailtui can render and send.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="the full catalog: titles, descriptions, variables with types and samples",
    )
    p.add_argument("--category", metavar="ID", help="only the events of this category")
    p.add_argument(
        "--locale", default="en", metavar="L", help="language of the titles: en (default) or fr"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mailtui.errors import ConfigError
    from mailtui.events.catalog import load_catalog
    from mailtui.events.render import normalize_locale

    catalog = load_catalog()
    locale = normalize_locale(args.locale)
    events = list(catalog.events)
    if args.category:
        if args.category not in catalog.categories:
            raise ConfigError(
                f"unknown category {args.category!r}",
                hint=f"categories: {', '.join(catalog.categories)}",
            )
        events = [e for e in events if e.category == args.category]
    if args.json:
        data = catalog.to_dict()
        data["events"] = [e.to_dict() for e in events]
        print_json(data)
        return 0
    # A column is as wide as its widest cell, the header included.
    width = max(len("ID"), *(len(e.id) for e in events))
    cat_width = max(len("CATEGORY"), *(len(e.category) for e in events))
    print(f"{'ID':<{width}}  {'CATEGORY':<{cat_width}}  TITLE")
    for event in events:
        print(f"{event.id:<{width}}  {event.category:<{cat_width}}  {event.title_for(locale)}")
    return 0
