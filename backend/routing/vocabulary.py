"""Domain vocabulary per theme, in Dutch and English, beyond the taxonomy's keyword lists.

The taxonomy's keywords are written for tagging and search; entrepreneurs name the same things
with the domain's everyday words: the instruments a desk works with (a WSP's "no-riskpolis"
and "loondispensatie", RVO's "EIA" and "KIA"), what the work physically is ("met de hand",
"machinaal", "wachttijd"), and what it costs ("gasrekening"). The words below are drawn from
the theme descriptions in ``seed/taxonomy.yaml``, the desks' published remits
(``seed/desks.yaml``: source_note, summary) and the knowledge-base items' text
(``seed/content/*.yaml``: schemes, practices, organisations), and were collected by cause
after a holdout set (tests/routing/holdout_questions.yaml) showed which kinds of words the
router missed — never to fit one sentence.

Each entry is a phrase as people type it; ``backend.routing.themes`` folds, stems, splits
compounds and tolerates typos the same way as for the taxonomy's keywords. Phrases of several
words score more than one word (a phrase says more), so a generic word that is only telling in
company ("passend werk") is listed as a phrase.
"""

from __future__ import annotations

from collections.abc import Mapping

DUTCH: Mapping[str, tuple[str, ...]] = {
    "werving-en-arbeidsmarkt": (
        # instruments and target groups of the Werkgeversservicepunten (UWV, gemeenten)
        "no-riskpolis", "loondispensatie", "jobcoach", "wajong", "doelgroepregister",
        "loonkostenvoordeel", "lkv", "praktijkroute", "statushouder", "statushouders",
        "vluchtelingen", "nieuwkomers", "inburgeraars", "startkwalificatie",
        "voortijdig schoolverlaters", "schoolverlaters", "werkfit", "re-integreren naar werk",
        "garantiebanen", "beschut werk", "sociaal ontwikkelbedrijf", "werkleerbedrijf",
        "aan het werk helpen", "mensen met een uitkering", "zonder diploma",
        "zonder startkwalificatie", "een kans geven", "kans geven",
        # hiring in everyday words
        "vacature open", "openstaande vacatures", "sollicitatie", "solliciteren",
        "sollicitaties", "werven en selecteren", "wervingscampagne", "personeelswerving",
        "onderbezetting", "onderbezet", "handen tekort", "mensen tekort",
        "personeel tekort", "moeilijk vervulbare vacatures", "aantrekken van personeel",
        "vaste krachten",
    ),
    "leren-en-ontwikkelen": (
        "erkend leerbedrijf", "leerbedrijf", "sbb", "praktijkopleider", "leermeester",
        "bbl-leerling", "bol-stage", "mbo-leerlingen", "leerlingen opleiden", "opleidingstraject",
        "interne opleiding", "bedrijfsopleiding", "vakdiploma", "certificering",
        "certificaten", "taalcursus", "cursus nederlands", "nederlandse les", "taalles",
        "taaltraining", "nt2", "laaggeletterdheid", "basisvaardigheden", "digitale vaardigheden",
        "loopbaanadvies", "loopbaangesprek", "ontwikkeladvies", "opleidingsadvies",
        "leerroute", "leertraject", "doorgroeien", "doorgroeimogelijkheden", "opleiden",
        "opgeleid", "inwerken", "inwerkprogramma", "e-learning", "workshop", "masterclass",
        # learning more or anew, said as a verb ("moeten bijleren", "laten omscholen")
        "bijleren", "bijgeleerd", "bijscholen", "bijgeschoold", "omscholen", "omgeschoold",
        "omscholingstraject", "herscholen", "bijspijkeren", "bijgespijkerd", "scholen",
        "geschoold", "cursussen", "trainingen", "vakopleidingen", "opleidingen",
    ),
    "duurzame-inzetbaarheid": (
        "re-integratie", "reintegratie", "herplaatsing", "herplaatsen", "passend werk",
        "arbeidsongeschikt", "arbeidsongeschiktheid", "wia", "poortwachter",
        "wet verbetering poortwachter", "bedrijfsarts", "arbodienst", "verzuimbegeleiding",
        "ziekmelding", "ziekmeldingen", "ziekteverzuim", "ziekte", "ziek",
        "fysieke klachten", "lichamelijke klachten", "rug", "rugpijn", "schouders", "nek",
        "nekklachten", "gewrichten", "rsi", "knieklachten", "lichamelijk zwaar", "zwaar werk",
        "tillen",
        "sjouwen", "overbelasting", "blessures", "gezond", "fit blijven",
        "pensioen", "aow", "tot het pensioen", "oudere medewerkers", "generatiepact",
        "levensfasebewust", "mentale gezondheid", "psychische klachten", "overspannen",
        "werkstress", "uitgeput", "opgebrand",
    ),
    "digitalisering": (
        "digitale werkbon", "werkbon", "werkbonnen", "tablet", "tablets", "smartphone",
        "papierwerk digitaal", "digitaal werken", "papierloos werken", "boekhoudsoftware",
        "facturatie", "factureren", "offertesoftware", "voorraadbeheer", "magazijnsysteem",
        "wms", "kassasysteem", "planningsprogramma", "microsoft 365", "office 365",
        "sharepoint", "hackers", "hack", "ransomware", "phishing", "virus", "back-up",
        "beveiliging", "informatiebeveiliging", "wachtwoorden", "it-beheer", "netwerkbeveiliging",
        "digitaal", "digitale", "ict-systeem", "online verkopen", "online bestellen",
        "webwinkel", "kassasysteem", "automatisering van de administratie",
    ),
    "robotisering-automatisering": (
        "met de hand", "handwerk", "handmatig", "machinaal", "mechaniseren", "mechanisering",
        "inpakken", "verpakken", "inpakmachine", "verpakkingsmachine",
        "pick-and-place", "stapelen", "lasrobot", "robotarm", "grijper", "transportband", "agv",
        "autonome voertuigen", "magazijnautomatisering", "melkrobot", "voerrobot",
        "oogstrobot", "plukrobot", "robotiseren", "geautomatiseerd", "automatiseringsproject",
        "test before invest", "proefopstelling",
        "repeterend werk", "repeterende taken", "repeterend", "repeterende", "repetitief",
        "eentonig werk", "handmatige handelingen",
    ),
    "kunstmatige-intelligentie": (
        "voorspellen", "computer voorspellen", "zelflerend systeem", "self-learning",
        "spot them automatically", "recognise defects", "recognize defects",
        "chat gpt", "gpt", "openai", "copilot", "gemini", "llm", "taalmodel", "taalmodellen",
        "beeldherkenning", "spraakherkenning", "zelflerende software", "zelflerend",
        "voorspellend model", "neuraal netwerk", "ai-assistent", "ai-agent", "ai-agents",
        "computer vision", "ai-act", "ai-verordening", "algoritmes",
    ),
    "data-en-iot": (
        "sensor", "sensoren", "meten en monitoren", "machinedata", "productiedata",
        "data verzamelen", "dashboard", "dashboards", "boordcomputer", "telematica",
        "digitale tweeling", "simuleren", "simulatie", "3d-printer", "3d printer",
        "3d-geprint", "vr-bril", "vr-brillen", "ar-bril", "hololens",
        "klimaatcomputer", "storingen", "storing voorspellen", "conditiemonitoring",
        "smart maintenance", "data science", "datagedreven werken",
        "sensorsysteem", "sensorsystemen", "sensornetwerk", "meetsysteem", "meetsystemen",
        "temperatuur meten", "temperatuurmeting", "meetgegevens",
    ),
    "lean-procesinnovatie": (
        "doorlooptijden", "doorstroming", "doorstroom", "doorstroomtijd", "wachttijd",
        "wachttijden", "loopwerk", "omsteltijd", "omsteltijden",
        "smed", "knelpunt", "knelpunten", "bottleneck", "flow", "stroomlijnen",
        "gestroomlijnd", "halffabricaat", "onderhanden werk", "voorraad verminderen",
        "werkprocessen", "processen", "proces", "efficienter",
        "efficienter werken", "efficienter inrichten", "kaizen", "verbeterteam",
        "verbeterteams", "verbetercultuur", "standaardiseren", "werkinstructies",
        "fouten verminderen", "six sigma", "lean six sigma",
        # work done twice, handed over badly, waiting, mess ("alles gaat dubbel")
        "dubbel werk", "gaat dubbel", "dubbel doen", "dubbele invoer", "dubbel invoeren",
        "overdrachten", "overdracht tussen", "strakker", "strakker organiseren",
        "strakker inrichten", "efficient", "efficienter", "inefficient", "verspillingen",
        "doorlooptijd", "rommelig", "rommeltje", "chaotisch", "minder fouten", "faalkosten",
        "wachten op elkaar", "zoeken naar gereedschap", "werkwijze verbeteren",
    ),
    "kennisdeling-ecosystemen": (
        "collega-bedrijven",
        "collega-ondernemers", "bij elkaar brengen", "in contact brengen", "koppelen aan",
        "samen innoveren", "bedrijventerrein", "industrieterrein", "clustervorming", "cluster",
        "consortium", "samenwerkingsverband", "kennis uitwisselen", "ervaringen uitwisselen",
        "kennisuitwisseling", "ondernemersnetwerk", "studenten", "afstudeerder",
        "afstudeeropdracht", "onderzoekers", "tu", "campus", "living lab", "proeftuin",
        "testlocatie", "innovatieproject", "gezamenlijk project",
        # meeting peers to learn from them
        "sparren met", "sparringpartner", "sparringpartners", "intervisie", "lerend netwerk",
        "ervaringen delen", "van elkaar leren", "netwerkbijeenkomst", "netwerkbijeenkomsten",
        "kennis halen", "kennissessie", "kennissessies",
    ),
    "financiering": (
        "betalen", "bekostigen", "geen geld", "eigen geld",
        "bankfinanciering", "bankkrediet", "bankgarantie", "onderpand", "zekerheden",
        "financieringsronde", "participatie in het kapitaal", "aandeelhouder",
        "informal investor", "crowdfunding", "lease", "leasen", "kia", "eia", "mia",
        "innovatiebox", "bmkb", "borgstelling", "groeifaciliteit", "vroegefasefinanciering",
        "vff", "dei", "haalbaarheidsproject", "haalbaarheidsstudie", "mkb-voucher",
        "subsidieaanvraag", "aftrekken", "aftrekpost", "belasting", "fiscale regeling",
        "overnamefinanciering", "financiering voor overname",
        # paying for something (the question "wie betaalt dat?" is in ``PAYING``)
        "vergoeden", "vergoed", "vergoeding", "kosten vergoeden", "tegemoetkoming",
        "bijdrage in de kosten", "financiele steun", "financiele bijdrage", "potje",
    ),
    "internationalisering": (
        "europa", "europese markt", "eu", "buiten de eu", "vlaanderen", "wallonie",
        "grensregio", "over de grens", "duitsland", "belgie", "frankrijk", "luxemburg",
        "engeland", "ierland", "oostenrijk", "zwitserland", "polen", "tsjechie", "hongarije",
        "roemenie", "bulgarije", "griekenland", "portugal", "scandinavie", "finland",
        "estland", "letland", "litouwen", "colombia", "chili", "peru", "argentinie",
        "marokko", "egypte", "nigeria", "kenia", "zuid-afrika", "ghana", "saoedi-arabie",
        "verenigde arabische emiraten", "dubai", "qatar", "israel", "oekraine", "indonesie",
        "maleisie", "thailand", "filipijnen", "taiwan", "hongkong", "nieuw-zeeland",
        "verkopen in het buitenland", "buitenlandse afnemers", "exportmarkt", "exportplan",
        "sib", "douane", "incoterms", "internationaal ondernemen", "vestiging in het buitenland",
    ),
    "duurzaamheid": (
        "gasrekening", "energierekening", "stroomrekening", "gasverbruik", "zuinig", "zuiniger",
        "isoleren", "isolatie", "ledverlichting", "restwarmte", "warmteterugwinning",
        "elektrisch", "elektrische", "laadpalen", "laadpaal", "netcongestie", "batterij",
        "waterstof", "biobased", "hergebruik", "recyclen", "recycling", "afval", "reststromen",
        "verpakkingsafval", "uitstoot", "emissies", "stikstof", "energiebesparingsplicht",
        "informatieplicht", "energielabel", "duurzamer", "groener",
    ),
    "medezeggenschap-en-betrokkenheid": (
        "betrekken", "betrek", "draagvlak", "achter staan", "erachter staan", "or",
        "or-leden", "personeelsvertegenwoordiging", "adviesrecht", "instemmingsrecht",
        "winstdeling", "winstdelingsregeling", "werknemersaandelen", "aandelen voor personeel",
        "medewerkersparticipatie", "personeelsparticipatie", "bemiddeling", "bemiddelen",
        "geschil", "reorganisatie", "wet op de ondernemingsraden", "wor",
        "stem van de medewerkers", "medewerkers laten meedenken", "personeel laten meedenken",
        "meer zeggenschap", "meer inspraak", "inspraak geven", "laten meepraten",
        # not "meedenken" alone: "kunnen jullie meedenken over …" opens questions on any theme
    ),
    "regeldruk": (
        "formulieren", "rapportages", "rapportageverplichting", "regeltjes", "regelgeving",
        "vergunning", "vergunningen", "vergunningaanvraag", "handhaving", "inspecties",
        "controles", "haccp", "nvwa", "arbeidsinspectie", "administratieve verplichtingen",
        "verplichtingen", "loonheffing", "loonadministratie", "wet kwaliteitsborging",
        "wkb", "dossier", "vastleggen", "rie", "risico-inventarisatie",
    ),
    "starten-en-ondernemen": (
        "uitschrijven", "opheffen", "stoppen met mijn bedrijf", "bedrijf sluiten",
        "inschrijven", "inschrijving", "btw-nummer", "btw-id", "kvk-nummer", "eenmanszaak",
        "vof", "bv", "holding", "rechtsvorm", "bedrijfsopvolging", "opvolging",
        "familiebedrijf", "opvolger",
        # taking over or handing over a business ("overdracht" alone is as often a handover
        # of work: ``themes.BUSINESS_TAKEOVER`` reads it next to a word for a business)
        "bedrijfsovername", "bedrijfsoverdracht", "overnamekandidaat", "overnemer",
        "koper voor mijn bedrijf", "bedrijf overnemen", "zaak overnemen", "bedrijf overdragen",
        "zaak overdragen",
    ),
}

ENGLISH: Mapping[str, tuple[str, ...]] = {
    "werving-en-arbeidsmarkt": (
        "take on", "taking on", "young person", "young people", "school leaver",
        "school leavers", "dropped out", "dropout", "early school leaver", "refugees",
        "status holders", "job posts", "job ads", "job advertisement", "job postings",
        "no applicants", "short-staffed", "understaffed", "staffing",
        "new hires", "attract staff", "keep staff", "wage cost subsidy",
        "people on benefits", "work placement", "trial placement",
    ),
    "leren-en-ontwikkelen": (
        "training programme", "training program",
        "in-house training", "dutch lessons", "dutch course", "language course",
        "language training", "qualification", "qualifications", "diploma", "certificate",
        "apprentice", "upskilling", "workshops", "e-learning", "career advice",
        "skills training",
    ),
    "duurzame-inzetbaarheid": (
        "retire", "retirement", "pension", "keep working", "work safely", "safely",
        "workplace health", "occupational health", "calling in sick", "sick", "exhausted",
        "stress", "work pressure", "workload", "mental health", "back pain", "injuries",
        "physical strain", "heavy lifting", "prevention", "ergonomics",
        "ageing workforce", "reintegration", "return to work",
    ),
    "digitalisering": (
        "paperless", "go paperless", "on paper", "paper-based", "paper", "crm",
        "accounting software", "bookkeeping software",
        "accounting package", "inventory", "point of sale", "checkout system",
        "cash register", "stock control", "selling online", "sell online", "online sales",
        "online store", "e-commerce", "stock management", "inventory management",
        "invoicing", "tablet", "app", "apps", "it support", "cyber", "hackers",
        "backup", "digital transformation",
    ),
    "robotisering-automatisering": (
        "palletising", "palletizing", "stacking", "pick and place", "machine tending",
        "automated", "warehouse automation", "by hand", "manual work",
        "repetitive work", "robot arm", "milking robot", "test facilities",
        "repetitive", "repetitive tasks", "manual labour", "manual labor",
    ),
    "kunstmatige-intelligentie": (
        "gpt", "genai", "gen ai", "ai-powered", "ai tool", "large language model",
        "image recognition", "speech recognition", "predictive model", "neural network",
        "ai act", "copilot", "openai", "algorithms",
    ),
    "data-en-iot": (
        "machine data", "smart sensors", "monitoring", "monitor",
        "telematics", "3d printing", "3d printer", "virtual reality", "augmented reality",
        "vr", "ar", "simulation", "data science",
        "sensor system", "sensor systems", "measuring system", "temperature monitoring",
    ),
    "lean-procesinnovatie": (
        "value stream", "value stream mapping", "5s", "kaizen", "bottleneck", "bottlenecks",
        "throughput", "cut waste", "reduce waste", "streamline", "streamlining", "workflow",
        "processes", "process", "waiting time", "six sigma", "operational excellence",
        "double work", "duplicate work", "duplicated work", "work twice", "doing things twice",
        "handover", "handovers", "hand-offs", "tighter", "more efficient", "more efficiently",
        "inefficient", "inefficiency", "waiting times", "waiting for each other",
        "waiting for materials", "messy", "chaotic", "rework", "mistakes",
    ),
    "kennisdeling-ecosystemen": (
        "joint research", "research project", "research partner",
        "fieldlab", "living lab", "network", "networking",
        "students", "consortium", "cluster",
        "knowledge sharing", "share knowledge", "innovation project",
        "exchange knowledge", "knowledge exchange", "share experiences", "learn from each other",
        "peer group", "peer network", "sparring partner", "networking event",
        "innovate together",
    ),
    "financiering": (
        "tax deduction", "deduction", "deductible", "tax break", "tax relief",
        "collateral", "startup loan", "start-up loan", "bank loan", "lender", "crowdfunding",
        "invests", "invest", "investment", "fund", "funds", "financing round", "seed money",
        "lease",
        # paying for something (the question "who pays for it?" is in ``PAYING``)
        "cover the costs", "covers the costs", "reimburse", "reimbursed", "reimbursement",
        "financial support", "contribution to the costs", "help paying",
    ),
    "internationalisering": (
        "eu countries", "other countries", "eu", "europe", "european", "foreign clients",
        "foreign customers", "new markets",
        "trade missions", "colombia", "chile", "peru", "argentina", "morocco", "egypt",
        "nigeria", "kenya", "south africa", "saudi arabia", "uae", "dubai", "israel",
        "ukraine", "taiwan", "hong kong", "new zealand", "ireland", "portugal", "greece",
        "czech republic", "hungary", "romania", "finland", "flanders", "customs",
        "export plan",
    ),
    "duurzaamheid": (
        "circular", "sustainable materials", "recycle", "recycling",
        "carbon", "co2 emissions", "emissions", "insulation", "electric vans",
        "electric vehicles", "charging", "solar", "heat pump", "gas bill",
        "energy efficient", "climate", "net zero",
    ),
    "medezeggenschap-en-betrokkenheid": (
        "share scheme", "share schemes", "employee shares", "give staff shares",
        "shares to staff", "shares for staff", "employee share",
        "stock options", "equity", "profit sharing", "works council", "staff council",
        "employee participation", "involve our staff", "involve employees", "mediation",
        "mediate", "dispute",
        # staff having a say
        "have a say", "more say", "a say in", "say in how", "employee voice", "staff voice",
        "co-determination", "consult our staff", "consult employees",
    ),
    "regeldruk": (
        "paperwork", "forms", "bureaucracy", "compliance", "inspections", "food safety",
        "haccp", "reporting obligations", "legal requirements",
    ),
    "starten-en-ondernemen": (
        "vat", "vat number", "set up as", "set up a business", "set up my company",
        "registering", "close down", "closing down", "wind up", "dissolve",
        "bv", "sole trader",
        "succession", "take over a business",
    ),
}

# Asking who pays for something ("… en wie betaalt dat?", "who pays for the course?") names
# financing as a topic of the question, and the thing paid for as its main ask: a theme named
# only by these phrases counts half next to another theme (``themes.ThemeMatcher``).
PAYING_THEME = "financiering"
PAYING: tuple[str, ...] = (
    "wie betaalt", "wie vergoedt", "wie draait op voor de kosten",
    "wie draait ervoor op", "who pays", "who will pay", "who pays for", "who covers the cost",
    "who covers the costs",
)

# Words that belong to a theme but are too common to decide on their own: they count for half
# (as ``themes.WEAK_KEYWORDS``).
WEAK: frozenset[str] = frozenset({
    "proces", "processen", "process", "processes", "workshop", "workshops", "app",
    "apps", "vastleggen", "dossier", "elektrisch", "elektrische", "monitor", "monitoring",
    "network", "networking", "eu", "invest", "investment", "fund", "funds", "sick", "ziek",
    "ziekte", "tablet", "handwerk", "cluster", "studenten", "students", "betalen", "paper",
    "simuleren", "simulation", "lease", "leasen", "belasting", "safely", "flow", "campus", "tu",
    "afval", "waste", "workflow",
    "inpakken", "verpakken", "opvolging", "storingen",
    "doorstroming", "doorstroom", "rug", "workload", "stress", "equity", "bemiddeling",
    "vergoeding", "vergoeden", "vergoed", "potje", "mistakes", "messy", "tighter",
    "rommelig",
    "bemiddelen", "reorganisatie", "dispute",
    "gegevens", "moe", "volhouden", "peers", "tracking", "realtime", "weggooien",
    "zeggenschap", "certs", "bol", "portaal", "credit", "in contact brengen", "werkwijze",
    "electronic", "elektronisch", "tellers", "knie", "pols", "intern", "crew", "instroom",
    "generators", "aggregaten", "stapt in", "instappen", "geen bank", "pass through",
    "get stuck", "by itself", "on its own", "laten groeien", "doorgroeien", "franse",
    "duitse", "belgische", "britse", "chinese", "spaanse", "italiaanse", "poolse", "its own",
    "geld voor", "money for", "slopen", "sloopt",
    "digital", "chaos", "fouten",
})

# Names of countries and regions: matched as written (and by their own plural/inflection),
# never through typo tolerance or a shortened stem, so a nationality ("German", "Brazilian") or
# a Dutch word that happens to be near one is not read as a market abroad.
EXACT_ONLY_THEMES = frozenset({"internationalisering"})
PLACES_ABROAD: tuple[str, ...] = (
    # Dutch
    "duitsland", "belgie", "vlaanderen", "wallonie", "frankrijk", "luxemburg", "engeland",
    "groot-brittannie", "verenigd koninkrijk", "ierland", "oostenrijk", "zwitserland", "polen",
    "tsjechie", "hongarije", "roemenie", "bulgarije", "griekenland", "portugal", "spanje",
    "italie", "zweden", "noorwegen", "denemarken", "finland", "scandinavie", "europa",
    "amerika", "verenigde staten", "canada", "mexico", "brazilie", "colombia", "chili",
    "argentinie", "china", "japan", "india", "korea", "singapore", "vietnam", "indonesie",
    "maleisie", "thailand", "taiwan", "australie", "nieuw-zeeland", "turkije", "marokko",
    "egypte", "nigeria", "kenia", "zuid-afrika", "ghana", "afrika", "azie", "midden-oosten",
    "saoedi-arabie", "dubai", "qatar", "israel", "oekraine",
    # cities just across the border and capitals people name instead of the country
    "aken", "aachen", "gronau", "munster", "keulen", "koln", "dusseldorf", "kleef", "emmerich",
    "nordhorn", "antwerpen", "gent", "luik", "brussel", "hasselt", "parijs", "londen",
    "berlijn",
    # English
    "germany", "belgium", "flanders", "france", "luxembourg", "england", "britain",
    "united kingdom", "uk", "ireland", "austria", "switzerland", "poland", "czech republic",
    "hungary", "romania", "bulgaria", "greece", "portugal", "spain", "italy", "sweden",
    "norway", "denmark", "finland", "scandinavia", "europe", "america", "united states", "usa",
    "us market", "brazil", "chile", "argentina", "japan", "korea", "south korea",
    "australia", "new zealand", "turkey", "morocco", "egypt", "kenya", "south africa",
    "africa", "asia", "middle east", "saudi arabia", "uae", "ukraine", "cologne", "antwerp",
    "ghent", "liege", "brussels", "paris", "london", "berlin",
)

# Everyday descriptions of each theme's problem, as owners put it rather than the policy word
# ("we doen niks met die gegevens", "mensen vallen om", "orders zijn altijd te laat"), added
# after the fifth and sixth holdout sets (docs/benchmarks.md) by kind of wording, per theme.
EVERYDAY: Mapping[str, tuple[str, ...]] = {
    "internationalisering": (
        "franse", "duitse", "belgische", "britse", "chinese", "spaanse", "italiaanse", "poolse",
        "supermarktketen in",
        "buitenlandse markt", "aziatische markt", "europese markt", "amerikaanse markt",
        "afrikaanse markt", "chinese markt", "asian market", "foreign market",
        "across the border", "other side of the border", "german side", "belgian side",
        "cross-border", "grensoverschrijdend", "over de grens werken", "aan de duitse kant",
        "aan de belgische kant",
    ),
    "starten-en-ondernemen": (
        "volgende generatie", "overdracht aan de volgende generatie", "binnen de familie",
        "overdracht binnen de familie", "aan mij overdoen", "overdoen aan", "aan mijn zoon",
        "aan mijn dochter", "aan de kinderen overdragen", "stoppen met ondernemen",
        "next generation", "hand over the business", "pass on the business",
    ),
    "werving-en-arbeidsmarkt": (
        "plekken niet gevuld", "niet gevuld", "komt er niemand", "vacatures vullen",
        "plekken vullen", "fill the vacancies",
        "seasonal staff", "finding staff", "seizoenspersoneel", "langer binden",
        "niet te vinden", "niet te krijgen", "bemanning", "instroom", "het vak in",
        "de sector in", "de branche in", "interns", "intern", "crew",
        "werkzoekenden", "werkzoekende", "met een beperking", "arbeidsbeperking",
        "naar werk begeleiden", "naar werk begeleidt", "van werk naar werk", "outplacement",
        "ander werk vinden", "nieuw werk vinden", "find new work", "new jobs for",
        "jobseekers", "job seekers", "with a disability", "people with disabilities",
        "reageert niemand", "geen reacties", "geen sollicitanten", "niemand solliciteert",
        "vacatures blijven open", "plekken open", "nobody applies", "no one applies",
        "no responses", "can't find staff", "cannot find staff",
    ),
    "digitalisering": (
        "digital", "go digital", "make it digital", "order intake digital",
        "digital order intake", "online regelen", "online plannen",
        "electronic", "elektronisch", "electronic logbook", "electronic logbooks",
        "digitaal logboek", "koppeling met", "automatisch versturen", "send automatically",
        "urenregistratie", "facturatie automatisch",
        "klantportaal", "portaal", "webportaal", "bestelapp", "app laten bouwen",
        "software laten maken", "maatwerksoftware", "bestellingen volgen", "customer portal",
        "custom software", "ordering app",
    ),
    "financiering": (
        "geld te krijgen", "geld krijgen", "geld voor", "money for", "get money",
        "tax benefit", "tax credit", "wie stapt in", "stapt in", "instappen", "gefinancierd",
        "financieren", "bank die meewil", "geen bank",
        "leent", "uitlenen", "euro lenen",
        "krediet", "lenen", "geld lenen", "bank doet moeilijk", "bank wil niet", "eigen vermogen",
        "lend money", "lend to", "borrow money", "banks won't lend", "won't lend", "credit",
        "microcredit",
        "microkrediet",
    ),
    "data-en-iot": (
        "live zien", "drukte meten", "wifi-signalen", "tellers", "telpalen", "people counting",
        "see wear coming", "wear coming", "before it breaks down",
        "gegevens", "data analyseren", "gegevens analyseren", "inzicht in de cijfers",
        "inzichten", "trackers", "tracker", "gps-tracker", "volgsysteem", "op afstand uitlezen",
        "op afstand monitoren", "op afstand volgen", "realtime", "live volgen",
        "volgen op mijn telefoon", "op de telefoon volgen", "luchtvochtigheid", "vochtigheid",
        "slimme meter", "voorspellend onderhoud", "onderhoud voorspellen", "machines koppelen",
        "aansluiten op sensoren", "automatisch registreren", "automatisch loggen",
        "tracking", "tracking data", "telemetry", "sensor data", "remote monitoring",
        "predictive maintenance", "connected machines", "logged automatically",
        "log automatically", "humidity", "insights from our data", "do nothing with the data",
    ),
    "robotisering-automatisering": (
        "its own", "loads its own", "zelf laden",
        "by itself", "on its own", "welds by itself", "zelfstandig lassen",
        "automatisch lassen",
        "zelfrijdend", "zelfrijdende", "zelfrijdende heftruck", "zelfrijdende heftrucks",
        "automatisch opslagsysteem", "geautomatiseerd magazijn", "automatische lijn",
        "productielijn automatiseren", "assemblage automatiseren",
        "self-driving", "autonomous forklifts", "automated storage", "automate the assembly",
        "automating the assembly", "automated line",
    ),
    "kennisdeling-ecosystemen": (
        "learn from peers", "share what they learn", "share what we learn",
        "leren van collega-ondernemers",
        "samen opzetten", "samen met andere", "uit de regio samen", "samenwerking begeleiden",
        "samen optrekken", "samen op te trekken", "samen met andere bedrijven",
        "met andere ondernemers", "bedrijven in de regio", "gelijkgestemde ondernemers",
        "juiste partijen", "partijen bij elkaar",
        "groep ondernemers", "groep boeren", "groep bedrijven", "bij elkaar in de keuken kijken",
        "bij elkaar op bezoek", "kennisinstelling", "kennisinstellingen", "samenwerken met",
        "startup community", "startup communities", "innovation hub", "innovation hubs",
        "other founders", "meet other founders", "meet other entrepreneurs", "peers",
        "share what works", "swap experience", "swap practical experience",
        "visit each other", "university labs", "research partners", "connect us with",
        "connects startups",
    ),
    "duurzaamheid": (
        "energieneutraal", "duurzame opties", "klimaatneutraal", "co2-neutraal", "less gas",
        "minder gas",
        "diesel", "dieselaggregaat", "dieselaggregaten", "aggregaten", "fossiel", "fossielvrij",
        "diesel generators", "generators", "fossil",
        "van het gas af", "gasloos", "aardgasvrij", "elektrificeren", "restplastic",
        "restmateriaal", "restafval", "restproducten", "weggooien", "gooien we weg",
        "circulair", "co2", "zonnepanelen", "warmtepomp", "warmtepompen",
        "gas-fired", "gas fired", "off gas", "go electric", "electric ovens", "solar panels",
        "energy bill", "energy use", "use less energy", "circular economy",
    ),
    "regeldruk": (
        "omgevingsvergunning", "simpler way", "have to log", "have to register",
        "verplicht bijhouden", "moeten bijhouden", "for the police", "registratieplicht",
        "rapporteren", "rapporteren aan de overheid", "melden aan de overheid", "welke regels",
        "regels gelden", "al die regels", "te veel regels", "administratieve lasten",
        "bureaucratie", "kan dat niet simpeler", "rij- en rusttijden", "tachograaf",
        "ce-markering", "keuringen", "permits", "registrations", "red tape", "regulations",
        "which rules", "all these rules", "rules apply", "ce marking", "customs paperwork",
        "less of a maze",
    ),
    "medezeggenschap-en-betrokkenheid": (
        "niet gehoord", "gehoord voelen", "inbreng", "meer inbreng", "betrokkenheid",
        "laten meedenken", "feel heard", "not heard", "more input",
        "meedelen in de winst", "delen in de winst", "laten meebeslissen", "meebeslissen",
        "zeggenschap", "real say", "say in decisions", "share in the profits",
        "employee ownership",
    ),
    "leren-en-ontwikkelen": (
        "bijblijven", "bij blijven", "nieuwe technieken", "nog moeten leren", "competenties",
        "vaardighedenmatrix", "skills matrix", "vakdiploma", "diploma halen",
        "nederlands verbeteren", "taal verbeteren", "scholingstraject",
        "taallessen", "taalles", "vakcursus", "vakcursussen", "laten groeien",
        "verder laten groeien", "doorgroeien naar", "laten doorgroeien",
        "aanleren", "leren op de werkvloer", "werkplekleren", "op de werkvloer leren",
        "klaslokaal", "on the job training", "learning on the job", "bbl", "bbl-traject",
        "bbl track", "bbl-opleiding", "bol", "leerbaan", "doorleren",
        "vakopleiding", "opleiden tot", "apprenticeship",
        "bijleren", "omscholen", "omgeschoold", "up to speed", "get up to speed", "certs",
        "certification", "certifications", "training path", "training paths",
        "learning path", "upskill", "reskill", "reskilling", "course", "courses",
    ),
    "lean-procesinnovatie": (
        "chaos", "kris kras", "zoeken spullen", "spullen zoeken", "gaan fout", "gaat fout",
        "fouten", "loopwegen",
        "takes days", "takes weeks", "down to hours", "duurt dagen", "duurt weken",
        "pass through", "door zes handen", "leaner", "work leaner", "get stuck", "stuck between",
        "sneller de deur uit", "blijft liggen", "tussen de afdelingen", "sneller leveren",
        "werkstroom", "minder wachten", "minder overdoen", "werkwijze", "onder de loep",
        "our way of working", "faster turnaround",
        "altijd te laat", "te laat geleverd", "levertijd", "levertijden", "fout op fout",
        "proces strak", "proces in kaart", "in kaart brengen", "procesverbetering",
        "door iemands handen", "werk beter organiseren", "lead time", "order to delivery",
        "map our process", "cut out the waiting", "walk back and forth", "organise its work",
        "organise our work", "organize our work", "changeovers", "late deliveries",
    ),
    "duurzame-inzetbaarheid": (
        "fit houden", "mensen fit", "slopen", "sloopt", "nachtdiensten", "keep people fit",
        "gezond houden", "mensen gezond",
        "knieen", "knie", "polsen", "pols", "versleten", "iets anders gaan doen",
        "andere functie", "ander werk in de zaak", "gezond aan het werk", "hele dag staan",
        "knees", "wrists", "worn-out knees", "different role",
        "moe", "vermoeid", "vermoeidheid", "omvallen", "op zn tandvlees", "tandvlees",
        "burn-out", "burnout", "overbelast", "werkdruk", "hoge werkdruk", "te veel werk",
        "volhouden", "nachtwerk", "slaapproblemen", "langer doorwerken", "afgebrand",
        "burned out", "burnt out", "sick leave", "absenteeism", "worn out", "off sick",
        "out sick", "call in sick",
    ),
}


# The domain's concepts named by what they are in the work, per theme (issue 13, twelfth
# holdout round): lean's wastes (waiting, moving, doing over, steps that add nothing), the
# everyday tools of going digital (paper, spreadsheets, whiteboards, bookkeeping software),
# the AI tools owners meet (chatbots, ChatGPT, machine translation), tracking things (tags,
# GPS, a digital twin), electrifying transport and reusable packaging, lifestyle and fitness
# at work, learning from peers, and ending a business. Drawn from the theme descriptions in
# ``seed/taxonomy.yaml`` and the programmes the desks run, in the words owners use.
CONCEPTS: Mapping[str, tuple[str, ...]] = {
    "lean-procesinnovatie": (
        "verbetertraject", "verbeterslag", "heen en weer", "heen-en-weer", "gesjouw",
        "onnodige stappen", "stappen eruit", "laten doorlichten", "doorlichten",
        "wachten op materiaal", "wachten op onderdelen", "wachten op elkaar", "alles drie keer",
        "alles twee keer", "langs vier afdelingen", "langs afdelingen", "kan dat niet sneller",
        "waiting for parts", "waiting for materials", "adds nothing", "add nothing",
        "adds no value", "no added value", "map the whole process", "value stream",
        "driving around", "walking around", "everything twice", "double handling", "zeven handen",
        "vijf handen", "door veel handen", "stapels", "veel gezocht", "dubbel gescand",
        "heen en weer gereden", "vlotter", "vlotter lopen", "van inslag tot uitlevering",
        "stroom verbeteren", "goederenstroom", "orderstroom", "many hands", "piles waiting",
    ),
    "digitalisering": (
        "online boekhouden", "boekhoudsoftware", "boekhoudprogramma", "boekhoudpakket",
        "gekoppeld bankieren", "bankkoppeling", "bonnetjes", "schoenendoos", "op papier",
        "papieren administratie", "whiteboard", "planbord", "excel", "spreadsheet", "spreadsheets",
        "overtypen", "handmatig overtypen", "digitale werkbon", "digitale werkbonnen",
        "werkbonnen", "planningssoftware", "klussen op de telefoon", "online bookkeeping",
        "accounting software", "paper-based", "on paper", "retyping", "typing it over",
        "paper forms", "job cards", "tikken alles over", "overtikken", "overgetikt", "retypes",
        "retype", "accounting program", "papieren werkbonnen", "by phone and email",
        "per telefoon en mail",
    ),
    "kunstmatige-intelligentie": (
        "chatgpt", "chatbot", "slimme chatbot", "copilot", "taalmodel", "generatieve",
        "automatische vertaling", "machinevertaling", "vertaalsoftware", "deepl",
        "beeldherkenning", "machine translation", "large language model", "llm", "gpt",
        "image recognition", "screen cvs", "generative", "zelf leert", "zelflerend", "zelflerende",
        "dat zelf leert", "zelf herkent", "automatisch herkennen", "automatisch laten beoordelen",
        "computer vision", "learns by itself", "self-learning", "machine learning",
        "recognise automatically",
    ),
    "data-en-iot": (
        "tags", "zenders", "rfid", "track en trace", "track and trace", "weten waar alles is",
        "digitale kopie", "digitale tweeling", "digital twin", "doen er niks mee",
        "doen er niets mee", "sensordata", "know where everything is", "asset tracking",
    ),
    "duurzaamheid": (
        "waterstof", "elektrische vrachtwagens", "elektrische bestelbus", "elektrische busjes",
        "emissievrij", "zero-emissie", "laadpalen", "herbruikbaar", "herbruikbare", "kringloop",
        "van het plastic af", "minder plastic", "brandstof besparen", "electric trucks",
        "electric vans", "hydrogen", "zero-emission", "zero emission", "emission-free",
        "electrify", "electrification", "charging points", "cut fuel", "save fuel", "saving fuel",
        "reusable", "plastic-free", "water and gas", "water en gas", "reuse the heat",
        "heat recovery", "restwarmte", "warmte hergebruiken", "circular", "go circular",
        "reclaimed", "luchtwassysteem", "luchtwasser", "stikstof", "emissies",
    ),
    "duurzame-inzetbaarheid": (
        "lopen op hun tenen", "op hun tenen", "klagen over de druk", "te veel druk", "onder druk",
        "stress", "leefstijl", "roken", "gezond eten", "vitaliteit", "vitaliteitsprogramma",
        "rugklachten", "uitvallen", "lifestyle", "wellbeing", "well-being", "back pain",
    ),
    "kennisdeling-ecosystemen": (
        "brengt ons bij elkaar", "ons bij elkaar brengen", "samen uitproberen",
        "samen experimenteren", "samen dingen uitproberen", "zelf uitvinden", "wiel uitvinden",
        "van anderen leren", "hoe anderen dat doen", "zien hoe anderen", "samen inkopen",
        "machines delen", "kennis delen", "learn from others", "how others do it",
        "see how others", "companies like us", "reinvent the wheel", "pilot partners",
        "run pilots", "researchers", "club", "clubje", "aansluiting bij", "testomgeving",
        "in contact komen met", "wereldje", "de tu", "hogeschool", "samen met de hogeschool",
        "met andere bedrijven", "meet companies", "other companies",
    ),
    "werving-en-arbeidsmarkt": (
        "zero replies", "no replies", "zero responses", "no applicants", "job ad",
        "iemand bij zoeken", "iemand erbij", "extra iemand", "overstappen naar de zorg",
        "zij-instromers", "zij-instromer", "career switchers", "another pair of hands",
    ),
    "regeldruk": (
        "papierwerk", "risk inventory", "ri&e", "rie", "simplify the paperwork",
        "administrative burden", "eating my weekends", "bijhouden en registreren",
        "zoveel bijhouden", "verplichte registraties", "wat echt moet", "volgens de regels",
        "lasten verminderen", "ander format", "keep records", "so much to record",
    ),
    "robotisering-automatisering": (
        "zonder mensen", "zonder handwerk", "door machines laten doen",
        "door een machine laten doen", "without people", "without manual work", "by machines",
    ),
    "leren-en-ontwikkelen": (
        "bekwamen", "verder bekwamen", "papieren halen", "zelfstandig werkend",
    ),
    "medezeggenschap-en-betrokkenheid": (
        "meer betrokken", "nooit betrokken", "niet betrokken", "betrokken bij beslissingen",
        "aandeel geven", "aandelen geven", "medewerkersparticipatie", "werknemersparticipatie",
        "aandelen voor medewerkers", "certificaten van aandelen", "employee shares",
        "share in the company",
    ),
    "starten-en-ondernemen": (
        "ik ga met pensioen", "ga ik met pensioen", "bedrijf sluiten", "bedrijf afsluiten",
        "sluit het bedrijf", "i am retiring", "i m retiring", "zaak beeindigen",
        "bedrijf beeindigen", "officieel beeindigen", "bedrijf opheffen", "zaak sluiten",
        "stop met mijn zaak", "close my business", "wind down",
    ),
    "internationalisering": (
        "to the us", "in the us", "the states", "sell directly to", "exporteren", "export naar",
        "sell abroad", "sell overseas", "overseas", "production line in", "plant abroad",
        "vestiging in het buitenland", "international supply chain", "scandinavische markt",
        "scandinavische", "dealers in het buitenland", "in azie verkopen", "buitenlandse dealers",
        "foreign dealers", "distributors abroad",
    ),
    "financiering": (
        "pays back part", "part of the wages", "loonkosten terug", "deel van de loonkosten",
        "wage costs",
    ),
}
