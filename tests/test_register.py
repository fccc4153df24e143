"""registry.register refuses a bad entry with ValueError (not assert, which
`python -O` strips), and leaves the table as it was."""

from __future__ import annotations

import pytest

from augment_cli import registry


@pytest.fixture
def table(monkeypatch) -> dict:
    """A private copy of the transform table, so test entries do not leak."""
    registry.specs()  # load every family first: the copy then holds them all
    copy = dict(registry._TABLE)
    monkeypatch.setattr(registry, "_TABLE", copy)
    return copy


def sampler(rng, drawn, meta):
    """A test transform."""
    return drawn


def test_unknown_modality_is_refused(table):
    before = dict(table)
    with pytest.raises(ValueError, match="unknown modality 'video'"):
        registry.register("blur", modality="video", apply="x:y")(sampler)
    assert table == before


def test_registering_a_name_twice_is_refused(table):
    registry.register("test_twice", modality="image", apply="x:y")(sampler)
    first = table[("image", "test_twice")]
    with pytest.raises(ValueError, match="image/test_twice registered twice"):
        registry.register("test_twice", modality="image", apply="x:z")(sampler)
    assert table[("image", "test_twice")] is first


def test_an_existing_transform_cannot_be_replaced(table):
    with pytest.raises(ValueError, match="image/hflip registered twice"):
        registry.register("hflip", modality="image", apply="x:y")(sampler)
    assert table[("image", "hflip")].applier != "x:y"


def test_a_sampler_without_docstring_is_refused(table):
    def undocumented(rng, drawn, meta):
        return drawn

    with pytest.raises(ValueError, match="has no docstring"):
        registry.register("test_nodoc", modality="text", apply="x:y")(undocumented)
    assert ("text", "test_nodoc") not in table


def test_the_same_name_in_another_modality_is_allowed(table):
    registry.register("hflip", modality="text", apply="x:y")(sampler)
    assert table[("text", "hflip")].modality == "text"
