"""The seed of the Right to Defend Rights framework (version 1), written for r2dr.

The five areas and the attributes of areas 1 and 2 follow DIHR's published categories; the attributes of
areas 3 to 5, every indicator and every rating rule are r2dr's proposal. DIHR publishes no scoring, so each
rating rule says it is a proposal: regional admins edit the framework in a draft version and publish it.

`ensure_framework()` loads it once (idempotent) and returns the published version.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from indicators.models import Area, Attribute, FrameworkVersion, Indicator, Term

S, P, O = "structural", "process", "outcome"  # noqa: E741
YPN, COUNT, PCT, CAT, TEXT = "ypn", "count", "percent", "categorical", "narrative"

YES_GOOD = {"kind": "map", "map": {"yes": "enabling", "partly": "partly", "no": "restrictive"}}
YES_BAD = {"kind": "map", "map": {"yes": "restrictive", "partly": "partly", "no": "enabling"}}
NONE = {"kind": "none"}


def fewer_is_better(enabling, partly):
    """0..enabling -> enabling; ..partly -> partly enabling; above -> restrictive."""
    return {"kind": "threshold", "higher_is_better": False, "enabling": enabling, "partly": partly}


def more_is_better(enabling, partly):
    return {"kind": "threshold", "higher_is_better": True, "enabling": enabling, "partly": partly}


PROPOSED = "Proposed by r2dr (DIHR publishes no scoring); regional admins may change it."

TERMS = {
    "sex": [("women", "Women"), ("men", "Men"), ("other", "Other or not disclosed")],
    "defender_group": [
        ("whrd", "Women human rights defenders"),
        ("journalist", "Journalists and media workers"),
        ("trade_unionist", "Trade unionists and labour rights defenders"),
        ("land_environment", "Land and environmental defenders"),
        ("indigenous", "Indigenous peoples' rights defenders"),
        ("lawyer", "Lawyers"),
        ("ngo_staff", "NGO staff"),
        ("student", "Students and youth"),
        ("lgbtiq", "LGBTIQ rights defenders"),
        ("other", "Other defenders"),
    ],
    "violation_type": [
        ("killing", "Killing"),
        ("enforced_disappearance", "Enforced disappearance"),
        ("torture", "Torture or ill-treatment"),
        ("arbitrary_detention", "Arbitrary arrest or detention"),
        ("kidnapping", "Kidnapping or abduction"),
        ("judicial_harassment", "Judicial harassment or criminalisation"),
        ("physical_assault", "Physical assault"),
        ("threats", "Intimidation and threats"),
        ("other", "Other harmful acts"),
    ],
}

# (code, title, description, Declaration articles, [(attribute code, title, description)])
AREAS = [
    (
        "1",
        "General protection, promotion and enjoyment of human rights",
        "Whether the State has taken the general legal, institutional and educational steps that let everyone "
        "defend rights, and how it responds when defenders are attacked.",
        "1, 2, 3, 12, 14, 15, 16",
        [
            (
                "1.1",
                "General measures and reported cases",
                "Treaties, laws, policies and institutions that "
                "recognise defenders, and what happens to attacks against them.",
            ),
            (
                "1.2",
                "Human rights education",
                "Teaching about human rights and defenders in schools and in the training of officials.",
            ),
        ],
    ),
    (
        "2",
        "Freedom of expression and opinion",
        "Whether defenders can form opinions, speak, publish and obtain the public information they need.",
        "6, 7",
        [
            (
                "2.1",
                "Holding opinions and imparting information",
                "Laws and practices that protect or punish speech, online and offline.",
            ),
            ("2.2", "Access to information", "The right to request and receive information held by public bodies."),
        ],
    ),
    (
        "3",
        "Freedom of association and assembly",
        "Whether defenders can form and run organisations, obtain resources and assemble peacefully.",
        "5, 12, 13",
        [
            (
                "3.1",
                "Association, including access to resources",
                "Registration, operation and funding of organisations.",
            ),
            ("3.2", "Peaceful assembly", "Rules on and policing of protests and other gatherings."),
        ],
    ),
    (
        "4",
        "Participation in public affairs",
        "Whether defenders take part in making laws and policies and can engage with international mechanisms "
        "without fear.",
        "5(c), 8, 9",
        [
            ("4.1", "Participation in law and policy making", "Consultation of the public and of civil society."),
            (
                "4.2",
                "Engagement with UN and regional mechanisms",
                "Cooperation with human rights mechanisms and protection from reprisals.",
            ),
        ],
    ),
    (
        "5",
        "Liberty and security of person",
        "Whether defenders are protected from violence, threats, reprisals and arbitrary deprivation of liberty.",
        "9, 10, 12",
        [
            (
                "5.1",
                "Protection from violence, threats and reprisals",
                "Protection mechanisms and the attacks they are meant to prevent.",
            ),
            (
                "5.2",
                "Arbitrary arrest, detention and fair trial",
                "Safeguards against arbitrary detention and their use for defenders.",
            ),
        ],
    ),
]

# Translations of the area titles (data, not code: more languages are added as JSON, see r2dr.i18n).
AREA_TRANSLATIONS = {
    "1": {
        "id": "Perlindungan umum, pemajuan dan penikmatan hak asasi manusia",
        "th": "การคุ้มครอง การส่งเสริม และการได้รับสิทธิมนุษยชนโดยทั่วไป",
    },
    "2": {"id": "Kebebasan berekspresi dan berpendapat", "th": "เสรีภาพในการแสดงออกและความคิดเห็น"},
    "3": {"id": "Kebebasan berserikat dan berkumpul", "th": "เสรีภาพในการสมาคมและการชุมนุม"},
    "4": {"id": "Partisipasi dalam urusan publik", "th": "การมีส่วนร่วมในกิจการสาธารณะ"},
    "5": {"id": "Kebebasan dan keamanan pribadi", "th": "เสรีภาพและความปลอดภัยของบุคคล"},
}

SDG_CORE = ["killing", "enforced_disappearance", "torture", "arbitrary_detention", "kidnapping"]


def I(code, type_, value_type, title, definition, guidance, sources, decl, treaty="", sdg="", rule=None, **extra):  # noqa: E743
    return dict(
        code=code,
        type=type_,
        value_type=value_type,
        title=title,
        definition=definition,
        guidance=guidance,
        data_sources=sources,
        declaration_articles=decl,
        treaty_articles=treaty,
        sdg_targets=sdg,
        rating_rule=rule if rule is not None else (YES_GOOD if value_type == YPN else NONE),
        **extra,
    )


INDICATORS = [
    # 1.1 General measures and reported cases
    I(
        "1.1.S1",
        S,
        YPN,
        "Core human rights treaties ratified",
        "Whether the State is party to the ICCPR and its first Optional Protocol, ICESCR, CAT, CEDAW and ICERD.",
        "Answer yes if all six are ratified, partly if some are, no if none. Name missing treaties and any "
        "reservations that weaken protection of defenders in the narrative.",
        "UN Treaty Collection status pages; the foreign ministry.",
        "2, 3",
        "ICCPR art. 2; CAT art. 2",
    ),
    I(
        "1.1.S2",
        S,
        YPN,
        "Law or binding policy protecting human rights defenders",
        "A law, decree or binding policy in force that recognises defenders and sets State duties to protect them.",
        "Partly: a policy exists but is not binding or covers only some groups of defenders. Cite the instrument "
        "and the date it entered into force.",
        "Official gazette; legislative database; civil society analyses.",
        "2, 12",
        "ICCPR art. 2(2)",
        "16.10",
    ),
    I(
        "1.1.S3",
        S,
        YPN,
        "Independent NHRI in compliance with the Paris Principles",
        "Whether the NHRI holds A status with GANHRI (SDG indicator 16.a.1).",
        "Yes for A status, partly for B status, no for none. Cite the latest accreditation report of GANHRI.",
        "GANHRI accreditation chart; SCA reports.",
        "14",
        "",
        "16.a.1",
    ),
    I(
        "1.1.S4",
        S,
        YPN,
        "Laws used to criminalise the work of defenders",
        "Laws in force (counter-terrorism, sedition, public order, cybercrime, foreign agents) whose broad wording "
        "has been used against peaceful defence of rights.",
        "Yes means such laws exist and were applied to defenders in the period; partly means they exist but no "
        "use was documented. List each law and article.",
        "Court records; case data of the institution; reports of UN special procedures.",
        "12, 17",
        "ICCPR art. 15, 19",
        rule=YES_BAD,
    ),
    I(
        "1.1.P1",
        P,
        PCT,
        "Recommendations on defenders implemented",
        "Share of recommendations on defenders from the last UPR cycle and treaty bodies that the State has "
        "implemented fully or partly.",
        "Count recommendations that mention defenders, journalists or civil society; divide those implemented "
        "(fully or partly) by all of them. Explain your assessment of each in the narrative or a source.",
        "UPR database; treaty-body concluding observations; government follow-up reports.",
        "2, 9",
        "",
        "16.10",
        more_is_better(60, 30),
        min_value=0,
        max_value=100,
        computation_method="Implemented (fully or partly) / all recommendations on defenders x 100.",
    ),
    I(
        "1.1.P2",
        P,
        YPN,
        "Defenders in the national human rights action plan",
        "Whether the national human rights action plan contains measures for defenders with a budget and a "
        "responsible body.",
        "Partly if defenders are mentioned but no budget or body is assigned.",
        "National action plan; budget documents.",
        "2, 14",
    ),
    I(
        "1.1.O1",
        O,
        COUNT,
        "Attacks on defenders reported",
        "Number of attacks (any harmful act) against defenders during the period, documented by the institution or "
        "reported to authorities.",
        "Count each attack once. Use verified cases of the institution and credible civil society documentation; "
        "the figure computed from the institution's cases is shown for comparison.",
        "Institution's case data; police statistics; civil society databases.",
        "12",
        "ICCPR art. 6, 7, 9",
        "16.10.1",
        fewer_is_better(0, 10),
        disaggregation=["sex", "defender_group"],
        computation="hrd_attacks_all",
        min_value=0,
    ),
    I(
        "1.1.O2",
        O,
        COUNT,
        "Attacks on defenders leading to prosecution",
        "Number of the attacks reported in the period in which a suspect was charged or convicted.",
        "Cannot exceed the attacks reported (1.1.O1). Note convictions separately in the narrative.",
        "Prosecution service; courts; the institution's follow-up of cases.",
        "9, 12",
        "ICCPR art. 2(3)",
        "16.3",
        more_is_better(5, 1),
        total_code="1.1.O1",
        min_value=0,
    ),
    I(
        "1.1.O3",
        O,
        COUNT,
        "Defenders prosecuted for their work",
        "Number of defenders facing criminal charges in the period for peaceful human rights work.",
        "Include charges under the laws listed for 1.1.S4. Count persons, not cases.",
        "Court records; lawyers' associations; the institution's cases.",
        "12",
        "ICCPR art. 9, 14, 19",
        "",
        fewer_is_better(0, 5),
        disaggregation=["sex", "defender_group"],
        min_value=0,
    ),
    # 1.2 Human rights education
    I(
        "1.2.S1",
        S,
        YPN,
        "Human rights education in school curricula",
        "Whether the national curriculum includes human rights, including the role of defenders.",
        "Partly if human rights are taught but defenders or civic participation are absent.",
        "Ministry of education curricula; textbooks.",
        "15, 16",
        "ICESCR art. 13",
        "4.7",
    ),
    I(
        "1.2.P1",
        P,
        COUNT,
        "Officials trained on the Declaration",
        "Number of police, prosecutors, judges, military and other officials trained on the UN Declaration on "
        "Human Rights Defenders in the period.",
        "Count persons who completed a training of at least half a day; note who organised it.",
        "Training institutions; the NHRI's own training records.",
        "15",
        "",
        "16.a",
        more_is_better(200, 20),
        disaggregation=["sex"],
        min_value=0,
    ),
    I(
        "1.2.P2",
        P,
        YPN,
        "Declaration available in national languages",
        "Whether the State or the NHRI has translated and publicly disseminated the Declaration in the main "
        "national languages.",
        "Partly if available in some languages or not disseminated.",
        "Government and NHRI publications.",
        "14",
    ),
    I(
        "1.2.O1",
        O,
        CAT,
        "Public image of defenders",
        "The prevailing portrayal of defenders by public officials and mainstream media in the period.",
        "Choose the category that best fits and support it with a media review or survey.",
        "Media monitoring; surveys; statements of officials.",
        "12, 16",
        "",
        "",
        {"kind": "map", "map": {"positive": "enabling", "mixed": "partly", "stigmatising": "restrictive"}},
        categories=[
            {"code": "positive", "label": "Mostly positive"},
            {"code": "mixed", "label": "Mixed"},
            {"code": "stigmatising", "label": "Mostly stigmatising"},
        ],
    ),
    # 2.1 Holding opinions and imparting information
    I(
        "2.1.S1",
        S,
        YPN,
        "Criminal defamation, sedition or insult laws",
        "Laws in force that make defamation, sedition or insulting officials or institutions a crime.",
        "Yes if such laws exist with prison sentences; partly if only fines apply.",
        "Penal code; court records.",
        "6",
        "ICCPR art. 19",
        "16.10",
        YES_BAD,
    ),
    I(
        "2.1.S2",
        S,
        YPN,
        "Protection of journalists' sources and whistleblowers",
        "Legal protection of confidential sources of journalists and of people who disclose wrongdoing in the public "
        "interest.",
        "Partly if only one of the two is protected, or protection excludes security matters.",
        "Legislation; press council reports.",
        "6",
        "ICCPR art. 19",
        "16.10",
    ),
    I(
        "2.1.P1",
        P,
        COUNT,
        "Media outlets and websites closed or blocked",
        "Number of media outlets, websites or social media accounts suspended, blocked or closed by authorities.",
        "Count each outlet or site once per period. Name them in a source.",
        "Regulator decisions; media freedom monitors.",
        "6",
        "ICCPR art. 19",
        "16.10",
        fewer_is_better(0, 5),
        min_value=0,
    ),
    I(
        "2.1.P2",
        P,
        COUNT,
        "Internet shutdowns and throttling orders",
        "Number of government orders that cut or slowed internet or mobile access in all or part of the country.",
        "Count orders, not days; give duration and area in the narrative.",
        "Digital rights monitors; operators' transparency reports.",
        "6",
        "ICCPR art. 19, 21",
        "16.10",
        fewer_is_better(0, 2),
        min_value=0,
    ),
    I(
        "2.1.O1",
        O,
        COUNT,
        "Defenders and journalists charged for speech",
        "Number of defenders and journalists charged for what they said, wrote or shared, online or offline.",
        "Count persons. Include charges under the laws in 2.1.S1.",
        "Court records; the institution's cases; media freedom organisations.",
        "6, 7",
        "ICCPR art. 19",
        "16.10.1",
        fewer_is_better(0, 5),
        disaggregation=["sex", "defender_group"],
        min_value=0,
    ),
    I(
        "2.1.O2",
        O,
        COUNT,
        "Journalists and media workers killed, disappeared, detained or tortured",
        "Verified cases of killing, enforced disappearance, arbitrary detention, kidnapping or torture of "
        "journalists and associated media personnel (part of SDG 16.10.1).",
        "Each victim counted once. The figure computed from the institution's verified cases is shown beside yours.",
        "Institution's case data; UNESCO observatory; press freedom organisations.",
        "6, 12",
        "ICCPR art. 6, 7, 9, 19",
        "16.10.1",
        fewer_is_better(0, 2),
        disaggregation=["sex"],
        computation="journalists_16_10_1",
        min_value=0,
    ),
    # 2.2 Access to information
    I(
        "2.2.S1",
        S,
        YPN,
        "Right to information law",
        "A law guaranteeing public access to information with an independent oversight body (SDG 16.10.2).",
        "Partly if the law lacks independent oversight or has broad exemptions.",
        "Legislation; RTI rating assessments.",
        "6",
        "ICCPR art. 19(2)",
        "16.10.2",
    ),
    I(
        "2.2.P1",
        P,
        PCT,
        "Information requests answered on time",
        "Share of information requests answered within the legal time limit in the period.",
        "Use official statistics of the oversight body; say whether the figure covers all public bodies.",
        "Information commission annual report.",
        "6",
        "",
        "16.10.2",
        more_is_better(80, 50),
        min_value=0,
        max_value=100,
    ),
    I(
        "2.2.O1",
        O,
        TEXT,
        "Obstacles defenders meet when seeking information",
        "Main obstacles defenders reported when requesting information from public bodies.",
        "Summarise interviews or consultations with defenders. Mark interviews with defenders at risk confidential.",
        "Interviews and consultations with defenders.",
        "6, 9(3)(b)",
        rule=NONE,
    ),
    # 3.1 Association
    I(
        "3.1.S1",
        S,
        CAT,
        "Registration regime for organisations",
        "How the law governs forming an association.",
        "Notification: an association exists once it informs the authorities. Approval: registration is needed "
        "under clear criteria. Discretionary: authorities may refuse at their discretion.",
        "Law on associations; registration authority.",
        "5(b)",
        "ICCPR art. 22",
        "",
        {"kind": "map", "map": {"notification": "enabling", "approval": "partly", "discretionary": "restrictive"}},
        categories=[
            {"code": "notification", "label": "Notification"},
            {"code": "approval", "label": "Approval under clear criteria"},
            {"code": "discretionary", "label": "Discretionary approval"},
        ],
    ),
    I(
        "3.1.S2",
        S,
        YPN,
        "Restrictions on foreign funding",
        "Laws that limit or require prior approval for funding from abroad for organisations.",
        "Yes if prior approval or caps apply; partly if only reporting duties apply.",
        "Legislation; central bank rules.",
        "13",
        "ICCPR art. 22",
        "",
        YES_BAD,
    ),
    I(
        "3.1.P1",
        P,
        COUNT,
        "Registrations refused or revoked",
        "Number of applications to register an organisation refused, and registrations revoked, in the period.",
        "Include refusals of re-registration.",
        "Registration authority; civil society networks.",
        "5(b)",
        "ICCPR art. 22",
        "",
        fewer_is_better(0, 5),
        min_value=0,
    ),
    I(
        "3.1.O1",
        O,
        COUNT,
        "Organisations closed or dissolved",
        "Number of organisations suspended, closed or dissolved by authorities or courts in the period.",
        "Count organisations, not decisions.",
        "Court records; registration authority.",
        "5(b), 13",
        "ICCPR art. 22",
        "",
        fewer_is_better(0, 3),
        min_value=0,
    ),
    # 3.2 Peaceful assembly
    I(
        "3.2.S1",
        S,
        CAT,
        "Legal regime for assemblies",
        "Whether organisers must notify authorities or obtain a permit before an assembly.",
        "Choose the regime in law; describe practice in the narrative.",
        "Public order law; police regulations.",
        "5(a), 12",
        "ICCPR art. 21",
        "",
        {"kind": "map", "map": {"none": "enabling", "notification": "enabling", "permit": "restrictive"}},
        categories=[
            {"code": "none", "label": "No prior procedure"},
            {"code": "notification", "label": "Notification"},
            {"code": "permit", "label": "Permit required"},
        ],
    ),
    I(
        "3.2.P1",
        P,
        COUNT,
        "Assemblies banned or dispersed",
        "Number of peaceful assemblies banned in advance or dispersed by the authorities.",
        "Exclude assemblies dispersed because of widespread violence by participants; explain borderline cases.",
        "Police; monitoring of assemblies by the NHRI; media.",
        "5(a), 12",
        "ICCPR art. 21",
        "",
        fewer_is_better(0, 5),
        min_value=0,
    ),
    I(
        "3.2.P2",
        P,
        YPN,
        "Rules on the use of force in policing assemblies",
        "Whether police rules on force and firearms at assemblies follow international standards.",
        "Partly if rules exist but allow lethal weapons for dispersal or are not public.",
        "Police regulations; UN guidance on less-lethal weapons.",
        "12",
        "ICCPR art. 6, 21",
    ),
    I(
        "3.2.O1",
        O,
        COUNT,
        "People arrested at peaceful assemblies",
        "Number of people arrested in connection with peaceful assemblies in the period.",
        "Count persons; note how many were charged.",
        "Police; lawyers; monitoring by the NHRI.",
        "5(a), 12",
        "ICCPR art. 9, 21",
        "16.10.1",
        fewer_is_better(0, 20),
        disaggregation=["sex"],
        min_value=0,
    ),
    I(
        "3.2.O2",
        O,
        COUNT,
        "People killed or injured in the policing of assemblies",
        "Number of people killed or seriously injured by law enforcement during assemblies.",
        "Give killings and injuries separately in the narrative.",
        "Hospitals; police; NHRI investigations.",
        "12",
        "ICCPR art. 6, 7",
        "16.1",
        fewer_is_better(0, 3),
        min_value=0,
    ),
    # 4.1 Participation in law and policy making
    I(
        "4.1.S1",
        S,
        YPN,
        "Duty to consult the public on draft laws",
        "A legal duty to publish draft laws and policies and consult the public before adoption.",
        "Partly if the duty exists only for some laws or without minimum time limits.",
        "Constitution; rules of procedure of parliament.",
        "8",
        "ICCPR art. 25",
        "16.7",
    ),
    I(
        "4.1.P1",
        P,
        PCT,
        "Draft laws published for consultation",
        "Share of laws adopted in the period whose drafts were published for public comment.",
        "Divide laws with a public consultation by all laws adopted.",
        "Parliament records; government gazette.",
        "8",
        "ICCPR art. 25",
        "16.7",
        more_is_better(70, 30),
        min_value=0,
        max_value=100,
    ),
    I(
        "4.1.P2",
        P,
        YPN,
        "Defenders consulted on laws affecting civic space",
        "Whether defenders and civil society were consulted on laws on associations, assemblies, media, security "
        "or the internet adopted or drafted in the period.",
        "Answer data not available if no such law was drafted.",
        "Consultation records; civil society reports.",
        "8",
        "ICCPR art. 25",
        "16.7",
    ),
    I(
        "4.1.O1",
        O,
        TEXT,
        "Laws and policies shaped by defenders",
        "Examples in which the input of defenders visibly changed a law or policy in the period.",
        "Describe up to three examples with their sources.",
        "Parliament records; civil society.",
        "8",
        rule=NONE,
    ),
    # 4.2 Engagement with international mechanisms
    I(
        "4.2.S1",
        S,
        YPN,
        "Standing invitation to UN special procedures",
        "Whether the State has extended a standing invitation to all thematic special procedures.",
        "Partly if a standing invitation exists but visit requests remain pending for more than two years.",
        "OHCHR list of standing invitations.",
        "9(4)",
    ),
    I(
        "4.2.P1",
        P,
        YPN,
        "Civil society consulted on reports to UN mechanisms",
        "Whether the State consulted civil society when preparing its latest UPR or treaty-body report.",
        "Partly if consultation was by invitation only or too late to influence the report.",
        "State reports; civil society submissions.",
        "5(c), 8",
    ),
    I(
        "4.2.O1",
        O,
        COUNT,
        "Reprisals for cooperation with international mechanisms",
        "Number of cases of intimidation or reprisal against people who cooperated with UN or regional human "
        "rights mechanisms.",
        "Include cases listed in the UN Secretary-General's annual report on reprisals.",
        "UN reprisals report; institution's cases.",
        "9(4), 12",
        "",
        "",
        fewer_is_better(0, 1),
        computation="reprisals",
        min_value=0,
    ),
    # 5.1 Protection from violence, threats and reprisals
    I(
        "5.1.S1",
        S,
        YPN,
        "National protection mechanism with a budget",
        "A national mechanism that grants protection measures to defenders at risk, with its own budget.",
        "Partly if the mechanism exists without budget or does not cover all defenders.",
        "Law or decree; budget.",
        "12(2)",
        "ICCPR art. 2, 6, 9",
        "16.10",
    ),
    I(
        "5.1.S2",
        S,
        YPN,
        "NHRI focal point and early warning on defenders",
        "Whether the NHRI has a focal point for defenders and a procedure to react quickly to threats.",
        "Partly if a focal point exists without a rapid-response procedure.",
        "NHRI internal rules; annual report.",
        "12, 14",
        "",
        "16.a.1",
    ),
    I(
        "5.1.P1",
        P,
        PCT,
        "Protection requests answered within 30 days",
        "Share of requests for protection by defenders that received a decision within 30 days.",
        "Use records of the protection mechanism or of the NHRI's own referrals.",
        "Protection mechanism; NHRI referral records.",
        "12(2)",
        "",
        "16.10",
        more_is_better(80, 50),
        min_value=0,
        max_value=100,
    ),
    I(
        "5.1.P2",
        P,
        COUNT,
        "NHRI interventions for defenders at risk",
        "Number of interventions by the NHRI (visits, letters to authorities, urgent appeals, trial observation) on "
        "behalf of defenders at risk.",
        "Count interventions, not defenders.",
        "NHRI case management records.",
        "9, 12, 14",
        "",
        "16.a.1",
        more_is_better(20, 5),
        min_value=0,
    ),
    I(
        "5.1.O1",
        O,
        COUNT,
        "Verified cases of killing, disappearance, detention and torture of defenders (SDG 16.10.1)",
        "Verified cases of killing, kidnapping, enforced disappearance, arbitrary detention and torture of "
        "journalists, media workers, trade unionists and human rights defenders in the previous 12 months.",
        "Each victim counted once, even if they belong to several groups. Verification requires reasonable grounds "
        "to believe, based on independent reliable sources.",
        "Institution's verified cases; OHCHR; civil society.",
        "12",
        "ICCPR art. 6, 7, 9",
        "16.10.1",
        fewer_is_better(0, 3),
        disaggregation=["violation_type", "sex", "defender_group"],
        computation="sdg_16_10_1",
        min_value=0,
    ),
    I(
        "5.1.O2",
        O,
        COUNT,
        "Defenders killed",
        "Number of defenders killed in connection with their work in the period.",
        "Cannot exceed the verified cases of 5.1.O1.",
        "Institution's cases; civil society.",
        "12",
        "ICCPR art. 6",
        "16.10.1",
        fewer_is_better(0, 0),
        total_code="5.1.O1",
        computation="killings",
        min_value=0,
    ),
    I(
        "5.1.O3",
        O,
        COUNT,
        "Threats and intimidation against defenders",
        "Number of documented threats, including online threats and threats to family members.",
        "Count incidents; mark interviews with threatened defenders as confidential sources.",
        "Institution's cases; interviews.",
        "12",
        "ICCPR art. 9, 17",
        "",
        fewer_is_better(5, 25),
        disaggregation=["sex", "defender_group"],
        computation="threats",
        min_value=0,
    ),
    # 5.2 Arbitrary arrest and fair trial
    I(
        "5.2.S1",
        S,
        YPN,
        "Safeguards against arbitrary detention",
        "Whether the law guarantees that detainees see a judge within 48 hours and have a lawyer from arrest.",
        "Partly if one safeguard is missing or security laws allow longer detention without a judge.",
        "Criminal procedure code; security legislation.",
        "9, 12",
        "ICCPR art. 9, 14",
        "16.3",
    ),
    I(
        "5.2.P1",
        P,
        PCT,
        "NHRI complaints on detention of defenders concluded",
        "Share of complaints to the NHRI about detention of defenders that were investigated and concluded in the "
        "period.",
        "Divide concluded complaints by complaints received in or carried into the period.",
        "NHRI complaints register.",
        "9",
        "",
        "16.3",
        more_is_better(70, 40),
        min_value=0,
        max_value=100,
    ),
    I(
        "5.2.O1",
        O,
        COUNT,
        "Defenders arbitrarily detained",
        "Number of defenders arbitrarily arrested or detained in connection with their work in the period.",
        "Count persons; a person detained twice counts once.",
        "Institution's cases; lawyers.",
        "9, 12",
        "ICCPR art. 9",
        "16.10.1",
        fewer_is_better(0, 5),
        disaggregation=["sex", "defender_group"],
        computation="arbitrary_detention",
        min_value=0,
    ),
    I(
        "5.2.O2",
        O,
        COUNT,
        "Defenders in detention at the end of the period",
        "Number of defenders held at the end of the period because of their work.",
        "Cannot exceed those detained during the period plus those held before it; explain in the narrative.",
        "Prison administration; lawyers; the NHRI's visits.",
        "9, 12",
        "ICCPR art. 9",
        "16.10.1",
        fewer_is_better(0, 3),
        min_value=0,
    ),
]

DEFAULT_METHODS = {
    YPN: "Yes, partly or no against the definition; 'data not available' when no reliable source exists.",
    COUNT: "Count of events or persons in the cycle's period.",
    PCT: "Share expressed as a percentage (0 to 100).",
    CAT: "The category that best describes the situation.",
    TEXT: "A short qualitative description, with sources.",
}
RATIONALE = {
    S: "A structural indicator shows whether the State has accepted the obligation in law and institutions.",
    P: "A process indicator shows the State's efforts to turn its commitments into practice.",
    O: "An outcome indicator shows what defenders actually experience.",
}


def _build(version):
    areas, attributes = {}, {}
    for area_order, (code, title, description, decl, attrs) in enumerate(AREAS, start=1):
        areas[code] = Area.objects.create(
            translations={lang: {"title": text} for lang, text in AREA_TRANSLATIONS.get(code, {}).items()},
            version=version,
            code=code,
            title=title,
            description=description,
            declaration_articles=decl,
            order=area_order,
        )
        for attr_order, (acode, atitle, adesc) in enumerate(attrs, start=1):
            attributes[acode] = Attribute.objects.create(
                version=version, area=areas[code], code=acode, title=atitle, description=adesc, order=attr_order
            )
    rows = []
    for order, spec in enumerate(INDICATORS, start=1):
        spec = dict(spec)
        code = spec["code"]
        spec.setdefault("computation_method", DEFAULT_METHODS[spec["value_type"]])
        spec.setdefault("rationale", RATIONALE[spec["type"]])
        spec.setdefault("rating_note", PROPOSED if spec["rating_rule"].get("kind") != "none" else "")
        rows.append(Indicator(version=version, attribute=attributes[code.rsplit(".", 1)[0]], order=order, **spec))
    Indicator.objects.bulk_create(rows)


def ensure_terms():
    existing = set(Term.objects.values_list("vocabulary", "code"))
    Term.objects.bulk_create(
        [
            Term(vocabulary=vocabulary, code=code, label=label, order=order)
            for vocabulary, terms in TERMS.items()
            for order, (code, label) in enumerate(terms)
            if (vocabulary, code) not in existing
        ]
    )


@transaction.atomic
def ensure_framework():
    """Version 1, published, if no framework exists yet; otherwise the latest published version."""
    ensure_terms()
    published = FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).order_by("-number").first()
    if published:
        return published
    version, created = FrameworkVersion.objects.get_or_create(
        number=1,
        defaults={
            "title": "Right to Defend Rights framework",
            "notes": "First version seeded by r2dr: five areas of DIHR's R2DR tool, indicators proposed by r2dr.",
        },
    )
    if created or not version.indicators.exists():
        _build(version)
    version.status = FrameworkVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    return version
