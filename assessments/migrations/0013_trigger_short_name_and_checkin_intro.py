from django.db import migrations, models

# The default checklist's titles before triggers had short names, each with the short name
# the default checklist now gives it. Frozen here: the defaults may change again.
OLD_DEFAULTS = {
    "Leadership that doesn’t respect or follow the company values": "Values",
    "Leadership that doesn’t reward research and development into new approaches, "
    "but instead focuses on “gamified” KPIs to a detrimental extent": "Gamified KPIs",
    "Signal collection apparatus used to support tracking, targeting, or other "
    "privacy-breaking activities on the internet": "Tracking",
    "Teammates that don’t support or help each other, or an overall feeling on "
    "competition or aggression between employees": "Teamwork",
    "Lack of trust in the managerial relationship": "Manager trust",
    "Decreasing acknowledgement or care about diversity and inclusion at the company": "Diversity & inclusion",
    "Lack of humility in people following a mistake, or lack of psychological safety "
    "to be humble following a mistake": "Humility",
    "Job function purely serves sales or marketing versus improving the product": "Sales over product",
    "Lack of career improvement or growth potential": "Growth",
    "Being unsatisfied at my job": "Unsatisfied",
    "People assigning blame instead of figuring out the problem then fixing it": "Blame",
}


def name_old_defaults(apps, schema_editor):
    """A trigger still worded as its default gets that default's short name; titles and
    descriptions stay as they are (they are the person's own now). Someone who has checked in
    before knows the check-in: its introduction starts closed for them."""
    Trigger = apps.get_model("assessments", "Trigger")
    UserSettings = apps.get_model("assessments", "UserSettings")
    for title, short_name in OLD_DEFAULTS.items():
        Trigger.objects.filter(title=title, short_name="").update(short_name=short_name)
    UserSettings.objects.filter(user__checkins__isnull=False).update(checkin_intro=False)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0012_checklist_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="trigger",
            name="short_name",
            field=models.CharField(
                blank=True,
                help_text="A word or two for charts and tight places, e.g. “Values”.",
                max_length=24,
            ),
        ),
        migrations.AddField(
            model_name="usersettings",
            name="checkin_intro",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.RunPython(name_old_defaults, migrations.RunPython.noop),
    ]
