"""Transform families: `<modality>.py` registers specs and samplers (cheap to
import); `<modality>_ops.py` holds the maths as plain functions of
(data, params), imported only when a transform is applied."""
