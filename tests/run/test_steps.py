"""run/steps.py's group picks and run/seeding.py's per-source streams: the
fast paths must draw exactly what the plain numpy calls draw, or every
recipe with a one_of group (and every table row) would change its bytes."""

from __future__ import annotations

import numpy as np
import pytest

from augment_cli.recipe.model import GroupStep, TransformStep
from augment_cli.run.seeding import copy_seed, path_words, source_seeds, step_generators
from augment_cli.run.steps import _pick_member


def _group(weights: list[float]) -> GroupStep:
    members = tuple(TransformStep(transform=f"t{k}", p=w, values=(), where=f"step 1 member {k}")
                    for k, w in enumerate(weights))
    return GroupStep(kind="one_of", p=1.0, members=members, where="step 1")


@pytest.mark.parametrize("weights", [[1.0, 1.0], [1, 1, 1, 1], [0.2, 0.5, 0.3], [0.0, 1.0, 0.0, 2.0],
                                     [1e-9, 1.0], [0.7], [0.1] * 9 + [3.0]])
def test_a_one_of_pick_is_the_member_rng_choice_picks(weights: list[float]) -> None:
    group = _group(weights)
    normalised = np.array(weights, dtype=float) / sum(weights)
    for seed in range(400):
        expected = int(np.random.default_rng(seed).choice(len(weights), p=normalised))
        rng = np.random.default_rng(seed)
        assert _pick_member(rng, group) is group.members[expected]
        # and the stream goes on where choice leaves it
        assert rng.random() == _after_choice(seed, len(weights), normalised)


def _after_choice(seed: int, count: int, p: np.ndarray) -> float:
    rng = np.random.default_rng(seed)
    rng.choice(count, p=p)
    return rng.random()


def test_a_copys_step_streams_are_what_its_seed_sequence_spawns() -> None:
    """The streams every run has drawn: SeedSequence([seed, *path words, copy(, attempt)]).spawn(n)."""
    words = path_words("train.csv\n12")
    for copy, attempt in ((1, 0), (2, 0), (9, 0), (1, 1), (3, 4)):
        reference = np.random.SeedSequence([7, *words, copy, attempt] if attempt else [7, *words, copy])
        expected = [np.random.Generator(np.random.PCG64(child)).random(3).tolist()
                    for child in reference.spawn(3)]
        key = "train.csv\n12"
        streams = (copy_seed(7, key, copy, attempt), source_seeds(7, key)(copy, attempt))
        for stream in streams:
            assert [g.random(3).tolist() for g in step_generators(stream, 3)] == expected


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, 2**32, 2**40 + 5, 2**64 + 3, 10**30])
def test_a_copys_streams_from_its_words_are_the_seed_sequences_for_any_seed(seed) -> None:
    # CopyStream hands SeedSequence the uint32 words of its entropy: for seeds
    # of more than one word too, the same words numpy makes of the ints.
    for copy, attempt in ((1, 0), (2**33, 0), (4, 2**32 + 1)):
        stream = copy_seed(seed, "cat/a.png", copy, attempt)
        reference = np.random.SeedSequence(list(stream.entropy)).spawn(2)
        assert [child.generate_state(4).tolist() for child in stream.spawn(2)] == \
            [child.generate_state(4).tolist() for child in reference]


def test_a_negative_seed_is_refused_as_seed_sequence_refuses_it() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        copy_seed(-1, "cat/a.png", 1)
