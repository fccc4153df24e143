"""Annotations that travel with an image copy: boxes, polygons, masks, keypoints.

`model` is the in-memory form every annotation layout (yolo, coco, voc,
masks) reads into and writes from; the geometry that moves it with the
pixels lives beside it. Coordinates are always pixels of the current image.
"""
