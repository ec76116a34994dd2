"""The controls: one folder per control, ``controls/<area>/<id>_<slug>/``.

A unit folder holds the control's metadata (``control.json``), its preview rule (``rule.py``, standard library
only, so the CrossGuard pack can load it), its live probe (``probe.py``), its mutations (``mutation.py``) and its
tests (``test_<id>.py``). ``controls.registry`` discovers the units; adding a control is adding a folder.
"""
