"""The explorer page: the state of every place on any day, offline in one HTML file."""
from .page import build_page, write_explorer

__all__ = ["build_page", "write_explorer"]
