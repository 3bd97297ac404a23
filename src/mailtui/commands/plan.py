"""``mailtui plan``: the effective connection the properties describe."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from mailtui.commands._common import (
    add_override_arguments,
    load_settings_from_args,
    print_json,
)

if TYPE_CHECKING:
    from mailtui.services.plan import PlanDescription


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan",
        help="show the effective connection the properties describe",
        description="Resolve the JavaMail properties and settings into the connection mailtui "
        "(and a Java application) will make: host, port, TLS mode, certificate checks, "
        "authentication, timeouts, envelope. Exit 3 when the properties hold errors (listed "
        "under Errors:, and in the JSON's errors list).",
        epilog="examples:\n  mailtui plan\n  mailtui plan --json | jq .security",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print one JSON object (SPEC §4)")
    add_override_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mailtui.errors import EXIT_CONFIG
    from mailtui.services.plan import describe_plan, effective_plan

    plan = effective_plan(load_settings_from_args(args))
    if args.json:
        print_json(plan.to_json())
    else:
        print("\n".join(format_description(describe_plan(plan))))
    return EXIT_CONFIG if plan.errors else 0


def format_description(description: PlanDescription) -> list[str]:
    lines = [f"{name:<14}{value}" for name, value in description.rows]
    for title, notes in (("Errors:", description.errors), ("Warnings:", description.warnings),
                         ("Info:", description.info)):
        if notes:
            lines += ["", title, *(f"  - {note}" for note in notes)]
    return lines
