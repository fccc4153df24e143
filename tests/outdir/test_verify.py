"""`augment verify DIR` finds every way DIR can drift from its manifest."""

from __future__ import annotations


def test_verify_ok_then_each_problem(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    assert run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 2, "--out", out,
                   "--workers", 1).exit_code == 0
    result = run_cli("verify", out)
    assert result.exit_code == 0 and "OK" in result.stderr
    (out / "cat" / "a__aug1.jpg").unlink()
    (out / "cat" / "b__aug1.png").write_bytes(b"garbage")
    (out / "dog" / "e__aug2.png").write_bytes((out / "dog" / "e__aug1.png").read_bytes())
    (out / "dog" / "extra.png").write_bytes(b"x")
    (out / "dog" / ".augment-tmp-123-e__aug3.png").write_bytes(b"half")
    result = run_cli("verify", out)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "cat/a__aug1.jpg: missing" in lines
    assert "cat/b__aug1.png: content differs from the recorded SHA-256" in lines
    assert "dog/e__aug2.png: content differs from the recorded SHA-256" in lines
    assert "dog/extra.png: stray file not in manifest.csv" in lines
    assert "dog/.augment-tmp-123-e__aug3.png: half-written temporary file not in manifest.csv" in lines
    assert "5 problems" in result.stderr


def test_verify_reports_undecodable_file_with_matching_hash(image_tree, write_recipe, run_cli, tmp_path):
    import hashlib

    out = tmp_path / "out"
    run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 1, "--out", out, "--workers", 1)
    manifest = (out / "manifest.csv").read_text()
    target = out / "cat" / "a__aug1.jpg"
    old = hashlib.sha256(target.read_bytes()).hexdigest()
    target.write_bytes(b"not a jpeg")
    (out / "manifest.csv").write_text(manifest.replace(old, hashlib.sha256(b"not a jpeg").hexdigest()))
    result = run_cli("verify", out)
    assert result.exit_code == 1 and "cat/a__aug1.jpg: does not decode" in result.stdout


def test_verify_refuses_a_folder_without_manifest(run_cli, tmp_path):
    result = run_cli("verify", tmp_path)
    assert result.exit_code == 2 and "has no manifest.csv" in result.stderr
