"""``{{ amount|euros }}``: the platform's one money formatter (ptce_ami.core.money.euros) in templates; "—" for
nothing."""

from django import template

from ptce_ami.core.money import euros as format_euros

register = template.Library()


@register.filter
def euros(value):
    if value is None or value == "":
        return "—"
    return format_euros(value)
