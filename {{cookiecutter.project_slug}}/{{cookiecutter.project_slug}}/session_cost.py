"""What a session costs under st.App: ``gc.freeze()``, no collection per run, no watcher, no compression.

This module comes from references/core_session_cost.py of st-asgi-template 0.1.0,
where the pattern is explained and tested on its own. It is yours now: change it here and
keep `pytest` green. To take a newer template version later, run `cruft update` (or
`copier update`) as README.md describes; your changes are merged, not overwritten.
"""

{% raw -%}
from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Keep everything created so far out of later garbage collections; return how many.

    Call it once, after the imports and the app are built (and again after anything big
    is imported later). Every full collection skips frozen objects: Python's own, and
    Streamlit's after each script run if ``runner.postScriptGC`` is on.

    No ``gc.collect()`` first: it would walk all those objects (about 40 ms of the start-up,
    in the path of the first request) to find a few dozen garbage ones, which stay frozen.
    """
    gc.freeze()
    return gc.get_freeze_count()
{%- endraw %}
