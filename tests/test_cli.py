"""The `orderdesk` command, in-process and as a real process on a fresh SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orderdesk import cli
from orderdesk.accounts import services
from orderdesk.accounts.models import User


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])

    out = capsys.readouterr().out
    for command in ("serve", "worker", "migrate", "demo", "createadmin", "token", "manage"):
        assert command in out


def test_token_create_prints_only_the_token(sales1, capsys):
    assert cli.main(["token", "create", "sales1"]) == 0

    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert services.authenticate_token(out.strip()) == sales1


def test_token_create_for_unknown_user_fails_cleanly(db, capsys):
    assert cli.main(["token", "create", "nobody"]) == cli.EXIT_REFUSED

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nobody" in captured.err


def test_token_revoke(sales1, capsys):
    token, raw = services.create_api_token(sales1, by=sales1)

    assert cli.main(["token", "revoke", str(token.pk), "--reason", "left the company"]) == 0

    assert services.authenticate_token(raw) is None


def test_createadmin_validates_the_password(db, monkeypatch, capsys):
    monkeypatch.setenv("ORDERDESK_ADMIN_PASSWORD", "123")

    assert cli.main(["createadmin", "--username", "boss"]) == cli.EXIT_REFUSED
    assert "password" in capsys.readouterr().err
    assert not User.objects.filter(username="boss").exists()

    monkeypatch.setenv("ORDERDESK_ADMIN_PASSWORD", "Correct-Horse-42")
    assert cli.main(["createadmin", "--username", "boss"]) == 0
    boss = User.objects.get(username="boss")
    assert boss.is_superuser
    assert boss.groups.filter(name="administrator").exists()


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("orderdesk")), *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_commands_work_end_to_end_on_a_fresh_database(tmp_path):
    env = {
        **os.environ,
        "ORDERDESK_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "cli-test-key",
        "DJANGO_SETTINGS_MODULE": "orderdesk.config.settings",
    }
    env.pop("DATABASE_URL", None)

    migrate = run(["migrate", "--verbosity", "0"], env)
    demo = run(["demo", "--customers", "5", "--products", "5"], env)
    again = run(["demo", "--if-empty"], env)
    token = run(["token", "create", "sales1"], env)
    check = run(["manage", "check"], env)

    assert migrate.returncode == 0, migrate.stderr
    assert (tmp_path / "orderdesk.sqlite3").exists()
    assert demo.returncode == 0, demo.stderr
    assert "sales1" in demo.stdout
    assert again.returncode == 0
    assert "not loaded" in again.stdout
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("od_")
    assert len(token.stdout.strip().splitlines()) == 1
    assert check.returncode == 0, check.stderr


def test_server_refuses_to_start_on_the_default_secret_key(tmp_path):
    env = {
        **os.environ,
        "ORDERDESK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "orderdesk.config.settings",
    }
    env.pop("SECRET_KEY", None)
    env.pop("DEBUG", None)

    result = run(["manage", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_import_customers_from_a_csv_file(sales1, tmp_path, capsys):
    from orderdesk.customers.models import Customer
    from tests.factories.customers import valid_mobile, valid_uscc

    good = tmp_path / "customers.csv"
    good.write_text(
        "客户名称,统一社会信用代码,省份,城市,联系人,手机\n"
        f"杭州导入测试有限公司,{valid_uscc(7001)},浙江,杭州市,王五,{valid_mobile(7001)}\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("客户名称,省份\n坏数据公司,火星\n", encoding="utf-8")

    assert cli.main(["import", "customers", str(good), "--owner", "sales1"]) == 0
    assert cli.main(["import", "customers", str(bad)]) == cli.EXIT_REFUSED

    captured = capsys.readouterr()
    assert "1 customers imported" in captured.out
    assert "row 2" in captured.err
    imported = Customer.objects.get()
    assert (imported.name, imported.owner) == ("杭州导入测试有限公司", sales1)
    assert imported.contacts.get().mobile == valid_mobile(7001)
