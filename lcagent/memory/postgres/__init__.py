"""The PostgreSQL workspace backend (``pip install "lcagent[cluster]"``)."""
