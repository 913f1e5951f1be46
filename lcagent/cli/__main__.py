"""``python -m lcagent.cli`` runs the command line."""

import sys

from lcagent.cli import main

sys.exit(main())
