"""The pure parts of `augment preview`: word diff and spectrogram thumbnails."""

from __future__ import annotations

import numpy as np
import pytest

from augment_cli.modalities.audio.spectrogram import spectrogram_image
from augment_cli.modalities.text.diff import render_ansi, render_html, render_plain, word_diff


def test_word_diff_marks_only_changed_words():
    pieces = word_diff("the quick brown fox jumps", "the fast brown fox  leaps high")
    assert render_plain(pieces) == "the [-quick-]{+fast+} brown fox [-jumps-]{+leaps high+}"
    assert [op for op, _ in pieces] == ["=", "-", "+", "=", "-", "+"]


@pytest.mark.parametrize("a,b", [("", "new words"), ("all gone", ""), ("same\ntext", "same\ntext"),
                                 ("a, b; c!", "a; b, c?"), ("über café", "uber café")])
def test_word_diff_rebuilds_both_texts(a, b):
    pieces = word_diff(a, b)
    assert "".join(t for op, t in pieces if op != "+") == a
    assert "".join(t for op, t in pieces if op != "-") == b


def test_word_diff_ignores_the_length_of_spaces_but_not_line_breaks():
    assert render_plain(word_diff("a  b", "a b")) == "a  b"
    assert render_plain(word_diff("a b", "a\nb")) == "a[- -]{+\n+}b"


def test_ansi_and_html_renderings():
    pieces = word_diff("keep <old> & go", "keep <new> & go")
    assert render_ansi(pieces) == "keep \x1b[31;9m<old>\x1b[0m\x1b[32;1m<new>\x1b[0m & go"
    assert render_html(pieces) == "keep <del>&lt;old&gt;</del><ins>&lt;new&gt;</ins> &amp; go"


def _brightest_row(image: np.ndarray) -> int:
    return int(np.argmax(image.astype(float).mean(axis=1)))


def test_spectrogram_puts_a_tone_at_its_frequency():
    rate = 16000
    t = np.arange(rate) / rate
    low = spectrogram_image(np.sin(2 * np.pi * 1000 * t), rate, width=100, height=80)
    high = spectrogram_image(np.sin(2 * np.pi * 6000 * t), rate, width=100, height=80)
    assert low.shape == (80, 100) and low.dtype == np.uint8
    # rows run from Nyquist (top) to 0 Hz (bottom): 1 kHz is 1/8 of the way up
    assert abs(_brightest_row(low) - round(79 * (1 - 1000 / 8000))) <= 1
    assert abs(_brightest_row(high) - round(79 * (1 - 6000 / 8000))) <= 1
    assert low.max() == 255 and np.median(low) < 64


def test_spectrogram_of_silence_is_black_and_stereo_is_averaged():
    assert not spectrogram_image(np.zeros(4000), 8000).any()
    rate = 8000
    tone = np.sin(2 * np.pi * 500 * np.arange(rate) / rate)
    stereo = np.stack([tone, tone])
    assert np.array_equal(spectrogram_image(stereo, rate), spectrogram_image(tone, rate))
    assert spectrogram_image(tone[:10], rate).shape == (96, 160)


def test_swapped_words_are_marked_without_their_spaces():
    pieces = word_diff("The lid leaks whenever", "The leaks lid whenever")
    assert render_plain(pieces) == "The {+leaks+} lid [-leaks-] whenever"
    assert "".join(t for op, t in pieces if op != "+") == "The lid leaks whenever"
    assert render_html(word_diff("a b", "a c")) == "a <del>b</del><ins>c</ins>"
