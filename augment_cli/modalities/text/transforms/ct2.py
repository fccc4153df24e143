"""The `ctranslate2` back-translation backend: local models, no network.

Optional: `pip install 'augment-cli[translate]'` adds CTranslate2 and
SentencePiece. A model directory is a CTranslate2 model (model.bin,
config.json, vocabulary) plus the SentencePiece models of its source and
target languages, named source.spm and target.spm, as OPUS-MT ships them:

    ct2-opus-mt-converter --model_dir opus-mt-en-de --output_dir en-de
    cp opus-mt-en-de/source.spm opus-mt-en-de/target.spm en-de/

Each worker process loads a model once, on CPU with one thread (the pool
already uses every core), and keeps it for the rest of the run.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from augment_cli.errors import SampleError

MODEL_FILES = ("model.bin", "source.spm", "target.spm")
INSTALL = "pip install 'augment-cli[translate]' (CTranslate2 and SentencePiece)"
BEAM_SIZE = 4


def missing_library() -> str | None:
    """Why the backend cannot run here, or None."""
    try:
        import ctranslate2  # noqa: F401
        import sentencepiece  # noqa: F401
    except ImportError as exc:
        return f"backend \"ctranslate2\" needs {INSTALL}: {exc}"
    return None


def check_model_dir(path: str) -> str | None:
    """Why `path` is not a usable model directory, or None."""
    folder = Path(path)
    if not folder.is_dir():
        return f"{path} is not a folder"
    absent = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if absent:
        return f"{path} has no {', '.join(absent)}; see README (back_translate setup)"
    return None


@lru_cache(maxsize=4)
def _load(model_dir: str) -> tuple[Any, Any, Any]:
    import ctranslate2
    import sentencepiece

    folder = Path(model_dir)
    translator = ctranslate2.Translator(model_dir, device="cpu", inter_threads=1, intra_threads=1)
    source = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
    target = sentencepiece.SentencePieceProcessor(model_file=str(folder / "target.spm"))
    return translator, source, target


def translate(model_dir: str, lines: list[str]) -> list[str]:
    """Translate each line with the model in `model_dir` (beam search, deterministic)."""
    try:
        translator, source, target = _load(model_dir)
        pieces = [source.encode(line, out_type=str) for line in lines]
        # A weak or mismatched model can loop; cap the output near the input length.
        longest = max((len(p) for p in pieces), default=0)
        results = translator.translate_batch(pieces, beam_size=BEAM_SIZE,
                                             max_decoding_length=2 * longest + 16)
        return [target.decode(result.hypotheses[0]) for result in results]
    except (RuntimeError, ValueError, OSError) as exc:
        raise SampleError(f"ctranslate2 model {model_dir}: {exc}") from None
