import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from assessments.charts import handout_heatmap

register = template.Library()
register.filter("handout_heatmap", handout_heatmap)


@register.filter
def figure_script(figure: dict, element_id: str):
    """Like Django's json_script, for figures of thousands of values: the same escaping of
    <, > and & (so the data can't end its <script> element), with str.replace, which is
    many times faster on a large string than the str.translate json_script uses."""
    text = json.dumps(figure, cls=DjangoJSONEncoder, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text))
