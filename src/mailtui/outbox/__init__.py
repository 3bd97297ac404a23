"""Outgoing notifications: build (render, compose, S/MIME), deliver with retries, batches."""
