"""Demo data of the platform core: the Asia Pacific NHRIs and one user per role.

All demo staff share one password and one TOTP secret, documented in the
README, so a visitor can get past MFA with any authenticator app (or with
`manage.py totp_code EMAIL`).
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import transaction

from r2dr.models import Institution, Membership, SubRegion
from r2dr.onboarding import onboarding_steps_run
from r2dr.roles import Role

DEMO_PASSWORD = "r2dr-demo-2026!"  # noqa: S105 - documented demo credential
DEMO_TOTP_SECRET = "R2DRDEMOSECRETTOTPKEYFORALLSTAFF"

# (slug, name, short name, country, ISO code, sub-region, languages, time zone)
INSTITUTIONS = [
    (
        "ahrc",
        "Australian Human Rights Commission",
        "AHRC",
        "Australia",
        "AU",
        SubRegion.PACIFIC,
        ["en"],
        "Australia/Sydney",
    ),
    (
        "nhrc-bd",
        "National Human Rights Commission, Bangladesh",
        "NHRC Bangladesh",
        "Bangladesh",
        "BD",
        SubRegion.SOUTH_ASIA,
        ["en"],
        "Asia/Dhaka",
    ),
    (
        "fhradc",
        "Fiji Human Rights and Anti-Discrimination Commission",
        "FHRADC",
        "Fiji",
        "FJ",
        SubRegion.PACIFIC,
        ["en"],
        "Pacific/Fiji",
    ),
    (
        "nhrc-in",
        "National Human Rights Commission of India",
        "NHRC India",
        "India",
        "IN",
        SubRegion.SOUTH_ASIA,
        ["en"],
        "Asia/Kolkata",
    ),
    (
        "komnas-ham",
        "Komnas HAM (National Commission on Human Rights of Indonesia)",
        "Komnas HAM",
        "Indonesia",
        "ID",
        SubRegion.SOUTH_EAST_ASIA,
        ["id", "en"],
        "Asia/Jakarta",
    ),
    (
        "ihchr",
        "Iraqi High Commission for Human Rights",
        "IHCHR",
        "Iraq",
        "IQ",
        SubRegion.WEST_ASIA,
        ["ar", "en"],
        "Asia/Baghdad",
    ),
    (
        "nchr-jo",
        "National Centre for Human Rights, Jordan",
        "NCHR Jordan",
        "Jordan",
        "JO",
        SubRegion.WEST_ASIA,
        ["ar", "en"],
        "Asia/Amman",
    ),
    (
        "ombudsman-kz",
        "Commissioner for Human Rights of the Republic of Kazakhstan",
        "Ombudsman Kazakhstan",
        "Kazakhstan",
        "KZ",
        SubRegion.CENTRAL_NORTH_EAST_ASIA,
        ["en"],
        "Asia/Almaty",
    ),
    (
        "akyikatchy-kg",
        "Ombudsman (Akyikatchy) of the Kyrgyz Republic",
        "Akyikatchy",
        "Kyrgyzstan",
        "KG",
        SubRegion.CENTRAL_NORTH_EAST_ASIA,
        ["en"],
        "Asia/Bishkek",
    ),
    (
        "suhakam",
        "Human Rights Commission of Malaysia (SUHAKAM)",
        "SUHAKAM",
        "Malaysia",
        "MY",
        SubRegion.SOUTH_EAST_ASIA,
        ["en"],
        "Asia/Kuala_Lumpur",
    ),
    (
        "hrcm",
        "Human Rights Commission of the Maldives",
        "HRCM",
        "Maldives",
        "MV",
        SubRegion.SOUTH_ASIA,
        ["en"],
        "Indian/Maldives",
    ),
    (
        "nhrcm",
        "National Human Rights Commission of Mongolia",
        "NHRCM",
        "Mongolia",
        "MN",
        SubRegion.CENTRAL_NORTH_EAST_ASIA,
        ["mn", "en"],
        "Asia/Ulaanbaatar",
    ),
    (
        "mnhrc",
        "Myanmar National Human Rights Commission",
        "MNHRC",
        "Myanmar",
        "MM",
        SubRegion.SOUTH_EAST_ASIA,
        ["my", "en"],
        "Asia/Yangon",
    ),
    (
        "nhrc-np",
        "National Human Rights Commission of Nepal",
        "NHRC Nepal",
        "Nepal",
        "NP",
        SubRegion.SOUTH_ASIA,
        ["ne", "en"],
        "Asia/Kathmandu",
    ),
    (
        "hrc-nz",
        "New Zealand Human Rights Commission",
        "HRC NZ",
        "New Zealand",
        "NZ",
        SubRegion.PACIFIC,
        ["en"],
        "Pacific/Auckland",
    ),
    ("ohrc-om", "Oman Human Rights Commission", "OHRC", "Oman", "OM", SubRegion.WEST_ASIA, ["ar", "en"], "Asia/Muscat"),
    (
        "nchr-pk",
        "National Commission for Human Rights, Pakistan",
        "NCHR Pakistan",
        "Pakistan",
        "PK",
        SubRegion.SOUTH_ASIA,
        ["en"],
        "Asia/Karachi",
    ),
    (
        "ichr-ps",
        "Independent Commission for Human Rights, Palestine",
        "ICHR",
        "Palestine",
        "PS",
        SubRegion.WEST_ASIA,
        ["ar", "en"],
        "Asia/Hebron",
    ),
    (
        "chr-ph",
        "Commission on Human Rights of the Philippines",
        "CHR Philippines",
        "Philippines",
        "PH",
        SubRegion.SOUTH_EAST_ASIA,
        ["en"],
        "Asia/Manila",
    ),
    (
        "nhrc-qa",
        "National Human Rights Committee, Qatar",
        "NHRC Qatar",
        "Qatar",
        "QA",
        SubRegion.WEST_ASIA,
        ["ar", "en"],
        "Asia/Qatar",
    ),
    (
        "nhrck",
        "National Human Rights Commission of Korea",
        "NHRCK",
        "Republic of Korea",
        "KR",
        SubRegion.CENTRAL_NORTH_EAST_ASIA,
        ["en"],
        "Asia/Seoul",
    ),
    (
        "ombudsman-ws",
        "Office of the Ombudsman of Samoa (National Human Rights Institution)",
        "Ombudsman Samoa",
        "Samoa",
        "WS",
        SubRegion.PACIFIC,
        ["en"],
        "Pacific/Apia",
    ),
    (
        "hrcsl",
        "Human Rights Commission of Sri Lanka",
        "HRCSL",
        "Sri Lanka",
        "LK",
        SubRegion.SOUTH_ASIA,
        ["en"],
        "Asia/Colombo",
    ),
    (
        "nhrct",
        "National Human Rights Commission of Thailand",
        "NHRCT",
        "Thailand",
        "TH",
        SubRegion.SOUTH_EAST_ASIA,
        ["th", "en"],
        "Asia/Bangkok",
    ),
    (
        "pdhj",
        "Provedor for Human Rights and Justice, Timor-Leste",
        "PDHJ",
        "Timor-Leste",
        "TL",
        SubRegion.SOUTH_EAST_ASIA,
        ["en"],
        "Asia/Dili",
    ),
]

# Institutions that get a full demo staff (one user per role).
STAFFED = {"komnas-ham": "komnasham", "nhrct": "nhrct"}
STAFF_ROLES = [
    ("data", Role.DATA_OFFICER),
    ("reviewer", Role.REVIEWER),
    ("cases", Role.CASE_OFFICER),
    ("head", Role.INSTITUTION_HEAD),
    ("admin", Role.INSTITUTION_ADMIN),
    ("trainee", Role.TRAINEE),
]
REGIONAL_USERS = [("regional@apf.example", Role.REGIONAL_ADMIN), ("facilitator@apf.example", Role.FACILITATOR)]


def demo_user(email: str, *, superuser: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=email, defaults={"email": email})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_superuser = user.is_staff = superuser
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user


def demo_email(prefix: str, slug: str) -> str:
    return f"{prefix}@{STAFFED[slug]}.example"


# Names of the staffed demo institutions in their own languages (shown on their public report form).
NAME_TRANSLATIONS = {
    "komnas-ham": {"id": {"name": "Komisi Nasional Hak Asasi Manusia (Komnas HAM)"}},
    "nhrct": {"th": {"name": "คณะกรรมการสิทธิมนุษยชนแห่งชาติ (กสม.)"}},
}


def seed(*, scale: int = 0, stdout=None) -> None:
    with transaction.atomic():
        for slug, name, short, country, code, subregion, languages, tz in INSTITUTIONS:
            institution, _created = Institution.objects.update_or_create(
                slug=slug,
                defaults=dict(
                    name=name,
                    short_name=short,
                    country=country,
                    country_code=code,
                    subregion=subregion,
                    languages=languages,
                    time_zone=tz,
                    contact_email=f"hrd-focal-point@{slug}.example",
                ),
            )
            onboarding_steps_run(institution=institution, by=None)
            if slug in NAME_TRANSLATIONS:
                merged = {**(institution.translations or {})}
                for language, fields in NAME_TRANSLATIONS[slug].items():
                    merged[language] = {**merged.get(language, {}), **fields}
                if merged != institution.translations:
                    institution.translations = merged
                    institution.save(update_fields=["translations"])
        for slug in STAFFED:
            institution = Institution.objects.get(slug=slug)
            for prefix, role in STAFF_ROLES:
                user = demo_user(demo_email(prefix, slug))
                Membership.objects.get_or_create(user=user, institution=institution, role=role)
        for email, role in REGIONAL_USERS:
            user = demo_user(email)
            Membership.objects.get_or_create(user=user, institution=None, role=role)
        demo_user("superuser@r2dr.example", superuser=True)
    if stdout:
        stdout.write(f"  core: {len(INSTITUTIONS)} institutions, staff for {', '.join(STAFFED)}")
