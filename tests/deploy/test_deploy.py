"""The deployment recipes in deploy/ stay valid and in step with the README and with each other."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "lede.service"
INSTALL = re.compile(r"python3 -m venv (\S+) && \1/bin/pip install -q \.")


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_dockerfile_installs_lede_with_the_readme_command():
    [install] = [match.group(0) for match in INSTALL.finditer((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))]
    assert install in readme_section("Run it as a service"), "the README installs Lede the way the image does"
    assert install in UNIT.read_text(encoding="utf-8"), "and so does the unit's own install note"
    venv = INSTALL.search(install).group(1)
    assert f"ExecStart={venv}/bin/lede" in UNIT.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    "directive",
    ["DynamicUser=yes", "StateDirectory=lede", "ProtectSystem=strict", "Restart=on-failure", "NoNewPrivileges=yes",
     "PrivateTmp=yes", "ProtectHome=yes", "EnvironmentFile=/etc/lede/lede.env",
     "Environment=LEDE_DB=/var/lib/lede/lede.db PYTHONUNBUFFERED=1"],
)
def test_the_unit_is_hardened(directive):
    assert directive in UNIT.read_text(encoding="utf-8").splitlines()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    """Verified as written, except that ExecStart points at this environment's ``lede``: verify checks that it exists."""
    lede = Path(sys.executable).with_name("lede")
    if not lede.exists():
        pytest.skip(f"no installed lede command beside {sys.executable}")
    unit = tmp_path / "lede.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("ExecStart=/opt/lede/bin/lede", f"ExecStart={lede}"))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_proxy_forwards_the_webhook_path_to_the_port_lede_listens_on():
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    docker = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    [path] = re.findall(r'"--webhook", "https://\$\{LEDE_DOMAIN[^}]*\}(/\S*)"', compose)
    [port] = re.findall(r"LEDE_WEBHOOK_PORT=(\d+)", docker)
    assert f"handle {path} {{" in caddy and f"reverse_proxy lede:{port}" in caddy


def test_the_license_is_the_mit_license_pyproject_names():
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Copyright (c) 2026 The Lede authors" in text
