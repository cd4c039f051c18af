"""The Nu HTML checker (vnu-jar, from npm) run over pages."""

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def vnu_jar() -> str:
    result = subprocess.run(
        ["node", "-e", "process.stdout.write(String(require('vnu-jar')))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"No vnu-jar (run scripts/setup.sh): {result.stderr}"
    assert Path(result.stdout).is_file(), result.stdout
    return result.stdout


def validate(pages: dict[str, str], folder: Path) -> list[str]:
    """Nu HTML checker errors, as "page, line: message" lines."""
    assert shutil.which("java"), "Java is not installed (run scripts/setup.sh as root)"
    # Pages that differ only in their CSRF token and CSP nonce are checked once.
    files: dict[str, list[str]] = {}
    for label, html in pages.items():
        normal = re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', "", html)
        name = hashlib.sha256(normal.encode()).hexdigest()[:16] + ".html"
        if name not in files:
            (folder / name).write_text(html, encoding="utf-8")
        files.setdefault(name, []).append(label)
    result = subprocess.run(
        ["java", "-jar", vnu_jar(), "--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(folder / name) for name in sorted(files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except ValueError:
        pytest.fail(f"vnu.jar did not answer in JSON: {result.stdout}{result.stderr}")
    errors = []
    for m in messages:
        labels = files.get(Path(m.get("url", "")).name, [m.get("url", "?")])
        also = f" (and {len(labels) - 1} more)" if len(labels) > 1 else ""
        errors.append(
            f"{labels[0]}{also} [{Path(m.get('url', '')).name}] "
            f"line {m.get('lastLine', '?')}: {m.get('message')}"
        )
    return errors
