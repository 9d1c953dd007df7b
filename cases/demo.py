"""Demo data of the cases app: taxonomies, the protection directory, keys for the staffed demo institutions,
and a set of demo cases shaped like the FORUM-ASIA 2018–2019 figures (judicial harassment most frequent, State
actors responsible in about nine cases out of ten).

The demo case officers (cases@komnasham.example, cases@nhrct.example) unlock case keys with DEMO_CASE_PASSPHRASE.
The demo recovery kits are printed by `seed_demo` once when first created and never stored.
"""

from __future__ import annotations

import datetime
import json
import random

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from cases import crypto, plaintext, selectors, services
from cases.models import (
    Case,
    CaseSource,
    CaseTransition,
    Consent,
    ConsentAnswer,
    ConsentKind,
    DefenderGroup,
    Direction,
    Keyring,
    Outcome,
    PerpetratorType,
    ProtectionMechanism,
    Right,
    SavedInboxView,
    Status,
    ViolationType,
)
from cases.services.notifications import NOTIFICATION_KINDS
from r2dr.demo import STAFFED, demo_email
from r2dr.models import Institution, NotificationPreference
from r2dr.notifications import Delivery
from r2dr.notifications.services import notification_preference_save
from r2dr.tenancy import scopes_disabled

DEMO_CASE_PASSPHRASE = "demo case passphrase 2026"  # noqa: S105 - documented demo credential

# (code, label, counts for SDG 16.10.1, weight in demo data)
VIOLATION_TYPES = [
    ("judicial-harassment", "Judicial harassment or criminalisation", False, 392),
    ("arbitrary-detention", "Arbitrary arrest or detention", True, 278),
    ("threats", "Intimidation and threats, including death threats", False, 192),
    ("physical-assault", "Physical attack", False, 168),
    ("killing", "Killing", True, 73),
    ("enforced-disappearance", "Enforced disappearance", True, 12),
    ("torture", "Torture or ill-treatment", True, 20),
    ("abduction", "Kidnapping or abduction", True, 10),
    ("unfair-trial", "Denial of a fair trial", False, 40),
    ("administrative-harassment", "Administrative harassment", False, 35),
    ("online-harassment", "Online harassment", False, 60),
    ("family-threats", "Threats against family members", False, 25),
    ("stigmatisation", "Stigmatisation, smear campaigns or red-tagging", False, 50),
    ("surveillance", "Surveillance", False, 30),
    ("travel-ban", "Travel ban", False, 10),
    ("raid-property", "Raid or attack on home, office or property", False, 20),
    ("sexual-violence", "Sexual or gender-based violence", False, 8),
    ("funding-restriction", "Deregistration or restriction of funding", False, 10),
    ("reprisal-un", "Reprisal for cooperating with the UN", False, 5),
    ("other-harm", "Other harmful act", True, 10),
]
# The SDG 16.10.1 act of each seeded violation type. "other-harm" is flagged sdg_16101 for the indicator's wider
# working definition ("other harmful acts") but is not one of the five acts counted.
VIOLATION_TYPE_SDG_ACTS = {
    "killing": "killing",
    "enforced-disappearance": "enforced_disappearance",
    "torture": "torture",
    "arbitrary-detention": "arbitrary_detention",
    "abduction": "kidnapping",
}

# Indonesian and Thai labels of the violation types above, by code (read through `obj.tr("label")`).
VIOLATION_TYPE_LABELS = {
    "judicial-harassment": {
        "id": "Pelecehan yudisial atau kriminalisasi",
        "th": "การคุกคามทางกระบวนการยุติธรรมหรือการดำเนินคดีอาญา",
    },
    "arbitrary-detention": {"id": "Penangkapan atau penahanan sewenang-wenang", "th": "การจับกุมหรือคุมขังโดยพลการ"},
    "threats": {"id": "Intimidasi dan ancaman, termasuk ancaman pembunuhan", "th": "การข่มขู่และคุกคาม รวมถึงการขู่ฆ่า"},
    "physical-assault": {"id": "Serangan fisik", "th": "การทำร้ายร่างกาย"},
    "killing": {"id": "Pembunuhan", "th": "การสังหาร"},
    "enforced-disappearance": {"id": "Penghilangan paksa", "th": "การบังคับบุคคลให้สูญหาย"},
    "torture": {"id": "Penyiksaan atau perlakuan buruk", "th": "การทรมานหรือการปฏิบัติที่โหดร้าย"},
    "abduction": {"id": "Penculikan atau pembawaan paksa", "th": "การลักพาตัวหรือการอุ้มตัวไป"},
    "unfair-trial": {"id": "Pengingkaran hak atas peradilan yang adil", "th": "การไม่ได้รับการพิจารณาคดีที่เป็นธรรม"},
    "administrative-harassment": {"id": "Pelecehan administratif", "th": "การกลั่นแกล้งด้วยมาตรการทางปกครอง"},
    "online-harassment": {"id": "Pelecehan daring", "th": "การคุกคามทางออนไลน์"},
    "family-threats": {"id": "Ancaman terhadap anggota keluarga", "th": "การข่มขู่สมาชิกในครอบครัว"},
    "stigmatisation": {
        "id": "Stigmatisasi, kampanye hitam, atau pelabelan sebagai komunis atau teroris (red-tagging)",
        "th": "การตีตรา การใส่ร้ายป้ายสี หรือการกล่าวหาว่าเป็นคอมมิวนิสต์หรือผู้ก่อการร้าย (red-tagging)",
    },
    "surveillance": {"id": "Pengintaian atau pemantauan diam-diam", "th": "การสอดแนมหรือการติดตามความเคลื่อนไหว"},
    "travel-ban": {"id": "Larangan bepergian", "th": "การห้ามเดินทาง"},
    "raid-property": {
        "id": "Penggerebekan atau serangan terhadap rumah, kantor, atau harta benda",
        "th": "การบุกค้นหรือโจมตีบ้าน สำนักงาน หรือทรัพย์สิน",
    },
    "sexual-violence": {
        "id": "Kekerasan seksual atau berbasis gender",
        "th": "ความรุนแรงทางเพศหรือความรุนแรงบนฐานเพศภาวะ",
    },
    "funding-restriction": {
        "id": "Pencabutan status badan hukum atau pembatasan pendanaan",
        "th": "การเพิกถอนการจดทะเบียนหรือการจำกัดแหล่งทุน",
    },
    "reprisal-un": {"id": "Pembalasan karena bekerja sama dengan PBB", "th": "การตอบโต้เพราะให้ความร่วมมือกับสหประชาชาติ"},
    "other-harm": {"id": "Tindakan merugikan lainnya", "th": "การกระทำอื่นที่ก่อให้เกิดอันตราย"},
}

DEFENDER_GROUPS = [
    ("pro-democracy", "Pro-democracy activists", 30),
    ("whrd", "Women human rights defenders", 20),
    ("land-environment", "Land and environmental defenders", 18),
    ("ngo-staff", "Staff of non-governmental organisations", 10),
    ("students-youth", "Students and young activists", 8),
    ("journalists", "Journalists and media workers", 8),
    ("trade-unionists", "Trade unionists and labour activists", 5),
    ("indigenous", "Defenders of indigenous peoples' rights", 5),
    ("community", "Community-based and grassroots defenders", 6),
    ("esc-rights", "Economic, social and cultural rights defenders", 2),
    ("corporate-accountability", "Corporate accountability advocates", 2),
    ("peasant-leaders", "Peasant leaders", 2),
    ("right-to-information", "Right-to-information activists", 2),
    ("lgbtiq", "LGBTIQ rights defenders", 3),
    ("disability", "Disability rights defenders", 1),
    ("lawyers", "Lawyers", 4),
    ("nhri-staff", "Staff of national human rights institutions", 1),
    ("family-members", "Family members of defenders", 1),
]

DEFENDER_GROUP_LABELS = {
    "pro-democracy": {"id": "Aktivis prodemokrasi", "th": "นักกิจกรรมเพื่อประชาธิปไตย"},
    "whrd": {"id": "Perempuan pembela hak asasi manusia", "th": "นักปกป้องสิทธิมนุษยชนหญิง"},
    "land-environment": {"id": "Pembela hak atas tanah dan lingkungan hidup", "th": "นักปกป้องสิทธิในที่ดินและสิ่งแวดล้อม"},
    "ngo-staff": {"id": "Staf organisasi nonpemerintah", "th": "เจ้าหน้าที่องค์กรพัฒนาเอกชน"},
    "students-youth": {"id": "Mahasiswa, pelajar, dan aktivis muda", "th": "นักศึกษาและนักกิจกรรมเยาวชน"},
    "journalists": {"id": "Jurnalis dan pekerja media", "th": "นักข่าวและผู้ปฏิบัติงานด้านสื่อ"},
    "trade-unionists": {
        "id": "Anggota serikat pekerja dan aktivis perburuhan",
        "th": "นักสหภาพแรงงานและนักกิจกรรมด้านแรงงาน",
    },
    "indigenous": {"id": "Pembela hak masyarakat adat", "th": "นักปกป้องสิทธิของชนเผ่าพื้นเมือง"},
    "community": {"id": "Pembela HAM berbasis komunitas dan akar rumput", "th": "นักปกป้องสิทธิมนุษยชนในชุมชนและระดับรากหญ้า"},
    "esc-rights": {"id": "Pembela hak ekonomi, sosial, dan budaya", "th": "นักปกป้องสิทธิทางเศรษฐกิจ สังคม และวัฒนธรรม"},
    "corporate-accountability": {"id": "Pegiat akuntabilitas korporasi", "th": "ผู้รณรงค์ด้านความรับผิดชอบของภาคธุรกิจ"},
    "peasant-leaders": {"id": "Pemimpin petani", "th": "แกนนำเกษตรกร"},
    "right-to-information": {"id": "Aktivis hak atas informasi", "th": "นักกิจกรรมด้านสิทธิในการเข้าถึงข้อมูลข่าวสาร"},
    "lgbtiq": {"id": "Pembela hak LGBTIQ", "th": "นักปกป้องสิทธิของกลุ่ม LGBTIQ"},
    "disability": {"id": "Pembela hak penyandang disabilitas", "th": "นักปกป้องสิทธิคนพิการ"},
    "lawyers": {"id": "Pengacara", "th": "ทนายความ"},
    "nhri-staff": {"id": "Staf lembaga nasional hak asasi manusia", "th": "เจ้าหน้าที่สถาบันสิทธิมนุษยชนแห่งชาติ"},
    "family-members": {"id": "Anggota keluarga pembela HAM", "th": "สมาชิกในครอบครัวของนักปกป้องสิทธิมนุษยชน"},
}

# (code, label, kind, weight)
PERPETRATOR_TYPES = [
    ("police", "Police", "state", 40),
    ("military", "Military", "state", 15),
    ("judiciary", "Judiciary or prosecution", "state", 20),
    ("local-officials", "Local officials", "state", 8),
    ("other-officials", "Other State officials", "state", 6),
    ("de-facto-authorities", "De facto authorities", "state", 3),
    ("private-security", "Private security", "non_state", 2),
    ("organised-crime", "Organised crime", "non_state", 1),
    ("landowners", "Landowners", "non_state", 1),
    ("corporations", "Companies", "non_state", 2),
    ("armed-groups", "Armed groups", "non_state", 1),
    ("unknown", "Not known", "unknown", 1),
]

PERPETRATOR_TYPE_LABELS = {
    "police": {"id": "Polisi", "th": "ตำรวจ"},
    "military": {"id": "Militer", "th": "ทหาร"},
    "judiciary": {"id": "Lembaga peradilan atau kejaksaan", "th": "ศาลหรืออัยการ"},
    "local-officials": {"id": "Pejabat daerah", "th": "เจ้าหน้าที่ท้องถิ่น"},
    "other-officials": {"id": "Pejabat negara lainnya", "th": "เจ้าหน้าที่รัฐอื่น ๆ"},
    "de-facto-authorities": {"id": "Otoritas de facto", "th": "ผู้มีอำนาจโดยพฤตินัย"},
    "private-security": {"id": "Petugas keamanan swasta", "th": "หน่วยรักษาความปลอดภัยเอกชน"},
    "organised-crime": {"id": "Kejahatan terorganisasi", "th": "องค์กรอาชญากรรม"},
    "landowners": {"id": "Pemilik tanah", "th": "เจ้าของที่ดิน"},
    "corporations": {"id": "Perusahaan", "th": "บริษัท"},
    "armed-groups": {"id": "Kelompok bersenjata", "th": "กลุ่มติดอาวุธ"},
    "unknown": {"id": "Tidak diketahui", "th": "ไม่ทราบ"},
}

# (code, label, articles of the UN Declaration on HRDs)
RIGHTS = [
    ("expression", "Freedom of opinion and expression (online and offline)", "6, 7"),
    ("information", "Access to information", "6"),
    ("association", "Freedom of association", "5"),
    ("assembly", "Freedom of peaceful assembly", "5, 12"),
    ("participation", "Taking part in public affairs", "8"),
    ("liberty-security", "Liberty and security of person", "12"),
    ("life", "Right to life", "12"),
    ("torture", "Freedom from torture and ill-treatment", "12"),
    ("fair-trial", "Fair trial and effective remedy", "9"),
    ("movement", "Freedom of movement", "1, 5"),
    ("privacy", "Privacy", "12"),
    ("resources", "Access to resources and funding", "13"),
    ("non-discrimination", "Non-discrimination", "2"),
    ("communicate-international", "Communicating with international bodies", "5, 9"),
]

RIGHT_LABELS = {
    "expression": {
        "id": "Kebebasan berpendapat dan berekspresi (daring dan luring)",
        "th": "เสรีภาพในการแสดงความคิดเห็นและการแสดงออก (ทั้งออนไลน์และออฟไลน์)",
    },
    "information": {"id": "Akses terhadap informasi", "th": "การเข้าถึงข้อมูลข่าวสาร"},
    "association": {"id": "Kebebasan berserikat", "th": "เสรีภาพในการสมาคม"},
    "assembly": {"id": "Kebebasan berkumpul secara damai", "th": "เสรีภาพในการชุมนุมโดยสงบ"},
    "participation": {"id": "Ikut serta dalam urusan publik", "th": "การมีส่วนร่วมในกิจการสาธารณะ"},
    "liberty-security": {"id": "Kebebasan dan keamanan pribadi", "th": "เสรีภาพและความปลอดภัยของบุคคล"},
    "life": {"id": "Hak untuk hidup", "th": "สิทธิในชีวิต"},
    "torture": {"id": "Bebas dari penyiksaan dan perlakuan buruk", "th": "การไม่ถูกทรมานหรือปฏิบัติอย่างโหดร้าย"},
    "fair-trial": {
        "id": "Peradilan yang adil dan pemulihan yang efektif",
        "th": "การพิจารณาคดีที่เป็นธรรมและการเยียวยาที่มีประสิทธิผล",
    },
    "movement": {"id": "Kebebasan bergerak", "th": "เสรีภาพในการเดินทางและการเคลื่อนย้าย"},
    "privacy": {"id": "Privasi", "th": "ความเป็นส่วนตัว"},
    "resources": {"id": "Akses terhadap sumber daya dan pendanaan", "th": "การเข้าถึงทรัพยากรและแหล่งทุน"},
    "non-discrimination": {"id": "Nondiskriminasi", "th": "การไม่เลือกปฏิบัติ"},
    "communicate-international": {
        "id": "Berkomunikasi dengan badan-badan internasional",
        "th": "การติดต่อสื่อสารกับองค์กรระหว่างประเทศ",
    },
}

# Regional directory of protection mechanisms, described in our own words.
MECHANISMS = [
    (
        "Protection Plan for Human Rights Defenders at Risk (FORUM-ASIA)",
        "Short-term help for defenders at risk in Asia, such as temporary relocation and other urgent support.",
        "https://www.forum-asia.org/?p=7302",
        "",
    ),
    (
        "ProtectDefenders.eu",
        "The European Union's mechanism for defenders at risk worldwide, run by a consortium of NGOs: a 24/7 "
        "helpline, emergency grants and temporary relocation.",
        "https://www.protectdefenders.eu/en/supporting-defenders.html",
        "24/7 helpline by phone or secure web form",
    ),
    (
        "Urgent Action Fund for Women's Human Rights, Asia & Pacific",
        "Rapid-response grants for women and non-binary defenders facing immediate risk.",
        "https://www.uafanp.org/rapid-response-grant-making",
        "",
    ),
    (
        "Freedom House emergency assistance",
        "Emergency financial help for defenders and organisations under threat or attack, including those "
        "working for LGBTIQ rights.",
        "https://freedomhouse.org/program/emergency-assistance-programs",
        "",
    ),
    (
        "Access Now Digital Security Helpline",
        "Around-the-clock help with digital attacks, account compromise and digital safety.",
        "https://www.accessnow.org/help/",
        "24/7, reachable securely",
    ),
    (
        "Shelter City and protective fellowships",
        "Temporary relocation for rest and respite, such as Shelter City (Justice and Peace) and the Protective "
        "Fellowship Scheme of the University of York's Centre for Applied Human Rights.",
        "https://www.humanrightsfirst.org/sites/default/files/HRF-Defenders-Resources.pdf",
        "",
    ),
]

# Indonesian and Thai descriptions of the mechanisms above, by name (the names are proper names, kept as they are).
MECHANISM_DESCRIPTIONS = {
    "Protection Plan for Human Rights Defenders at Risk (FORUM-ASIA)": {
        "id": "Bantuan jangka pendek bagi pembela HAM yang berisiko di Asia, seperti relokasi sementara dan dukungan "
        "mendesak lainnya.",
        "th": "ความช่วยเหลือระยะสั้นสำหรับนักปกป้องสิทธิมนุษยชนที่ตกอยู่ในความเสี่ยงในเอเชีย เช่น การย้ายที่อยู่ชั่วคราวและการสนับสนุนเร่งด่วนอื่น ๆ",
    },
    "ProtectDefenders.eu": {
        "id": "Mekanisme Uni Eropa bagi pembela HAM yang berisiko di seluruh dunia, dijalankan oleh konsorsium LSM: "
        "layanan bantuan 24/7, hibah darurat, dan relokasi sementara.",
        "th": "กลไกของสหภาพยุโรปสำหรับนักปกป้องสิทธิมนุษยชนที่ตกอยู่ในความเสี่ยงทั่วโลก ดำเนินงานโดยกลุ่มองค์กรพัฒนาเอกชน "
        "มีสายด่วนตลอด 24 ชั่วโมง ทุนช่วยเหลือฉุกเฉิน และการย้ายที่อยู่ชั่วคราว",
    },
    "Urgent Action Fund for Women's Human Rights, Asia & Pacific": {
        "id": "Hibah tanggap cepat bagi pembela HAM perempuan dan nonbiner yang menghadapi risiko mendesak.",
        "th": "ทุนช่วยเหลือเร่งด่วนสำหรับนักปกป้องสิทธิมนุษยชนหญิงและนอนไบนารีที่เผชิญความเสี่ยงเฉพาะหน้า",
    },
    "Freedom House emergency assistance": {
        "id": "Bantuan keuangan darurat bagi pembela HAM dan organisasi yang terancam atau diserang, termasuk yang "
        "bekerja untuk hak-hak LGBTIQ.",
        "th": "ความช่วยเหลือทางการเงินฉุกเฉินสำหรับนักปกป้องสิทธิมนุษยชนและองค์กรที่ถูกคุกคามหรือโจมตี รวมถึงผู้ที่ทำงานด้านสิทธิของกลุ่ม LGBTIQ",
    },
    "Access Now Digital Security Helpline": {
        "id": "Bantuan 24 jam untuk serangan digital, akun yang dibobol, dan keamanan digital.",
        "th": "ความช่วยเหลือตลอด 24 ชั่วโมงเมื่อถูกโจมตีทางดิจิทัลหรือบัญชีถูกเจาะ และด้านความปลอดภัยทางดิจิทัล",
    },
    "Shelter City and protective fellowships": {
        "id": "Relokasi sementara untuk beristirahat dan memulihkan diri, seperti Shelter City (Justice and Peace) dan "
        "Protective Fellowship Scheme dari Centre for Applied Human Rights, University of York.",
        "th": "การย้ายที่อยู่ชั่วคราวเพื่อพักฟื้น เช่น Shelter City (Justice and Peace) และ Protective Fellowship Scheme "
        "ของ Centre for Applied Human Rights มหาวิทยาลัยยอร์ก",
    },
}


def seed_taxonomies():
    def translate(obj, texts):
        """Set the seeded Indonesian and Thai texts, keeping every other language (e.g. labels a regional admin
        added), and write only when something changed, so that seeding twice changes nothing."""
        data = {lang: dict(fields) for lang, fields in (obj.translations or {}).items()}
        for lang, fields in texts.items():
            data.setdefault(lang, {}).update(fields)
        if data != (obj.translations or {}):
            obj.translations = data
            obj.save(update_fields=["translations"])

    def labels(by_lang):
        return {lang: {"label": text} for lang, text in by_lang.items()}

    for order, (code, label, sdg, _w) in enumerate(VIOLATION_TYPES):
        obj, _created = ViolationType.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "sdg_16101": sdg,
                "sdg_16101_act": VIOLATION_TYPE_SDG_ACTS.get(code, ""),
                "order": order,
            },
        )
        translate(obj, labels(VIOLATION_TYPE_LABELS[code]))
    for order, (code, label, _w) in enumerate(DEFENDER_GROUPS):
        obj, _created = DefenderGroup.objects.update_or_create(code=code, defaults={"label": label, "order": order})
        translate(obj, labels(DEFENDER_GROUP_LABELS[code]))
    for order, (code, label, kind, _w) in enumerate(PERPETRATOR_TYPES):
        obj, _created = PerpetratorType.objects.update_or_create(
            code=code, defaults={"label": label, "kind": kind, "order": order}
        )
        translate(obj, labels(PERPETRATOR_TYPE_LABELS[code]))
    for order, (code, label, articles) in enumerate(RIGHTS):
        obj, _created = Right.objects.update_or_create(
            code=code, defaults={"label": label, "declaration_articles": articles, "order": order}
        )
        translate(obj, labels(RIGHT_LABELS[code]))
    for order, (name, description, url, contact) in enumerate(MECHANISMS):
        obj, _created = ProtectionMechanism.objects.update_or_create(
            institution=None,
            name=name,
            defaults={"description": description, "url": url, "contact": contact, "order": order},
        )
        translate(obj, {lang: {"description": text} for lang, text in MECHANISM_DESCRIPTIONS[name].items()})


def _weighted(rng, rows, weight_index):
    return rng.choices(rows, weights=[r[weight_index] for r in rows])[0]


def _random_case_shape(rng, today):
    """Clear statistical fields of one realistic demo case."""
    vt = {_weighted(rng, VIOLATION_TYPES, 3)[0]}
    if rng.random() < 0.3:
        vt.add(_weighted(rng, VIOLATION_TYPES, 3)[0])
    state = rng.random() < 0.92
    ptypes = [p for p in PERPETRATOR_TYPES if (p[2] == "state") == state and p[2] != "unknown"]
    if not state and rng.random() < 0.3:
        ptypes = [p for p in PERPETRATOR_TYPES if p[2] == "unknown"]
    ptype = _weighted(rng, ptypes, 3)
    day = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
    status = rng.choices(["received", "assessment", "verification", "action", "closed"], weights=[2, 2, 2, 3, 3])[0]
    return {
        "violation_types": vt,
        "defender_groups": {_weighted(rng, DEFENDER_GROUPS, 2)[0]},
        "perpetrator_types": {ptype[0]},
        "rights": {rng.choice(RIGHTS)[0]},
        "perpetrator_kind": ptype[2],
        "incident_date": day,
        "status": status,
        "verified": status in ("action", "closed") and rng.random() < 0.85,
        "urgent": rng.random() < 0.1,
        "gender": rng.choice(["woman", "man", "man", "woman", "non_binary", "undisclosed"]),
        "age_group": rng.choice(["18_29", "30_59", "30_59", "60_plus", "undisclosed"]),
        "consent_statistics": rng.random() < 0.85,
    }


# Fictional people of the demo cases, one per report (first names and surnames combined without repeating), so
# that only the case deliberately about the same defender again is detected as a repeat attack.
DEMO_PEOPLE = {
    "komnas-ham": (
        ["Ayu", "Budi", "Siti", "Agus", "Dewi", "Yohanes", "Rina", "Made", "Nur", "Andi", "Maria", "Fajar"],
        ["Lestari", "Santoso", "Rahayu", "Wibowo", "Anggraini", "Tabuni", "Kurniawati", "Suarta", "Aisyah",
         "Pratama", "Kogoya", "Nugroho"],
    ),
    "nhrct": (
        ["Somchai", "Kanya", "Anurak", "Pimchanok", "Sombat", "Ratana", "Niran", "Malee", "Thawatchai", "Suda",
         "Prasert", "Wilai"],
        ["P.", "S.", "T.", "W.", "K.", "M.", "C.", "D.", "B.", "J.", "N.", "R."],
    ),
}  # fmt: skip
# (account, human rights activity)
DEMO_STORIES = [
    ("Charged with 'spreading false news' after a village meeting on a mining permit.", "Land rights organiser"),
    ("Detained overnight after a peaceful protest and questioned about posts online.", "Student activist"),
    ("Repeated threatening messages and a smear campaign after speaking to the media.", "Women's rights advocate"),
    ("Office raided and equipment seized by plain-clothes officers.", "Community radio journalist"),
    ("Summoned by police over a report on forced evictions.", "Housing rights researcher"),
    ("Followed home and photographed by unidentified men after a court hearing.", "Lawyer for detained farmers"),
    ("Travel ban imposed on the way to a UN side event.", "Indigenous peoples' representative"),
    ("Beaten while filming the dispersal of a union picket.", "Trade union organiser"),
]
DEMO_CASES_PER_INSTITUTION = 24

# What the demo officers wrote at each workflow step (kept encrypted, like every reason).
DEMO_REASONS = {
    Status.ASSESSMENT: "Read the report; within the mandate at first sight. Assessing admissibility.",
    Status.VERIFICATION: "A State actor is alleged, the report came within the time limit and no court is seized.",
    Status.ACTION: "Two sources confirm the account: reasonable grounds to believe the facts alleged.",
    Status.CLOSED: "Closed after the steps recorded above.",
}
# Days after receipt (or after the previous step) each step took, drawn between these bounds.
DEMO_STEP_DAYS = {
    Status.ASSESSMENT: (1, 5),
    Status.VERIFICATION: (4, 20),
    Status.ACTION: (7, 40),
    Status.CLOSED: (10, 60),
}


def _demo_person(slug: str, i: int) -> str:
    firsts, lasts = DEMO_PEOPLE.get(slug, DEMO_PEOPLE["komnas-ham"])
    # i and i + 12 keep the first name and move to the next surname: every name differs within 24 reports.
    return f"{firsts[i % len(firsts)]} {lasts[(i + i // len(firsts)) % len(lasts)]}"


def _walk_demo_case(case, key, officer, shape, rng) -> None:
    """Take a demo case along the workflow to its drawn status through the workflow service (each step with its
    reason, the admissibility facts and a source before verification), as an officer would have."""
    target = shape["status"]
    if target == Status.RECEIVED:
        return
    if target == Status.CLOSED and shape["verified"]:
        path, outcome = (
            [Status.ASSESSMENT, Status.VERIFICATION, Status.ACTION, Status.CLOSED],
            rng.choice([Outcome.RESOLVED, Outcome.REFERRED, Outcome.PROTECTION, Outcome.NO_FURTHER_ACTION]),
        )
    elif target == Status.CLOSED:
        path, outcome = rng.choice(
            [
                ([Status.ASSESSMENT, Status.CLOSED], Outcome.WITHDRAWN),
                ([Status.ASSESSMENT, Status.CLOSED], Outcome.INADMISSIBLE),
                ([Status.ASSESSMENT, Status.VERIFICATION, Status.CLOSED], Outcome.NOT_SUBSTANTIATED),
            ]
        )
    else:
        order = [Status.ASSESSMENT, Status.VERIFICATION, Status.ACTION]
        path, outcome = order[: order.index(target) + 1], ""
    for step in path:
        facts: dict = {}
        if step == Status.VERIFICATION:
            facts = {"respondent_type": "state", "within_time_limit": True, "sub_judice": False}
        elif step == Status.ACTION:
            services.source_add(
                case=case, case_key=key, by=officer, kind="witness", reliability="usually",
                description="Interview with a witness at the scene (demo source).",
            )  # fmt: skip
            facts = {"reasonable_grounds": True}
        elif step == Status.CLOSED:
            facts = {"outcome": outcome, "inadmissibility": "out_of_mandate" if outcome == Outcome.INADMISSIBLE else ""}
        services.case_transition(
            case=case, case_key=key, by=officer, to_status=step, reason=DEMO_REASONS[step], **facts
        )


def _date_demo_case(case, shape, rng, now) -> None:
    """Spread the demo case over time, as a real caseload is: received some days after the incident, each
    workflow step some days after the last (new reports recent), never in the future."""
    steps = list(CaseTransition.objects.for_institution(case.institution).filter(case=case).order_by("at", "pk"))
    incident = datetime.datetime.combine(
        shape["incident_date"], datetime.time(9), tzinfo=datetime.UTC
    ) + datetime.timedelta(days=rng.randint(1, 20))
    if not steps:
        received = now - datetime.timedelta(hours=rng.randint(2, 12 * 24))
    else:
        span = sum(rng.randint(*DEMO_STEP_DAYS[s.to_status]) for s in steps)
        received = now - datetime.timedelta(days=span + rng.randint(0, 300), hours=rng.randint(0, 23))
    received = min(max(received, incident), now - datetime.timedelta(hours=2))
    at, fields = received, {"received_at": received}
    for step in steps:
        at = min(at + datetime.timedelta(days=rng.randint(*DEMO_STEP_DAYS[step.to_status])), now)
        CaseTransition.objects.for_institution(case.institution).filter(pk=step.pk).update(at=at)
        fields["status_changed_at"] = at
        fields.setdefault("first_response_at", at)
        if step.to_status == Status.ACTION:
            fields["verified_at"] = at
            CaseSource.objects.for_institution(case.institution).filter(case=case).update(added_at=at)
        if step.to_status == Status.CLOSED:
            fields["closed_at"] = at
    Case.objects.for_institution(case.institution).filter(pk=case.pk).update(**fields)
    Consent.objects.for_institution(case.institution).filter(case=case).update(recorded_at=received)


def _ensure_keys(institution, officer_email, stdout):

    user = get_user_model().objects.filter(username=officer_email).first()
    if user is None:
        return None
    okey = selectors.officer_key_for(institution, user) or services.officer_key_create(
        institution=institution, user=user, passphrase=DEMO_CASE_PASSPHRASE
    )
    if selectors.active_keyring(institution) is None:
        kit = services.keyring_setup(institution=institution, by=user, officer_key=okey)
        if stdout:
            stdout.write(f"  cases: recovery kit for {institution.slug} (shown once, demo only): {kit}")
    return user


def _demo_officer_prefers_digest(institution, officer):
    """The demo officer reads the seeded reports in the daily digest (and the header's count), so seeding e-mails
    nobody; a choice made since (on the preferences page) is kept."""
    if officer is None or NotificationPreference.objects.for_institution(institution).filter(user=officer).exists():
        return
    notification_preference_save(
        institution=institution,
        user=officer,
        deliveries={kind.key: Delivery.DIGEST for kind in NOTIFICATION_KINDS},
    )


def _seed_demo_cases(institution, officer, rng, count):

    if Case.objects.for_institution(institution).exists():
        return 0
    today = datetime.date.today()
    now = timezone.now()
    ids = {
        "violation_types": dict(ViolationType.objects.values_list("code", "pk")),
        "defender_groups": dict(DefenderGroup.objects.values_list("code", "pk")),
        "perpetrator_types": dict(PerpetratorType.objects.values_list("code", "pk")),
        "rights": dict(Right.objects.values_list("code", "pk")),
    }
    inst_private = None
    if officer is not None:
        _keyring_id, inst_private = services.keyring_unlock(
            institution=institution, user=officer, passphrase=DEMO_CASE_PASSPHRASE
        )
    for i in range(count):
        shape = _random_case_shape(rng, today)
        if i == 0:
            shape["status"] = Status.ASSESSMENT  # the case with a reply to the person who reported
        story, activity = DEMO_STORIES[i % len(DEMO_STORIES)]
        clear = {
            "incident_date": shape["incident_date"],
            "perpetrator_kind": shape["perpetrator_kind"],
            "gender": shape["gender"],
            "age_group": shape["age_group"],
            "urgent": shape["urgent"],
        }
        for key in ids:
            clear[key] = [ids[key][c] for c in shape[key]]
        consents = {
            ConsentKind.CONTACT: ConsentAnswer.YES,
            ConsentKind.UN: ConsentAnswer.YES_ANONYMISED,
            ConsentKind.PROTECTION: ConsentAnswer.NO,
            ConsentKind.STATISTICS: ConsentAnswer.YES if shape["consent_statistics"] else ConsentAnswer.NO,
        }
        case, _code = services.case_submit(
            institution=institution,
            clear=clear,
            private={
                "affected_names": f"{_demo_person(institution.slug, i)} (demo)",
                "narrative": story,
                "activity": activity,
                "location_detail": "demo district",
            },
            consents=consents,
            consent_wording={k: "demo consent" for k in consents},
            language="en",
        )
        if inst_private is None:
            continue
        key = plaintext.case_key_for_officer(case, inst_private)
        if i == 0:
            services.message_add(
                case=case,
                case_key=key,
                direction=Direction.INSTITUTION,
                author=officer,
                body="Thank you. We have received your report and will contact you through this channel.",
            )
        _walk_demo_case(case, key, officer, shape, rng)
        _date_demo_case(case, shape, rng, now)
    if officer is not None:
        _seed_staff_side(institution, officer, ids, today)
    return count + (1 if officer is not None else 0)


def _seed_staff_side(institution, officer, ids, today):
    """A case staff recorded from the media about the first demo defender, attacked again (so the repeat-attack
    detection links it to the earlier case), and a saved inbox view shared with the institution's officers."""

    _keyring_id, inst_private = services.keyring_unlock(
        institution=institution, user=officer, passphrase=DEMO_CASE_PASSPHRASE
    )
    services.case_names_index_pending(institution=institution, institution_private=inst_private, by=officer)
    services.case_words_index_pending(institution=institution, institution_private=inst_private)
    first = Case.objects.for_institution(institution).order_by("pk").first()
    name = _demo_person(institution.slug, 0)
    services.case_record(
        institution=institution,
        by=officer,
        institution_private=inst_private,
        clear={
            "incident_date": (first.incident_date or today) - datetime.timedelta(days=120),
            "perpetrator_kind": "state",
            "violation_types": [ids["violation_types"]["judicial-harassment"]],
            "defender_groups": [ids["defender_groups"]["journalists"]],
        },
        private={
            "affected_names": f"{name} (demo)",
            "narrative": "A national daily reports that the defender was summoned again for questioning after "
            "publishing a follow-up article.",
        },
        consents={ConsentKind.STATISTICS: ConsentAnswer.YES},
        consent_wording={ConsentKind.STATISTICS: "Recorded by staff from the source: demo"},
        language="en",
        origin="media",
        source_kind="media",
        reliability="usually",
        source_description="Demo national daily, front page (demo source)",
    )
    SavedInboxView.objects.for_institution(institution).get_or_create(
        institution=institution,
        user=officer,
        name="Urgent, not yet assigned",
        defaults={"query": "urgency=urgent&assigned=none", "shared": True},
    )


BULK_CASES_PER_SCALE = 50_000


def _seed_bulk(scale, rng, stdout):
    """`scale` cases spread over every institution, clear statistical fields only; one encrypted payload per
    institution is reused for speed (the reports benchmark reads only clear fields)."""

    institutions = list(Institution.objects.filter(is_active=True).order_by("slug"))
    today = datetime.date.today()
    ids = {
        "violation_types": dict(ViolationType.objects.values_list("code", "pk")),
        "defender_groups": dict(DefenderGroup.objects.values_list("code", "pk")),
        "perpetrator_types": dict(PerpetratorType.objects.values_list("code", "pk")),
        "rights": dict(Right.objects.values_list("code", "pk")),
    }
    per = max(1, scale // len(institutions))
    total = 0
    for institution in institutions:
        # Benchmark institutions share statistics regionally, so regional reports read all 50,000 cases.
        settings_obj = services.case_settings_create(institution=institution, by=None)
        if not settings_obj.share_regional_statistics:
            settings_obj.share_regional_statistics = True
            settings_obj.save(update_fields=["share_regional_statistics"])
        existing = Case.objects.for_institution(institution).filter(reference__startswith="B-").count()
        if existing >= per:
            continue
        keyring = selectors.active_keyring(institution)
        if keyring is None:
            private, public = crypto.new_keypair()
            kit_text, kit_public = crypto.new_recovery_kit()
            keyring = Keyring.objects.create(
                institution=institution,
                version=1,
                public_key=public,
                recovery_public_key=kit_public,
                recovery_sealed_private=crypto.seal(kit_public, private),
            )
        case_key = crypto.new_key()
        sealed = crypto.seal(bytes(keyring.public_key), case_key)
        payload = crypto.encrypt(case_key, json.dumps({"narrative": "bulk demo case"}).encode(), "bulk")
        rows, m2m = [], []
        for i in range(existing, per):
            shape = _random_case_shape(rng, today)
            rows.append(
                Case(
                    institution=institution,
                    reference=f"B-{institution.pk:03d}{i:06d}",
                    status=shape["status"],
                    verified_at=datetime.datetime.now(datetime.UTC) if shape["verified"] else None,
                    urgent=shape["urgent"],
                    incident_date=shape["incident_date"],
                    country_code=institution.country_code,
                    subregion=institution.subregion,
                    gender=shape["gender"],
                    age_group=shape["age_group"],
                    perpetrator_kind=shape["perpetrator_kind"],
                    consent_statistics=shape["consent_statistics"],
                    keyring=keyring,
                    sealed_key=sealed,
                    receipt_lookup=crypto.keyed_hash("bulk", f"{institution.pk}:{i}"),
                    receipt_salt=b"",
                    receipt_kdf={},
                    receipt_wrapped_key=b"",
                    payload=payload,
                )
            )
            m2m.append(shape)
        created = Case.objects.bulk_create(rows, batch_size=2000)
        for name in ids:
            through = getattr(Case, name).through
            field = {"violation_types": "violationtype_id", "defender_groups": "defendergroup_id",
                     "perpetrator_types": "perpetratortype_id", "rights": "right_id"}[name]  # fmt: skip
            through.objects.bulk_create(
                [
                    through(case_id=c.pk, **{field: ids[name][code]})
                    for c, s in zip(created, m2m, strict=True)
                    for code in s[name]
                ],
                batch_size=5000,
            )
        Consent.objects.bulk_create(
            [
                Consent(institution=institution, case=c, kind="statistics", answer="yes" if s["consent_statistics"] else "no",
                        wording="bulk demo", language="en")
                for c, s in zip(created, m2m, strict=True)
            ],
            batch_size=5000,
        )  # fmt: skip
        total += len(created)
    if stdout:
        stdout.write(f"  cases: {total} bulk cases across {len(institutions)} institutions")


def seed(*, scale: int = 0, stdout=None) -> None:

    rng = random.Random(4)  # noqa: S311 - demo data
    with scopes_disabled(), transaction.atomic():
        seed_taxonomies()
        created = 0
        for slug in STAFFED:
            institution = Institution.objects.filter(slug=slug).first()
            if institution is None:
                continue
            settings_obj = services.case_settings_create(institution=institution, by=None)
            if not settings_obj.share_regional_statistics:
                settings_obj.share_regional_statistics = True
                settings_obj.save(update_fields=["share_regional_statistics"])
            officer = _ensure_keys(institution, demo_email("cases", slug), stdout)
            _demo_officer_prefers_digest(institution, officer)
            created += _seed_demo_cases(institution, officer, rng, DEMO_CASES_PER_INSTITUTION)
    if scale:
        # --scale N is the benchmark size N times over: 50,000 cases per unit (issue #6's volume).
        with scopes_disabled(), transaction.atomic():
            _seed_bulk(scale * BULK_CASES_PER_SCALE, rng, stdout)

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # planner statistics after a bulk load, as autovacuum would do later
    if stdout:
        stdout.write(f"  cases: taxonomies, {len(MECHANISMS)} protection mechanisms, {created} demo cases")
