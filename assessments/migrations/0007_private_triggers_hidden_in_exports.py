from django.db import migrations


def hide_private_triggers(apps, schema_editor):
    """Choices remembered before a trigger was marked private showed it in every export:
    forget the choice of every private trigger, so exports start it hidden again."""
    Trigger = apps.get_model("assessments", "Trigger")
    UserSettings = apps.get_model("assessments", "UserSettings")
    private = {}
    for user_id, pk in Trigger.objects.filter(private=True).values_list("user_id", "pk"):
        private.setdefault(user_id, set()).add(str(pk))
    for prefs in UserSettings.objects.filter(user_id__in=private):
        visibility = prefs.export_choices.get("visibility")
        if isinstance(visibility, dict) and private[prefs.user_id] & visibility.keys():
            for pk in private[prefs.user_id]:
                visibility.pop(pk, None)
            prefs.save(update_fields=["export_choices"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_email_verification")]

    operations = [migrations.RunPython(hide_private_triggers, migrations.RunPython.noop)]
