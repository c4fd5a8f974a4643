from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from .defaults import add_default_checklist
from .models import UserSettings


@receiver(post_save, sender=get_user_model())
def give_new_account_the_default_checklist(sender, instance, created, raw=False, **kwargs):
    # raw: loading fixtures or a restore brings its own checklist.
    if created and not raw:
        add_default_checklist(instance)
        UserSettings.objects.get_or_create(user=instance)
