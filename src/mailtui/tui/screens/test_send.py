"""Test send: a placeholder until the live transcript screen lands (next milestone)."""

from __future__ import annotations

from mailtui.tui.screens.base import MainScreen


class TestSendScreen(MainScreen):
    MODE = "test_send"

    def body_text(self) -> str:
        to = self.editor.get("server.test_recipient") or "(not set: server.test_recipient)"
        return (
            "Test send\n\n"
            "Sending a test with the live SMTP conversation comes in the next version.\n"
            "Until then, save (ctrl+s), quit, and from a shell:\n\n"
            "  mailtui send-test   send the test message, transcript streamed live\n"
            "  mailtui probe       what the server offers, before and after TLS\n\n"
            f"Test recipient: {to}"
        )
