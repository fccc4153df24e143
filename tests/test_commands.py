"""Every command: data on stdout, messages on stderr, --quiet, help examples, error paths."""

from __future__ import annotations

import json
import re

import pytest
import typer

from augment_cli import registry
from augment_cli.cli import app
from paths import PROJECT_ROOT

# What the app registers, so a new command is checked the moment it exists.
COMMANDS = typer.main.get_command(app).commands
# Commands without --quiet, and why (every other command must take it).
NO_QUIET = {
    "transforms": "prints only data (its listing) on stdout",
}


def test_commands_are_read_from_the_app():
    # A floor, so an enumeration that finds nothing cannot pass by testing nothing.
    assert set(COMMANDS) >= {"expand", "preview", "stats", "transforms", "validate", "verify"}
    assert set(NO_QUIET) <= set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example_and_readme_docs(run_cli, command):
    assert COMMANDS[command].help, f"{command} has no docstring (its --help text)"
    result = run_cli(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout
    assert f"augment {command}" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - set(NO_QUIET)))
def test_long_commands_take_quiet(run_cli, command):
    assert "--quiet" in run_cli(command, "--help").stdout


def test_validate_ok_goes_to_stderr_and_quiet_silences_it(run_cli, write_recipe):
    recipe = write_recipe()
    result = run_cli("validate", recipe)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"{recipe}: OK (2 image steps)\n"
    quiet = run_cli("validate", recipe, "--quiet")
    assert quiet.exit_code == 0 and quiet.output == ""


def test_validate_missing_and_bad_recipe_are_one_line_exit_2(run_cli, write_recipe, tmp_path):
    missing = run_cli("validate", tmp_path / "nope.toml")
    assert missing.exit_code == 2 and missing.stderr == f"Error: {tmp_path / 'nope.toml'}: file not found\n"
    bad = run_cli("validate", write_recipe("[[image]]\ntransform = 'spin'\n"))
    assert bad.exit_code == 2 and len(bad.stderr.splitlines()) == 1
    assert "unknown image transform 'spin'" in bad.stderr and "Traceback" not in bad.output


def test_transforms_json_is_pure_stdout_and_filters_by_modality(run_cli):
    result = run_cli("transforms", "--json", "--modality", "image")
    assert result.exit_code == 0 and result.stderr == ""
    listed = json.loads(result.stdout)
    assert [t["name"] for t in listed] == registry.names("image")
    assert {t["modality"] for t in listed} == {"image"}
    for modality in ("audio", "text"):
        only = json.loads(run_cli("transforms", "--json", "--modality", modality).stdout)
        assert [t["name"] for t in only] == registry.names(modality)


def test_stats_and_dry_run_put_data_on_stdout(image_tree, write_recipe, run_cli, tmp_path):
    stats = run_cli("stats", image_tree, "--json")
    assert json.loads(stats.stdout)["files"] == 5
    plan = run_cli("expand", image_tree, "-r", write_recipe(), "--out", tmp_path / "o", "--dry-run")
    assert plan.stdout.startswith("Plan for ") and plan.stderr == ""


def test_unknown_option_is_a_usage_error(run_cli, image_tree):
    result = run_cli("stats", image_tree, "--colour")
    assert result.exit_code == 2 and "No such option" in result.output


def test_every_expand_option_is_in_the_usage_table_and_nothing_else():
    options = {opt for param in COMMANDS["expand"].params for opt in param.opts if opt.startswith("--")}
    page = (PROJECT_ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
    rows = "\n".join(line for line in page.splitlines() if line.startswith("| `"))
    assert set(re.findall(r"`(--[\w-]+)", rows)) == options


def test_verify_quiet_keeps_the_problems_and_drops_the_ok_line(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    assert run_cli("expand", image_tree, "-r", write_recipe(), "-n", "1", "-o", out, "-q").exit_code == 0
    clean = run_cli("verify", out, "--quiet")
    assert clean.exit_code == 0 and clean.stdout == clean.stderr == ""
    next(out.rglob("*__aug1.*")).unlink()
    damaged = run_cli("verify", out, "--quiet")
    assert damaged.exit_code == 1 and "missing" in damaged.stdout + damaged.stderr
    assert "problems" not in damaged.stderr
