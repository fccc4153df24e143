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


def test_a_short_or_garbled_manifest_row_is_reported_by_line_and_verify_goes_on(image_tree, write_recipe,
                                                                               run_cli, tmp_path):
    out = tmp_path / "out"
    assert run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 1, "--out", out,
                   "--workers", 1).exit_code == 0
    manifest = out / "manifest.csv"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].split(",")[0] + ",cat\n"  # a truncated row: 2 of 7 columns
    lines[3] = lines[3].replace(",1,", ",one,", 1)  # a copy index that is not a number
    manifest.write_text("".join(lines), encoding="utf-8")
    result = run_cli("verify", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    problems = result.stdout.splitlines()
    assert "manifest.csv: line 3: has 2 of the 7 columns" in problems
    assert "manifest.csv: line 4: copy 'one' is not a number" in problems
    # the rows dropped from the manifest now leave their files unlisted, the rest still check out
    assert sum("stray file not in manifest.csv" in line for line in problems) == 2
    assert len(problems) == 4


def test_a_transforms_cell_longer_than_the_csv_field_limit_reads_back(tmp_path):
    import csv

    from augment_cli.outdir.manifest import ManifestRow, read_manifest, write_rows

    long_cell = '[{"transform":"synonym_replace","params":{"words":"' + "x" * 700_000 + '"}}]'
    row = ManifestRow("cat/a__aug1.txt", "cat", "cat/a.txt", 1, "text", long_cell, "0" * 64)
    write_rows(tmp_path / "manifest.csv", ManifestRow, [row])
    assert len(long_cell) > 131_072 and csv.field_size_limit() >= len(long_cell)
    assert read_manifest(tmp_path / "manifest.csv") == [row]
