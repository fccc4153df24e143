"""augment: expand small labelled datasets of images, audio and text offline.

`Augmenter` (augment_cli.online) applies a recipe to in-memory items; it is
imported on first use so `augment --help` stays fast.
"""

__version__ = "0.1.0"
__all__ = ["Augmented", "Augmenter", "read_image"]


def __getattr__(name: str):
    if name in __all__:
        from augment_cli import online

        return getattr(online, name)
    raise AttributeError(f"module 'augment_cli' has no attribute {name!r}")
