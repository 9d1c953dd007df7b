"""Factories shared by every test module (factory-boy)."""

import factory
from django.contrib.auth import get_user_model

from r2dr.models import Institution, Membership, SubRegion
from r2dr.onboarding import onboarding_steps_run


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Human Rights Commission {n}")
    short_name = factory.Sequence(lambda n: f"THRC{n}")
    slug = factory.Sequence(lambda n: f"thrc-{n}")
    country = factory.Sequence(lambda n: f"Testland {n}")
    country_code = "TL"
    subregion = SubRegion.SOUTH_EAST_ASIA
    languages = factory.LazyFunction(lambda: ["en"])
    time_zone = "Asia/Bangkok"

    @factory.post_generation
    def onboarding(obj, create, extracted, **kwargs):
        # What institution_onboard adds per institution (the apps' onboarding steps), as in production.
        if create:
            onboarding_steps_run(institution=obj, by=None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@test.example")
    email = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = "data_officer"


def enrol_totp(user, secret: str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"):
    """Give a user a TOTP authenticator, as allauth's enrolment would."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    return secret


def totp_now(secret: str) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
