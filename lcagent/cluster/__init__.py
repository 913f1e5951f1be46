"""Work spread over processes or machines: ingest many files and answer many questions.

Workers compute (extract, chunk, embed; run a strategy against a model); the driver alone
writes documents to the workspace. ``pools`` says where the work runs: a local process pool or
Ray (``pip install "lcagent[cluster]"``).
"""
