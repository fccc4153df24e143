"""--shard K/M: which source goes to which part."""

from __future__ import annotations

import pytest

from augment_cli.errors import UsageError
from augment_cli.run.sharding import Shard, parse_shard, part_of


def test_parts_come_from_a_stable_hash_of_the_path_not_pythons_salted_hash():
    # Fixed values (SHA-256's first 8 bytes, mod M): the same on every machine,
    # Python and process, which hash() (salted per process) is not.
    assert [part_of(name, 4) for name in ("cat/a.jpg", "dog/d.jpg", "x/é.png")] == [4, 2, 3]


def test_parts_are_balanced_within_a_few_percent():
    keys = [f"label{n % 7}/img_{n:05d}.jpg" for n in range(6000)]
    for count in (2, 3, 5):
        sizes = [sum(1 for key in keys if part_of(key, count) == k) for k in range(1, count + 1)]
        assert max(abs(size - len(keys) / count) for size in sizes) < 0.05 * len(keys) / count


def test_adding_a_file_moves_no_other_file():
    keys = [f"cat/{n}.png" for n in range(200)]
    before = {key: part_of(key, 3) for key in keys}
    after = {key: part_of(key, 3) for key in [*keys, "cat/new.png"]}
    assert all(after[key] == part for key, part in before.items())


def test_every_source_belongs_to_exactly_one_shard():
    keys = [f"dog/{n}.png" for n in range(100)]
    shards = [Shard(k, 4) for k in range(1, 5)]
    assert all(sum(shard.owns(key) for shard in shards) == 1 for key in keys)


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "1/0", "a/b", "1/3/5", "-1/3", ""])
def test_anything_but_k_of_m_is_refused(text):
    with pytest.raises(UsageError, match="is not K/M with 1 <= K <= M"):
        parse_shard(text)


def test_k_of_m_parses():
    assert parse_shard(" 2/5 ") == Shard(2, 5) and str(Shard(2, 5)) == "2/5"


def test_a_shards_dry_run_lists_exactly_what_that_shard_writes(image_tree, write_recipe, run_cli, tmp_path):
    recipe, every = write_recipe(), set()
    for k in (1, 2, 3):
        planned = run_cli("expand", image_tree, "-r", recipe, "-n", "2", "-o", tmp_path / "out",
                          "--dry-run", "--shard", f"{k}/3")
        assert planned.exit_code == 0 and f"shard {k}/3" in planned.stdout
        names = {line.strip() for line in planned.stdout.splitlines() if "__aug" in line}
        ran = run_cli("expand", image_tree, "-r", recipe, "-n", "2", "-o", tmp_path / f"s{k}",
                      "--shard", f"{k}/3", "-q")
        assert ran.exit_code == 0
        shard_out = tmp_path / f"s{k}"
        written = {p.relative_to(shard_out).as_posix() for p in shard_out.rglob("*__aug*")}
        assert names == written
        every |= names
    whole = run_cli("expand", image_tree, "-r", recipe, "-n", "2", "-o", tmp_path / "out", "--dry-run")
    assert every == {line.strip() for line in whole.stdout.splitlines() if "__aug" in line}
