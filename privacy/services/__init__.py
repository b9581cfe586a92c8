"""The only code that changes privacy state, one module per subject: ``consents``,
``cookies``, ``exports``, ``erasure``, ``requests``, ``analytics``, ``registers``. Marketing
segments and marketing e-mail belong to ``marketing.services``."""
