"""Shared fixtures: the repository root and the `brink` binary to compare against.

The binary is $BRINK_BIN, else target/debug/brink or target/release/brink of this
workspace (`cargo test --workspace` builds the first), else it is built here with
`cargo build --bin brink`.
"""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def brink_bin():
    env = os.environ.get("BRINK_BIN")
    if env:
        return pathlib.Path(env).resolve()
    for profile in ("debug", "release"):
        p = REPO / "target" / profile / "brink"
        if p.exists():
            return p
    subprocess.run(["cargo", "build", "-q", "--bin", "brink"], cwd=REPO, check=True)
    return REPO / "target" / "debug" / "brink"


@pytest.fixture()
def cli(brink_bin, repo):
    """Runs `brink ARGS...` in the repository root; returns stdout (bytes)."""

    def run(*args):
        done = subprocess.run([str(brink_bin), *map(str, args)], cwd=repo, capture_output=True)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout

    return run


@pytest.fixture()
def in_repo(repo, monkeypatch):
    """Makes the repository root the working directory (relative scenario paths as the CLI gets them)."""
    monkeypatch.chdir(repo)
    return repo
