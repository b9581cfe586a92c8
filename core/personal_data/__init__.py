"""Personal data, declared where it lives: the registries every app's ``privacy.py`` fills.

- ``inventory``: every field of every model, personal or not, with its category, purpose,
  legal basis and retention key (``register``);
- ``handlers``: the data-category handlers that export, erasure and retention iterate
  (``register_handler``);
- ``retention``: what a retention run knows (``Context``) and a rule's rows (``Target``).

They live in ``core`` so that each app declares its data without importing the apps above
it (``privacy``, ``retention``); those apps read the registries.
"""
