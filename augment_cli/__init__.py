"""augment: expand small labelled datasets of images, audio and text offline."""

__version__ = "0.1.0"
