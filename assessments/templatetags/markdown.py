from django import template

from assessments.exports import markdown_block, markdown_inline

register = template.Library()
register.filter("md", markdown_inline)
register.filter("md_block", markdown_block)
