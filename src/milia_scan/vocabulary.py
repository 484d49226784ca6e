"""The label vocabulary: every word and mark the tokenizer reads, written once.

Patterns in `sections.py` and `tokenizer.py` are compiled from these constants; to teach the
tokenizer a new header word, separator or abbreviation, add it here.
"""

from __future__ import annotations

# Characters that separate ingredients at bracket depth 0 (a comma between digits does not:
# "1,2-Hexanediol").
SEPARATORS = ";、，；•·●▪◦∙|"
LINE_BREAKS = "\r\n\u2028\u2029"
BRACKETS = {"(": ")", "[": "]", "{": "}"}
# Marks that start a line in a one-per-line list ("- Wollwachs", "• Cera de abejas").
BULLETS = "-–•*·▪◦●"
# Units of an amount after a name in a recipe-style list ("Vaseline : 40 g").
UNITS = ("g", "mg", "kg", "ml", "l", "oz")
# Footnote marks: never part of a name ("Dimethicone¹", "Aloe Juice*").
FOOTNOTE_MARKS = "*†‡°"
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
# "Cyclopentasiloxane (and) Dimethicone": a blend of two ingredients.
AND_WORDS = ("and", "et", "und", "y", "e")
# "May contain" phrases; everything after one is flagged `may_contain`.
MAY_CONTAIN = (
    r"may\s+contain", r"peut\s+contenir", r"kann\s+enthalten", r"puede\s+contener", r"pu[oò]\s+contenere",
    r"mag\s+bevatten", r"\+\s*/\s*-", "±",
)
# Every header or marker contains one of these characters or (lower-cased) words: a label with
# none of them is one plain list. Characters are looked for in the label; words in each distinct
# piece, once (the tokenizer caches pieces), which costs less than searching every label.
CUE_CHARS = (":", "：", "+", "±")
CUE_WORDS = ("ngredient", "drug", "contain", "conten", "enthalten", "bevatten")
# Words that name an ingredient list, in the languages labels use.
INGREDIENT_WORDS = (
    r"ingr[eé]dients?", "ingredientes", "ingredienti", r"ingredi[eë]nten", "ingredienser", "inhaltsstoffe",
    "zutaten", r"sk[łl]adniki", "composition", r"composici[oó]n", r"composi[cç][aã]o", "inci", "成分", "全成分", "성분",
)
# Headers that end the ingredient list ("Directions:"); each needs a colon.
STOP_WORDS = (
    r"directions(?:\s+for\s+use)?", r"how\s+to\s+use", r"warnings?", r"cautions?", "precautions", "usage",
    "storage", r"other\s+information", r"questions(?:\s+or\s+comments)?\??", r"mode\s+d['’]emploi", "anwendung",
    r"pr[ée]cautions\s+d['’]emploi", r"purposes?", r"uses?", "division", r"net\s+wt", r"made\s+in",
)
# Estée Lauder group labels name each product of a kit: "Rds Product Name: Spf30 Face Cream
# Division: Cl (Clinique)Water, …". The product name is the part's heading.
PRODUCT_HEADING = r"(?:rds\s+)?product\s+name\s*:\s*(?P<name>[^:\n]{0,80}?)\s*division\s*:\s*[^():\n]{0,24}(?:\([^()\n]{0,40}\))?"
# US Drug Facts headings that end a section at a line start even without a colon.
DRUG_STOP_WORDS = (
    r"purposes?", r"uses?", r"warnings?", "directions", r"other\s+information",
    r"questions(?:\s+or\s+comments)?\??", r"do\s+not\s+use", r"stop\s+use", r"keep\s+out\s+of\s+reach",
)
# A kit's sub-heading ("Night Serum 30 ml:", "Renewed Hope in a Jar Refreshing & Refining
# Moisturizer:") has at most this many words.
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 80
# Footnote legends ("*Organic ingredient", "* Essential Oil") are not ingredients; nor is one
# glued on after the last ingredient ("Phenoxyethanol * Essential Oil").
LEGEND_WORDS = (
    "organic", "biologique", r"bio\b", "natural", "naturally", r"ingredients?\s+(?:from|of)", r"issus?\s+de",
    r"aus\s+kontroll", r"essential\s+oils?\b",
)
# Retailers' disclaimers glued on after the last ingredient ("Phenoxyethanol Please be aware that
# ingredient lists may change or vary from time to time."): the token ends where one starts. Each
# names the ingredient list (DISCLAIMER_WORD), so no ingredient name holds one.
DISCLAIMER_WORD = "ingredient"
DISCLAIMERS = (
    r"please\s+be\s+aware\s+that\s+(?:the\s+)?ingredient", r"please\s+refer\s+to\s+the\s+ingredient",
    r"this\s+ingredient\s+list\s+is\s+subject", r"it\s+is\s+the\s+most\s+up[\s-]+to[\s-]+date\s+ingredient",
)
# Words after which a period does not end an ingredient ("Vit. E", "Alcohol Denat.", "Red No. 40").
ABBREVIATIONS = (
    "vit", "denat", "no", "nr", "st", "sp", "spp", "ssp", "subsp", "var", "ext", "extr", "fl", "oz", "approx",
    "aq", "dist", "ph", "eur", "inc", "ltd", "co", "corp", "al", "cf", "ca", "hydrol", "hydrog", "ferm", "max",
    "min", "conc", "pur", "mg", "ml", "wt", "vol",
    "l",  # a botanical author: "Rosa Canina L. Fruit Oil"
)
