"""The system packages are one list (scripts/prereqs.sh), checked in seconds, quoted in the README."""

import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "prereqs.sh"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=30, env=env
    )


def test_the_readme_quotes_the_list():
    packages = run("list", "test").stdout.strip()
    assert "ffmpeg" in packages.split()
    assert f"sudo apt-get install {packages}\n" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_make_and_ci_use_the_script():
    assert "$(PREREQS) check test" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "make deps" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_missing_packages_stop_with_one_install_line(tmp_path):
    """A machine with none of them: a quick stop that names them, on one apt-get line."""
    for tool in ("bash", "grep", "id", "env"):
        (tmp_path / tool).symlink_to(shutil.which(tool))
    env = {**os.environ, "PATH": str(tmp_path)}
    started = time.monotonic()
    result = run("check", "test", env=env)
    assert time.monotonic() - started < 5
    assert result.returncode == 1
    (line,) = [ln for ln in result.stdout.splitlines() if "apt-get install" in ln]
    assert {"make", "git", "espeak-ng", "sox", "ffmpeg"} <= set(line.split())


def test_run_needs_fewer_and_only_warns_about_voice(tmp_path):
    for tool in ("bash", "grep", "id", "env", "make", "git"):
        (tmp_path / tool).symlink_to(shutil.which(tool))
    result = run("check", "run", env={**os.environ, "PATH": str(tmp_path)})
    assert result.returncode == 0, result.stdout
    assert "espeak-ng" in result.stdout and "text chat works" in result.stdout
