"""Print the uv flags that give uv what this machine's pip is configured with (``pip config list``): find-links,
index and extra index URLs, constraint files, the CA bundle. uv reads no pip configuration, and a machine whose
packages come from a local mirror or wheel folder must install the same packages with either tool.

Entries that point at a missing local folder or file are left out (pip only warns about those; uv would fail).
Run by the Makefile: ``uv pip install $(python tools/pip_to_uv.py) ...``.
"""

from __future__ import annotations

import configparser
import os
import shlex
from pathlib import Path
from urllib.parse import urlparse

FLAGS = {"find-links": "--find-links", "index-url": "--index-url", "extra-index-url": "--extra-index-url",
         "constraint": "--constraint"}


def _exists(location: str) -> bool:
    """A URL is taken as is; a local path (or file:// URL) must exist."""
    parsed = urlparse(location)
    if parsed.scheme in ("http", "https"):
        return True
    return os.path.exists(parsed.path if parsed.scheme == "file" else location)


def pip_settings() -> list[tuple[str, str]]:
    """(key, value) of every pip setting, read as pip reads them (without starting pip, which takes seconds on a
    busy machine): the ``[global]`` and ``[install]`` sections of the site, user and ``PIP_CONFIG_FILE`` files,
    then ``PIP_...`` environment variables."""
    xdg_dirs = os.environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(os.pathsep)
    home = Path.home()
    files = [*(Path(d) / "pip" / "pip.conf" for d in xdg_dirs), Path("/etc/pip.conf"), home / ".pip" / "pip.conf",
             Path(os.environ.get("XDG_CONFIG_HOME", home / ".config")) / "pip" / "pip.conf"]
    if os.environ.get("PIP_CONFIG_FILE"):
        files.append(Path(os.environ["PIP_CONFIG_FILE"]))
    found: list[tuple[str, str]] = []
    for file in files:
        parser = configparser.RawConfigParser()
        try:
            parser.read(file, encoding="utf-8")
        except (OSError, configparser.Error):
            continue
        for section in ("global", "install"):
            if parser.has_section(section):
                found += [(key, value.strip()) for key, value in parser.items(section)]
    found += [(var.removeprefix("PIP_").lower().replace("_", "-"), value) for var, value in os.environ.items()
              if var.startswith("PIP_")]
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
