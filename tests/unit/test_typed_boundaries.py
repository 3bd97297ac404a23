"""Issue 9 #7: typed boundaries: failure kinds, reply codes, and a public API that an
embedding application's type checker sees (PEP 561), not ``Any``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mailtui.smtp.codes import NOT_A_REPLY, ReplyCode, is_permanent, is_transient
from mailtui.smtp.failure_rules import FAILURE_RULES, FailureRule
from mailtui.smtp.results import FAILURE_KINDS, Failure
from mailtui.smtp.stages import Stage

ROOT = Path(__file__).resolve().parents[2]


def test_a_failure_of_an_unknown_kind_is_refused() -> None:
    assert Failure(Stage.DNS, Stage.DNS, "dns").kind == "dns"
    with pytest.raises(ValueError, match="unknown failure kind 'dnss'"):
        Failure(Stage.DNS, Stage.DNS, "dnss")  # type: ignore[arg-type]


def test_an_explanation_for_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="tls-handshak"):
        FailureRule("words", "fix", kinds=frozenset({"tls-handshak"}))  # type: ignore[arg-type]


def test_every_failure_kind_has_an_explanation_of_its_own() -> None:
    explained = set().union(*(rule.kinds for rule in FAILURE_RULES))
    assert explained == FAILURE_KINDS


def test_reply_codes_compare_as_the_numbers_smtplib_returns() -> None:
    assert ReplyCode.OK == 250 and ReplyCode.START_MAIL_INPUT == 354
    assert ReplyCode.SERVICE_NOT_AVAILABLE == 421 and 250 in (ReplyCode.OK, ReplyCode.WILL_FORWARD)
    assert ReplyCode(535) is ReplyCode.INVALID_CREDENTIALS
    assert [is_transient(c) for c in (399, 400, 451, 499, 500)] == [False, True, True, True, False]
    assert [is_permanent(c) for c in (499, 500, 554, 599, 600)] == [False, True, True, True, False]
    assert not is_transient(NOT_A_REPLY) and not is_permanent(NOT_A_REPLY)


APP = '''
from mailtui import Mailer, load_config
from mailtui.api import SendError
from mailtui.smtp.results import Failure
from mailtui.smtp.stages import Stage

config = load_config("mailtui.toml")
reveal_type(config)
with Mailer(config, on_event=lambda event: print(event.text)) as mailer:
    delivery = mailer.send_event("task_assigned_to_you", to="bob@example.org")
    reveal_type(delivery)
    reveal_type(delivery.status)
try:
    pass
except SendError as exc:
    reveal_type(exc.delivery)
Failure(Stage.DNS, Stage.DNS, "dnss")
'''


def test_the_public_api_is_typed_for_an_embedding_application(tmp_path: Path) -> None:
    """An application type-checking its use of mailtui sees the real types (the package
    ships ``py.typed``), and a misspelt failure kind is a type error."""
    from mypy import api

    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent(APP))
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                "--cache-dir", str(tmp_path / "cache"), str(app)])
    lines = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith(str(app))]
    assert lines[0] == 'note: Revealed type is "mailtui.config.model.Settings"', out + err
    assert lines[1] == 'note: Revealed type is "mailtui.outbox.deliver.Delivery"', out
    assert "'sent'" in lines[2] and "'uncertain'" in lines[2] and "Any" not in lines[2], out
    assert lines[3] == 'note: Revealed type is "mailtui.outbox.deliver.Delivery"', out
    assert lines[4].startswith('error: Argument 3 to "Failure" has incompatible type '
                               '"Literal[\'dnss\']"'), out
    assert len(lines) == 5, out  # nothing else: no error in mailtui itself either
    assert status == 1
