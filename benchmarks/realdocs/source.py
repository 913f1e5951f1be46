"""Read MMLongBench-Doc's files from a clone (a work tree) or a bare mirror (a git directory).

Shared by choose.py and prepare.py; nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

SAMPLES = "data/samples.json"
DOCUMENTS = "data/documents"


class SourceError(Exception):
    """The source folder is not an MMLongBench-Doc checkout, or lacks a file we need."""


class Source:
    """Files of one MMLongBench-Doc revision: ``commit`` pins it when the source is a git repository."""

    def __init__(self, path: str | Path, commit: str | None = None) -> None:
        self.path = Path(path).expanduser()
        self.commit = commit
        if (self.path / SAMPLES).is_file():
            self.bare = False
        elif self._git("cat-file", "-e", f"HEAD:{SAMPLES}", status=True) == 0:
            self.bare = True  # a git directory without a work tree (a bare clone or a mirror)
        else:
            raise SourceError(f"{self.path} is neither a clone of mayubo2333/MMLongBench-Doc (no {SAMPLES}) "
                              "nor a bare mirror of it; pass --source the folder `git clone` made")
        if self.bare:
            revision = commit or "HEAD"
            if self._git("cat-file", "-e", f"{revision}^{{commit}}", check=False, status=True):
                revision = "HEAD"  # the mirror moved on: files are still checked by sha256
            self.revision = revision

    def _git(self, *args: str, check: bool = True, status: bool = False):
        done = subprocess.run(["git", "--git-dir", str(self.path), *args], capture_output=True)
        if status:
            return done.returncode
        if check and done.returncode:
            raise SourceError(f"git {' '.join(args)} failed in {self.path}: "
                              f"{done.stderr.decode(errors='replace').strip()}")
        return done.stdout.decode(errors="replace")

    def read(self, relative: str) -> bytes:
        if not self.bare:
            file = self.path / relative
            if not file.is_file():
                raise SourceError(f"{file} is missing from the source; is the clone complete (git lfs pull)?")
            return file.read_bytes()
        spec = f"{self.revision}:{relative}"
        done = subprocess.run(["git", "--git-dir", str(self.path), "cat-file", "blob", spec], capture_output=True)
        if done.returncode:
            raise SourceError(f"{relative} is not in the mirror at {self.path} ({self.revision}); "
                              "a mirror may leave out its largest files: use a full clone")
        return done.stdout

    def commit_id(self) -> str | None:
        """The revision read: the pinned or HEAD commit of a mirror, a clone's HEAD, else None."""
        if self.bare:
            return self._git("rev-parse", self.revision).strip()
        done = subprocess.run(["git", "-C", str(self.path), "rev-parse", "HEAD"], capture_output=True)
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def samples(self) -> list[dict]:
        return json.loads(self.read(SAMPLES))

    def document(self, name: str) -> bytes:
        return self.read(f"{DOCUMENTS}/{name}")

    def document_names(self) -> list[str]:
        if not self.bare:
            return sorted(path.name for path in (self.path / DOCUMENTS).glob("*.pdf"))
        listing = self._git("ls-tree", "--name-only", f"{self.revision}:{DOCUMENTS}")
        return sorted(name for name in listing.split("\n") if name.endswith(".pdf"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def question_hash(text: str) -> str:
    """What the committed ids keep of a question: enough to check the source, not the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
