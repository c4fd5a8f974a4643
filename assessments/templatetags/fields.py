from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def widget(field: BoundField) -> str:
    """The field's widget, as `{{ field }}` renders it; the first field of its form with an
    error takes the focus, so after a refused submit the keyboard starts on what to fix
    (a page load focuses an [autofocus] element, and so does htmx when it swaps one in)."""
    first = next((each for each in field.form if each.errors), None)
    focus = first is not None and first.name == field.name
    return field.as_widget(attrs={"autofocus": True} if focus else None)
