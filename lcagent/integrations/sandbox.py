"""Which files an agent from another stack may ask lcagent to ingest.

Paths come from a remote model, so they are untrusted: each is resolved (following
symlinks) and must land inside a directory the user allowed; anything else is refused
before a byte is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from lcagent.ingest import expand_paths, refuse_control_characters
from lcagent.loaders.base import IngestError

MAX_FILES_PER_CALL = 200  # a directory argument must not turn one call into an unbounded crawl


@dataclass(frozen=True)
class AllowedDirs:
    """Directories whose files may be ingested. Relative paths resolve against the first one."""

    roots: tuple[Path, ...]

    @classmethod
    def of(cls, directories: Sequence[str | Path] | None) -> "AllowedDirs":
        chosen = list(directories) if directories else [Path.cwd()]
        roots = []
        for directory in chosen:
            root = Path(directory).expanduser().resolve()
            if not root.is_dir():
                raise IngestError(f"allowed directory {directory} is not a directory; pass an existing one to --allow-dir")
            roots.append(root)
        return cls(tuple(roots))

    def contains(self, path: Path) -> bool:
        return any(path == root or path.is_relative_to(root) for root in self.roots)

    def describe(self) -> str:
        return ", ".join(str(root) for root in self.roots)

    def resolve(self, raw: str) -> list[Path]:
        """The files ``raw`` names (a file, or a directory searched for supported files), all inside the roots.

        Raises IngestError, naming the allowed directories, for anything that resolves outside them.
        """
        if not raw or not raw.strip():
            raise IngestError("empty path; name a file inside " + self.describe())
        # '..' is not refused by name: containment is checked on the resolved path instead.
        refuse_control_characters(raw)
        candidate = Path(raw).expanduser()
        if not candidate.is_absolute():
            candidate = self.roots[0] / candidate
        # resolve() follows every symlink, so a link inside a root that points outside is caught here.
        resolved = candidate.resolve()
        if not self.contains(resolved):
            raise IngestError(
                f"{raw!r} resolves to {resolved}, outside the allowed directories ({self.describe()}); "
                "restart the server with --allow-dir for that directory if the user meant it"
            )
        if not resolved.exists():
            raise IngestError(f"{raw!r} does not exist in the allowed directories ({self.describe()}); check the path")
        files = expand_paths([str(resolved)]) if resolved.is_dir() else [resolved]
        outside = [f for f in files if not self.contains(f.resolve())]
        if outside:
            raise IngestError(f"{outside[0]} resolves outside the allowed directories ({self.describe()}); refused")
        if len(files) > MAX_FILES_PER_CALL:
            raise IngestError(
                f"{raw!r} holds {len(files)} files, more than {MAX_FILES_PER_CALL} per call; ingest sub-directories"
            )
        return files


