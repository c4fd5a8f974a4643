from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def takes_focus(field: BoundField) -> bool:
    """Whether the field is the first of its form with an error. After a refused submit the
    keyboard starts there: a page load focuses an [autofocus] element, and so does htmx
    when it swaps one in."""
    first = next((each for each in field.form if each.errors), None)
    return first is not None and first.name == field.name


@register.filter
def widget(field: BoundField) -> str:
    """The field's widget, as `{{ field }}` renders it, with the focus if it takes it."""
    return field.as_widget(attrs={"autofocus": True} if takes_focus(field) else None)
