"""Units of measure: UN/ECE Recommendation 20 codes, shown in Norwegian."""

from django.db import models
from django.utils.translation import pgettext_lazy


class Unit(models.TextChoices):
    PIECE = "EA", pgettext_lazy("unit", "stk")
    HOUR = "HUR", pgettext_lazy("unit", "t")
    DAY = "DAY", pgettext_lazy("unit", "dag")
    WEEK = "WEE", pgettext_lazy("unit", "uke")
    MONTH = "MON", pgettext_lazy("unit", "mnd")
    YEAR = "ANN", pgettext_lazy("unit", "år")
    KILOGRAM = "KGM", pgettext_lazy("unit", "kg")
    TONNE = "TNE", pgettext_lazy("unit", "tonn")
    METRE = "MTR", pgettext_lazy("unit", "m")
    SQUARE_METRE = "MTK", pgettext_lazy("unit", "m²")
    CUBIC_METRE = "MTQ", pgettext_lazy("unit", "m³")
    KILOMETRE = "KMT", pgettext_lazy("unit", "km")
    LITRE = "LTR", pgettext_lazy("unit", "l")
    SET = "SET", pgettext_lazy("unit", "sett")
    PACKAGE = "XPK", pgettext_lazy("unit", "pakke")
    LUMP_SUM = "LS", pgettext_lazy("unit", "rs")


# The codes as a set: ``Unit.values`` builds a list on every access (8 µs for a membership
# test; three per 3-line invoice at issue, and again for every draft line saved).
UNIT_CODES = frozenset(Unit.values)
