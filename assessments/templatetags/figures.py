from django import template

from assessments.charts import handout_heatmap

register = template.Library()
register.filter("handout_heatmap", handout_heatmap)
