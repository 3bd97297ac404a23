"""The event catalog: the 44 events of SPEC §5 plus test_message, as data."""

from __future__ import annotations

import json

import pytest

from mailtui.cli import main
from mailtui.errors import ConfigError
from mailtui.events.catalog import LOCALES, VARIABLE_TYPES, load_catalog, parse_catalog

# SPEC §5, in its order: id -> seed title.
SPEC_EVENTS = {
    "o365_decommissioning_list_error": "Error generating an Office 365 downgrade list (GAC)",
    "task_deleted": "Tasks deleted",
    "task_status_modified": "Modified task status",
    "task_assignee_modified": "Person assigned to the modified task",
    "task_collaborator_added": "New task collaborator",
    "task_follower_added": "New person who follows the task",
    "task_assigned_to_you": "A new task is assigned to you",
    "task_subtask_modified": "Modified sub-task",
    "task_completed": "Task completed",
    "task_reminder": "Task reminder",
    "loan_reminder": "Loan reminder",
    "document_available": "Alert when the document is available",
    "decommissioning_approval_requested": "Request for approval of a decommissioning list",
    "decommissioning_approval_accepted": "Application for approval accepted",
    "decommissioning_approval_rejected": "Application for approval rejected",
    "decommissioning_validation_requested": "Request for validation of a decommissioning list",
    "decommissioning_validation_accepted": "Validation request accepted",
    "decommissioning_list_created": "Decommissioning list created",
    "loan_borrowed": "Folder/Borrowed container",
    "loan_returned": "Folder/Container returned",
    "loan_reactivated": "Folder/Container reactivated",
    "loan_extension_requested": "Request for loan extension",
    "loan_request_accepted": "Loan application accepted",
    "loan_return_accepted": "Return request accepted",
    "loan_reactivation_accepted": "Reactivation request accepted",
    "loan_extension_accepted": "Loan extension request accepted",
    "loan_request_refused": "Loan application refused",
    "loan_return_refused": "Return request refused",
    "loan_reactivation_refused": "Reactivation request refused",
    "loan_period_ended": "Loan period ended",
    "decommissioning_processing_completed": "Processing of the decommissioning list completed",
    "signature_requested": "Request for signature",
    "signature_failed": "Signature failed",
    "o365_import_completed": "Import completed (O365)",
    "system_notification_available": "Notification available (Update available, new license)",
    "record_shared": "Folder/document sharing",
    "security_password_changed": "Password changed",
    "security_new_ip_login": "Connection with a new IP address",
    "security_suspicious_logins": "Suspicious/high number of logins",
    "watch_file_modified": "Notification: Modification of a file",
    "watch_folder_deleted": "Notification: Deletion of a folder",
    "watch_subfolder_added": "Notification: Subfolder added",
    "watch_subfolder_modified": "Notification: Modified subfolder",
    "watch_subfolder_deleted": "Notification: Subfolder deleted",
}
CATEGORIES = {"tasks", "loans", "decommissioning", "signatures", "sharing", "security", "watch",
              "office365", "system", "test"}


def test_catalog_has_the_spec_events_in_order_plus_test_message() -> None:
    catalog = load_catalog()
    assert len(SPEC_EVENTS) == 44
    assert catalog.ids == [*SPEC_EVENTS, "test_message"]
    for event_id, title in SPEC_EVENTS.items():
        assert catalog.get(event_id).title == title


def test_every_event_is_complete() -> None:
    for event in load_catalog():
        assert event.category in CATEGORIES
        assert set(event.titles) == set(LOCALES)
        assert event.titles["fr"] and event.titles["fr"] != event.titles["en"]
        assert event.description.startswith("Sent ")
        assert event.variables or event.id == "test_message"
        for var in event.variables:
            assert var.type in VARIABLE_TYPES
            assert var.description
            assert var.sample not in (None, ""), (event.id, var.name)
        assert event.cta in event.variable_names or event.cta == "app_url"


def test_task_loan_and_decommissioning_events_carry_the_seed_variables() -> None:
    catalog = load_catalog()
    assigned = catalog.get("task_assigned_to_you").variable_names
    for name in ("task_title", "due_on", "assigned_by", "assigned_on", "task_description",
                 "task_status", "candidate_users", "candidate_groups", "task_url"):
        assert name in assigned
    assert "task_complete_url" in catalog.get("task_reminder").variable_names
    borrowed = catalog.get("loan_borrowed").variable_names
    for name in ("record_title", "record_type", "borrower", "borrowed_on", "return_on",
                 "record_url"):
        assert name in borrowed
    assert "new_return_on" in catalog.get("loan_extension_requested").variable_names
    rejected = catalog.get("decommissioning_approval_rejected").variable_names
    for name in ("list_title", "rejected_by", "rejected_on", "comment", "list_url"):
        assert name in rejected
    login = catalog.get("security_new_ip_login").variable_names
    for name in ("ip_address", "occurred_at", "device", "location"):
        assert name in login


def test_localised_samples() -> None:
    event = load_catalog().get("task_status_modified")
    assert event.samples("en")["task_status"] == "In progress"
    assert event.samples("fr")["task_status"] == "En cours"


def test_shared_variables_have_defaults() -> None:
    catalog = load_catalog()
    assert catalog.shared_defaults()["app_name"] == "Records"
    assert {"app_name", "app_url", "recipient_name", "recipient_email"} <= set(
        catalog.shared_defaults()
    )


def test_unknown_event_suggests_close_ids() -> None:
    with pytest.raises(ConfigError) as info:
        load_catalog().get("task_asigned_to_you")
    assert "task_asigned_to_you" in str(info.value)
    assert "task_assigned_to_you" in (info.value.hint or "")


def test_inconsistent_catalog_is_rejected() -> None:
    text = """
[categories]
tasks = { en = "Tasks", fr = "Tâches" }
[[events]]
id = "x"
category = "tasks"
title = { en = "X", fr = "X" }
description = "Sent never."
variables = ["nope"]
cta = "nope"
"""
    with pytest.raises(ValueError, match="undefined variable 'nope'"):
        parse_catalog(text)


def test_events_json_lists_exactly_the_45_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = [e["id"] for e in data["events"]]
    assert ids == [*SPEC_EVENTS, "test_message"]
    first = data["events"][0]
    assert {"id", "category", "title", "description", "variables", "cta"} <= set(first)
    assert {"name", "type", "description", "sample"} <= set(first["variables"][0])
    assert {v["name"] for v in data["shared_variables"]} >= {"app_name", "app_url"}


def test_events_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "CATEGORY", "TITLE"]
    assert len(lines) == 46
    assert any(line.startswith("task_reminder") and "Task reminder" in line for line in lines)


def test_events_table_by_category_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--category", "loans", "--locale", "fr"]) == 0
    out = capsys.readouterr().out
    assert "Rappel de prêt" in out and "task_" not in out
    assert main(["events", "--category", "nope"]) == 3
    assert "unknown category" in capsys.readouterr().err


@pytest.mark.parametrize("category", ["test", "loans", None])
def test_events_table_columns_line_up(category: str | None,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 8 #18: with `--category test` every category is shorter than the CATEGORY
    header, and the column was not padded: the titles started in different places."""
    assert main(["events", *(["--category", category] if category else [])]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    title_at = header.index("TITLE")
    assert header.index("CATEGORY") < title_at
    for row in rows:
        assert row[title_at - 2 : title_at] == "  " and row[title_at] != " ", row
