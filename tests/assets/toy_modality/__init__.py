"""A toy modality for tests/modalities/test_toy_modality.py: proof that a
modality is one folder plus one entry in augment_cli/modalities/__init__.py.
The test copies this folder to augment_cli/modalities/toy/ in a copy of the
package. A .toy file holds one integer per line."""
