"""Document loaders: turn a PDF, text, Markdown or HTML file into normalised page texts.

``load_document(path)`` is the entry point; ``register_loader`` adds a format.
"""

from lcagent.loaders.base import IngestError, Loader
from lcagent.loaders.html import HtmlLoader
from lcagent.loaders.normalize import normalize_page_text
from lcagent.loaders.pdf import PdfLoader
from lcagent.loaders.registry import (
    load_document,
    loader_for,
    register_loader,
    registered_loaders,
    supported_suffixes,
)
from lcagent.loaders.text import LINES_PER_VIRTUAL_PAGE, TextLoader, split_pages

# Later registrations take priority: text is the fallback, a PDF signature beats all.
register_loader(TextLoader())
register_loader(HtmlLoader())
register_loader(PdfLoader())

__all__ = [
    "HtmlLoader", "IngestError", "LINES_PER_VIRTUAL_PAGE", "Loader", "PdfLoader", "TextLoader",
    "load_document", "loader_for", "normalize_page_text", "register_loader",
    "registered_loaders", "split_pages", "supported_suffixes",
]
