"""Where the Pulumi project the checkers read lives: the checkout when run from source, else the working directory.

From a source checkout the repository's own program (``Pulumi.yaml``, stack files, ``policies/waivers.yaml``) is the
default; an installed wheel has no such folder beside it, so the default is the folder the command runs in.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def project_root(package_dir: Path = PACKAGE_DIR, cwd: Path | None = None) -> Path:
    """The checkout holding the package if it is a Pulumi project, else ``cwd`` (default: the working directory)."""
    checkout = package_dir.parent
    if (checkout / "Pulumi.yaml").is_file() and (checkout / "pyproject.toml").is_file():
        return checkout
    return cwd if cwd is not None else Path.cwd()


PROJECT_ROOT = project_root()
