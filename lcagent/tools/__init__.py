"""Tools an agent can call over an ingested workspace: search, grep, read, list, count. Read-only."""
