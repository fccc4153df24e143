"""Reading and writing .txt: encodings, BOM, line endings, bad files."""

import pytest

from augment_cli.errors import RecipeError, SampleError
from augment_cli.modalities.text import codec as text_codec
from augment_cli.recipe import OutputOptions, parse_recipe

OUT = OutputOptions()


@pytest.mark.parametrize("payload", [
    b"plain line\n",
    b"two\nlines\n",
    b"windows\r\nlines\r\n",
    b"old mac\rlines\r",
    b"\xef\xbb\xbfwith a BOM\r\n",
    b"no final newline",
    "accents: caf\u00e9, na\u00efve \u2014 CJK: \u8fd9\u90e8\u7535\u5f71\u5f88\u597d\u3002\n".encode(),
    b"mixed\r\nstyles\nkept\r as they are\n",
])
def test_decode_then_encode_gives_the_same_bytes(payload):
    decoded = text_codec.decode(payload, OUT)
    assert "\r" not in decoded.data or decoded.newline == ""
    assert text_codec.encode(decoded.data, decoded, ".txt", OUT) == payload


def test_transforms_see_lf_and_copies_get_crlf_back():
    decoded = text_codec.decode(b"a\r\nb\r\n", OUT)
    assert decoded.data == "a\nb\n" and decoded.newline == "\r\n"
    assert text_codec.encode("x\ny\n", decoded, ".txt", OUT) == b"x\r\ny\r\n"


def test_bom_is_remembered_not_given_to_transforms():
    decoded = text_codec.decode(b"\xef\xbb\xbfhello\n", OUT)
    assert decoded.data == "hello\n" and decoded.bom


@pytest.mark.parametrize("payload, reason", [
    (b"", "empty file"),
    (b"  \n\t\n", "empty file"),
    (b"caf\xe9 au lait\n", "not valid utf-8 (byte 0xe9 at offset 3)"),
    (b"ab\x00\x01\x02\x00cd", "binary file"),
    (bytes(range(1, 32)) * 4, "binary file"),
    (b"\xff\xfeh\x00i\x00", "UTF-16"),
])
def test_bad_files_are_refused_with_the_reason(payload, reason):
    with pytest.raises(SampleError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        text_codec.decode(payload, OUT)


def test_latin1_is_read_with_a_recipe_encoding_and_written_as_utf8():
    options = OutputOptions(text_encoding="latin-1")
    decoded = text_codec.decode(b"caf\xe9\n", options)
    assert decoded.data == "caf\u00e9\n"
    assert text_codec.encode(decoded.data, decoded, ".txt", options) == "caf\u00e9\n".encode()


ENCODING_RECIPE = '[[text]]\ntransform = "random_swap"\n\n[output]\ntext_encoding = "{}"\n'


@pytest.mark.parametrize("name, reason", [
    ("rot13", "'rot13' is a codec, not a text encoding"),
    ("base64", "'base64' is a codec, not a text encoding"),
    ("uu_codec", "'uu_codec' is a codec, not a text encoding"),
    ("klingon-8", "unknown text encoding 'klingon-8'"),
])
def test_text_encoding_must_be_a_text_encoding(name, reason):
    with pytest.raises(RecipeError) as caught:
        parse_recipe(ENCODING_RECIPE.format(name), "r.toml")
    error = caught.value
    assert (error.recipe, error.step, error.key, error.line) == ("r.toml", "[output]", "text_encoding", 5)
    assert error.reason.startswith(reason)


@pytest.mark.parametrize("name", ["utf-8", "latin-1", "cp1252", "utf-16", "shift_jis"])
def test_text_encodings_are_accepted(name):
    assert parse_recipe(ENCODING_RECIPE.format(name), "r.toml").output.text_encoding == name
