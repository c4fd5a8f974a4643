"""The rules the database itself enforces, and the behaviour models keep on their own fields."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.utils import timezone

from assessments.models import CheckIn, Job, Rating, Trigger, previous_month, this_month

from .factories import make_checkin, make_trigger

pytestmark = pytest.mark.django_db


def active_titles(user) -> list[str]:
    return list(user.triggers.filter(retired__isnull=True).values_list("title", flat=True))


def refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# Check-ins ------------------------------------------------------------------


def test_a_second_checkin_for_the_same_month_is_refused(owner):
    make_checkin(owner, this_month())
    refused(lambda: CheckIn.objects.create(user=owner, month=this_month()))
    assert CheckIn.objects.filter(user=owner).count() == 1


def test_two_users_may_check_in_for_the_same_month(owner, other):
    make_checkin(owner, this_month())
    make_checkin(other, this_month())
    assert CheckIn.objects.filter(month=this_month()).count() == 2


def test_checkin_month_must_be_the_first_day(owner):
    refused(lambda: CheckIn.objects.create(user=owner, month=this_month().replace(day=2)))
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("field", ["wellbeing", "satisfaction", "energy"])
@pytest.mark.parametrize("value", [0, 6])
def test_scores_outside_1_to_5_are_refused(owner, field, value):
    refused(lambda: CheckIn.objects.create(user=owner, month=this_month(), **{field: value}))
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("field", ["wellbeing", "satisfaction", "energy"])
def test_scores_1_and_5_are_accepted(owner, field):
    CheckIn.objects.create(user=owner, month=this_month(), **{field: 1})
    CheckIn.objects.create(user=owner, month=previous_month(this_month()), **{field: 5})
    assert sorted(CheckIn.objects.values_list(field, flat=True)) == [1, 5]


@pytest.mark.parametrize("hours", [-1, 101])
def test_hours_outside_0_to_100_are_refused(owner, hours):
    refused(lambda: CheckIn.objects.create(user=owner, month=this_month(), hours=hours))
    assert not CheckIn.objects.exists()


def test_hours_0_and_100_and_none_are_accepted(owner):
    month = this_month()
    for hours in (0, 100, None):
        make_checkin(owner, month, hours=hours)
        month = previous_month(month)
    assert sorted(CheckIn.objects.values_list("hours", flat=True), key=str) == [0, 100, None]


def test_a_checkin_created_after_its_month_ended_is_backfilled(owner):
    checkin = make_checkin(owner, previous_month(this_month()))
    checkin.refresh_from_db()
    assert checkin.backfilled is True


def test_a_checkin_for_the_current_month_is_not_backfilled(owner):
    checkin = make_checkin(owner, this_month())
    checkin.refresh_from_db()
    assert checkin.backfilled is False


def test_saving_a_checkin_again_keeps_its_backfilled_flag(owner):
    checkin = make_checkin(owner, this_month())
    checkin.wellbeing = 3
    checkin.save()
    checkin.refresh_from_db()
    assert (checkin.wellbeing, checkin.backfilled) == (3, False)


def test_a_checkin_from_years_ago_is_backfilled(owner):
    checkin = make_checkin(owner, date(timezone.localdate().year - 3, 1, 1))
    assert CheckIn.objects.get(pk=checkin.pk).backfilled is True


# Ratings ----------------------------------------------------------------------


def test_a_trigger_is_rated_once_per_checkin(owner):
    trigger = make_trigger(owner)
    checkin = make_checkin(owner, this_month(), {trigger: 1})
    refused(lambda: Rating.objects.create(checkin=checkin, trigger=trigger, level=2))
    assert list(Rating.objects.values_list("level", flat=True)) == [1]


def test_the_same_trigger_may_be_rated_in_each_month(owner):
    trigger = make_trigger(owner)
    make_checkin(owner, this_month(), {trigger: 1})
    make_checkin(owner, previous_month(this_month()), {trigger: 3})
    assert trigger.ratings.count() == 2


@pytest.mark.parametrize("level", [-1, 4])
def test_levels_outside_0_to_3_are_refused(owner, level):
    trigger = make_trigger(owner)
    checkin = make_checkin(owner, this_month())
    refused(lambda: Rating.objects.create(checkin=checkin, trigger=trigger, level=level))
    assert not Rating.objects.exists()


def test_levels_0_to_3_are_accepted(owner):
    checkin = make_checkin(owner, this_month())
    triggers = list(owner.triggers.all()[:4])
    for level, trigger in enumerate(triggers):
        Rating.objects.create(checkin=checkin, trigger=trigger, level=level)
    assert sorted(checkin.ratings.values_list("level", flat=True)) == [0, 1, 2, 3]


# Triggers ---------------------------------------------------------------------


def test_a_blank_trigger_title_is_refused(owner):
    before = Trigger.objects.count()
    refused(lambda: Trigger.objects.create(user=owner, title=""))
    assert Trigger.objects.count() == before


def test_a_rated_trigger_cannot_be_deleted(owner):
    trigger = make_trigger(owner)
    make_checkin(owner, this_month(), {trigger: 2})
    with pytest.raises(RestrictedError), transaction.atomic():
        trigger.delete()
    assert Trigger.objects.filter(pk=trigger.pk).exists()
    assert trigger.ratings.count() == 1


def test_an_unrated_trigger_can_be_deleted(owner):
    trigger = make_trigger(owner)
    pk = trigger.pk
    trigger.delete()
    assert not Trigger.objects.filter(pk=pk).exists()


def test_deleting_an_account_deletes_its_rated_triggers_and_checkins(owner, other):
    # Settings offers "delete the account": its ratings must not hold it back.
    trigger = make_trigger(owner)
    make_checkin(owner, this_month(), {trigger: 3})
    kept = make_checkin(other, this_month(), {other.triggers.first(): 2})
    owner.delete()
    assert not Trigger.objects.filter(user_id=owner.pk).exists()
    assert list(CheckIn.objects.all()) == [kept]
    assert Rating.objects.count() == 1


def test_a_new_trigger_goes_to_the_end_of_the_list(owner):
    trigger = make_trigger(owner, "Brand new")
    assert active_titles(owner)[-1] == "Brand new"
    assert trigger.position == owner.triggers.count() - 1


def test_moving_a_trigger_down_swaps_it_with_the_next(owner):
    first, second, *rest = active_titles(owner)
    owner.triggers.get(title=first).move(+1)
    assert active_titles(owner) == [second, first, *rest]


def test_moving_a_trigger_up_swaps_it_with_the_previous(owner):
    first, second, third, *rest = active_titles(owner)
    owner.triggers.get(title=third).move(-1)
    assert active_titles(owner) == [first, third, second, *rest]


def test_the_first_trigger_cannot_move_further_up(owner):
    before = active_titles(owner)
    owner.triggers.get(title=before[0]).move(-1)
    assert active_titles(owner) == before


def test_the_last_trigger_cannot_move_further_down(owner):
    before = active_titles(owner)
    owner.triggers.get(title=before[-1]).move(+1)
    assert active_titles(owner) == before


def test_moving_skips_over_retired_triggers(owner):
    first, second, third, *rest = active_titles(owner)
    owner.triggers.get(title=second).retire()
    owner.triggers.get(title=third).move(-1)
    assert active_titles(owner) == [third, first, *rest]


def test_moving_a_retired_trigger_changes_nothing(owner):
    trigger = owner.triggers.first()
    trigger.retire()
    before = list(owner.triggers.values_list("pk", "position"))
    trigger.move(+1)
    assert list(owner.triggers.values_list("pk", "position")) == before


def test_moving_leaves_other_users_lists_alone(owner, other):
    before = list(other.triggers.values_list("pk", "position"))
    owner.triggers.first().move(+1)
    assert list(other.triggers.values_list("pk", "position")) == before


def test_toggle_private_flips_the_flag_both_ways(owner):
    trigger = make_trigger(owner)
    trigger.toggle_private()
    assert Trigger.objects.get(pk=trigger.pk).private is True
    trigger.toggle_private()
    assert Trigger.objects.get(pk=trigger.pk).private is False


def test_retire_sets_todays_date_and_leaves_the_active_list(owner):
    trigger = make_trigger(owner)
    trigger.retire()
    trigger.refresh_from_db()
    assert trigger.retired == timezone.localdate()
    assert trigger.title not in active_titles(owner)


def test_retiring_twice_keeps_the_first_date(owner):
    trigger = make_trigger(owner)
    Trigger.objects.filter(pk=trigger.pk).update(retired=date(2020, 5, 17))
    trigger.refresh_from_db()
    trigger.retire()
    trigger.refresh_from_db()
    assert trigger.retired == date(2020, 5, 17)


def test_retiring_keeps_the_triggers_ratings(owner):
    trigger = make_trigger(owner)
    make_checkin(owner, previous_month(this_month()), {trigger: 3})
    trigger.retire()
    assert list(trigger.ratings.values_list("level", flat=True)) == [3]


def test_restore_brings_a_trigger_back_at_the_end(owner):
    first = owner.triggers.first()
    first.retire()
    first.restore()
    first.refresh_from_db()
    assert first.retired is None
    assert active_titles(owner)[-1] == first.title


def test_restoring_an_active_trigger_leaves_its_place(owner):
    before = active_titles(owner)
    owner.triggers.get(title=before[0]).restore()
    assert active_titles(owner) == before


# Jobs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "tenure"),
    [
        (date(2023, 3, 15), (0, 0)),
        (date(2023, 4, 14), (0, 0)),
        (date(2023, 4, 15), (0, 1)),
        (date(2024, 3, 14), (0, 11)),
        (date(2024, 3, 15), (1, 0)),
        (date(2026, 5, 1), (3, 1)),
    ],
)
def test_a_jobs_tenure_counts_whole_years_and_months(owner, day, tenure):
    assert Job(user=owner, employer="Duo", start=date(2023, 3, 15)).tenure(day) == tenure


def test_the_current_job_is_the_one_held_that_day(owner, other):
    old = Job.objects.create(user=owner, employer="Acme", start=date(2018, 1, 15), end=date(2021, 2, 28))
    new = Job.objects.create(user=owner, employer="Duo", start=date(2021, 3, 1))
    Job.objects.create(user=other, employer="Theirs", start=date(2017, 1, 1))
    jobs = Job.objects.filter(user=owner)
    assert jobs.current(date(2018, 1, 14)) is None
    assert jobs.current(date(2021, 2, 28)) == old
    assert jobs.current(date(2021, 3, 1)) == new
