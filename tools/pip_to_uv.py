"""Print the uv flags that give uv what this machine's pip is configured with (``pip config list``): find-links,
index and extra index URLs, constraint files, the CA bundle. uv reads no pip configuration, and a machine whose
packages come from a local mirror or wheel folder must install the same packages with either tool.

Entries that point at a missing local folder or file are left out (pip only warns about those; uv would fail).
Run by the Makefile: ``uv pip install $(python tools/pip_to_uv.py) ...``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from urllib.parse import urlparse

FLAGS = {"find-links": "--find-links", "index-url": "--index-url", "extra-index-url": "--extra-index-url",
         "constraint": "--constraint"}


def _exists(location: str) -> bool:
    """A URL is taken as is; a local path (or file:// URL) must exist."""
    parsed = urlparse(location)
    if parsed.scheme in ("http", "https"):
        return True
    return os.path.exists(parsed.path if parsed.scheme == "file" else location)


def pip_settings(python: str = sys.executable) -> list[tuple[str, str]]:
    """(key, value) of every pip setting, environment ones (``PIP_...``) included."""
    try:
        text = subprocess.run([python, "-m", "pip", "config", "list"], capture_output=True, text=True,
                              timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = []
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            found.append((key.rpartition(".")[2], value.strip().strip("'\"")))
    return found


def uv_flags(settings: list[tuple[str, str]]) -> list[str]:
    """The uv flags for pip's ``settings``, each once (pip lists a setting once per place it is set)."""
    pairs: list[tuple[str, ...]] = []
    for key, value in settings:
        if key == "cert" and os.path.exists(value):
            pairs.append(("--cert", value))
            continue
        flag = FLAGS.get(key)
        if flag is None:
            continue
        pairs += [(flag, location) for location in value.split() if _exists(location)]
    if any(pair[0] == "--extra-index-url" for pair in pairs):
        # pip takes the best version from all indexes; uv, by default, only the first index that has the package
        pairs.append(("--index-strategy", "unsafe-best-match"))
    return [part for pair in dict.fromkeys(pairs) for part in pair]


if __name__ == "__main__":
    print(shlex.join(uv_flags(pip_settings())))
