"""Everything persistent: the SQLite workspace (documents, pages, chunks, indexes), traces and agent memory."""
