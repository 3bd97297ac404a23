"""One module per headless command.

Each module defines ``register(subparsers)`` and keeps its top-level imports to the
standard library, importing the heavy parts inside its handler so that ``mailtui --help``
and every headless command start fast and never import Textual.
"""
