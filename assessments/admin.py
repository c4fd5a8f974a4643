from django.contrib import admin

from .models import CheckIn, Rating, Trigger


@admin.register(Trigger)
class TriggerAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "theme", "private", "position", "retired"]
    list_filter = ["private", "theme"]
    search_fields = ["title", "user__username"]


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    raw_id_fields = ["trigger"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["user", "month", "wellbeing", "satisfaction", "energy", "backfilled"]
    list_filter = ["backfilled"]
    date_hierarchy = "month"
    inlines = [RatingInline]
