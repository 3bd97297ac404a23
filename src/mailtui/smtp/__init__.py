"""The SMTP session engine, its transcript, stages and explanations, and the probe."""
