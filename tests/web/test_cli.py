"""The web package's commands: tokens issued, listed and revoked; serve's check; and the
one line that names the install when the package is not there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from recommendations_web import TokenFile
from tests.cli.helpers import invoke


def test_issue_list_and_revoke_tokens(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    issued = invoke("issue-token", "--actor", "Kath Jones", "--role", "body", "--tokens", str(path))
    assert issued.exit_code == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("rwt_")
    stored = path.read_text()
    assert token not in stored  # only its hash is kept
    assert json.loads(stored)["tokens"][0]["actor"] == "Kath Jones"
    assert path.stat().st_mode & 0o077 == 0
    caller = TokenFile(path).caller(token)
    assert caller is not None
    assert (caller.actor, caller.role.name) == ("Kath Jones", "body")
    listed = invoke("tokens", "--tokens", str(path))
    assert "Kath Jones" in listed.stdout
    assert token not in listed.stdout
    revoked = invoke("revoke-token", "--actor", "Kath Jones", "--tokens", str(path))
    assert revoked.exit_code == 0, revoked.stderr
    assert TokenFile(path).caller(token) is None
    again = invoke("revoke-token", "--actor", "Kath Jones", "--tokens", str(path))
    assert again.exit_code == 1
    wrong = invoke("issue-token", "--actor", "A", "--role", "admin", "--tokens", str(path))
    assert wrong.exit_code == 2


def test_a_token_file_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    file = TokenFile(tmp_path / "tokens.json")
    assert file.caller("rwt_nothing") is None
    token, record = file.issue(actor="Olive", role="oversight")
    assert file.caller(token) is not None
    TokenFile(tmp_path / "tokens.json").revoke(record.id)
    assert file.caller(token) is None


def test_serve_check_opens_the_store_and_says_what_it_would_serve(tmp_path: Path) -> None:
    done = invoke("--store", "memory://", "serve", "--check", "--tokens", str(tmp_path / "t.json"))
    assert done.exit_code == 0, done.stderr
    assert "every request is anonymous" in done.stderr
    missing = invoke("--store", f"sqlite:///{tmp_path / 'nope.db'}", "serve", "--check")
    assert missing.exit_code == 1
    assert "store-exists" in missing.stderr


def test_without_the_web_package_serve_names_the_install() -> None:
    code = (
        "import sys; sys.modules['recommendations_web'] = None\n"
        "from recommendations.cli import main\n"
        "sys.exit(main(['--store', 'memory://', 'serve', '--check']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "pip install recommendations-tracker-web" in lines[0]
