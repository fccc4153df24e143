"""Annotations that travel with an image copy: boxes, polygons, masks, keypoints.

`model` is the in-memory form every annotation layout (yolo, coco, voc,
masks) reads into and writes from; the geometry that moves it with the
pixels lives beside it: `moves` (where a transform sends points), `polygons`,
`transform` (targets moved, [annotations] limits applied), `mixing` (mosaic,
cutmix, mixup), `apply` (one step on an Annotated), `limits` (the recipe
table) and `refusals` (recipe-time checks). Coordinates are always pixels of
the current image. How each transform moves them: docs/annotations.md.
"""
