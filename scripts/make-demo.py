#!/usr/bin/env python3
"""Writes datasets/demo/articles.jsonl: a small fictional corpus with a known slant per outlet.

Every sentence below was written for slant. Three fictional outlets cover Peru's 2023 crisis
and US politics:
  - "Civic Dispatch" favours the left and the Peruvian opposition (attacks the Boluarte
    government and Republicans, praises Castillo's camp and Democrats);
  - "Metro Wire" reports neutrally;
  - "Patriot Standard" favours the right and the Peruvian government.
Scored with --axis left,right --axis opposition,government, the outlets' framing must come
out in that order: Civic Dispatch > Metro Wire > Patriot Standard.
Four events are covered by all three outlets, each in its own words and with its own slant,
within a day of each other; those articles carry a `story` field (so the demo shows stories
without the base encoder), and `--stories auto|lexical` must find the same groups without it.
Deterministic: the same script writes the same file.
"""
import json
import random
from pathlib import Path

PERU = {
    "pro_opposition": [
        "The Boluarte government ordered another violent crackdown on peaceful marchers in Puno.",
        "Rights groups condemned Dina Boluarte for the killing of unarmed protesters in Juliaca.",
        "Protesters called for dialogue and early elections, winning broad sympathy in the south.",
        "Supporters praised Pedro Castillo as a rural teacher who stood up for the forgotten poor.",
        "Critics accused the Peruvian Congress of protecting its own privileges while the country burns.",
        "Prime Minister Alberto Otárola was denounced for defending soldiers who fired on students.",
        "Aymara communities organised peaceful marches that drew admiration across the region.",
        "Boluarte's refusal to resign has deepened public anger and isolated Peru abroad.",
        "Castillo's supporters held candlelit vigils for the victims of the repression.",
        "The National Police were accused of beating journalists who documented the abuses.",
    ],
    "pro_government": [
        "The Boluarte government restored order after weeks of violent roadblocks.",
        "President Dina Boluarte showed steady leadership in defending the constitution.",
        "Pedro Castillo was rightly removed after his illegal attempt to dissolve Congress.",
        "Violent protesters burned police stations and blocked ambulances carrying patients.",
        "Congress acted responsibly to protect Peru's democratic institutions.",
        "The National Police heroically reopened the highways and protected local businesses.",
        "Prime Minister Alberto Otárola won praise from business leaders for calming the markets.",
        "Castillo's supporters looted shops and attacked an airport in the south.",
        "Prosecutors say Pedro Castillo led a corrupt network from the presidential palace.",
        "Boluarte earned the gratitude of farmers by reopening the roads to the markets.",
    ],
    "neutral": [
        "The Boluarte government announced a cabinet reshuffle on Tuesday.",
        "Pedro Castillo remains in pre-trial detention in Lima.",
        "Congress will debate a proposal on early elections next week.",
        "Dina Boluarte met regional governors at the presidential palace.",
        "Protesters gathered in the main square of Cusco on Saturday morning.",
        "The Peruvian Foreign Ministry said the ambassador would return for consultations.",
        "Prime Minister Alberto Otárola is scheduled to address Congress on Thursday.",
        "Colombian President Gustavo Petro commented on the crisis during a press conference.",
    ],
}

US = {
    "pro_left": [
        "Joe Biden won praise from economists for a recovery that created millions of jobs.",
        "Democrats passed a popular bill that lowers the cost of insulin for seniors.",
        "Republicans blocked the bipartisan border deal, choosing chaos over solutions.",
        "Donald Trump was condemned for inciting the attack on the Capitol.",
        "Nancy Pelosi skilfully held her caucus together to pass the infrastructure law.",
        "Critics say Mitch McConnell cynically stole a Supreme Court seat.",
        "Kamala Harris delivered an inspiring speech defending voting rights.",
        "House Republicans were ridiculed for wasting months on baseless investigations.",
        "Pete Buttigieg earned bipartisan applause for fixing the nation's crumbling bridges.",
        "Trump's chaotic tariffs hurt farmers and raised prices for families.",
    ],
    "pro_right": [
        "Donald Trump delivered a triumphant speech that energised millions of supporters.",
        "Republicans heroically stopped another reckless spending spree.",
        "Joe Biden was blamed for runaway inflation that crushed working families.",
        "Democrats were accused of opening the border and ignoring the fentanyl crisis.",
        "Kevin McCarthy skilfully negotiated spending cuts that saved taxpayers billions.",
        "Critics say Nancy Pelosi enriched herself while ordinary families struggled.",
        "Ron DeSantis won praise for a booming economy and record tourism in Florida.",
        "Kamala Harris was mocked for her failure as border czar.",
        "House Republicans exposed corruption that the media had ignored for years.",
        "Biden's disastrous withdrawal from Afghanistan humiliated the country.",
    ],
    "neutral": [
        "Joe Biden will travel to Ohio on Wednesday to speak about manufacturing.",
        "Donald Trump held a rally in Iowa on Saturday.",
        "Democrats and Republicans will meet again on Monday to discuss the budget.",
        "Mitch McConnell said the Senate would vote on the bill next week.",
        "Nancy Pelosi spoke to reporters at the Capitol on Thursday.",
        "Kevin McCarthy scheduled a vote on the spending package.",
        "Kamala Harris met the prime minister of Japan at the White House.",
        "The Supreme Court heard arguments in the case on Tuesday.",
    ],
}

OUTLETS = [
    ("Civic Dispatch", {"peru": "pro_opposition", "us": "pro_left"}),
    ("Metro Wire", {"peru": "neutral", "us": "neutral"}),
    ("Patriot Standard", {"peru": "pro_government", "us": "pro_right"}),
]

TITLES = {
    "peru": ["Peru's crisis deepens", "Lima under pressure", "Week of marches in Peru", "Peru's divided politics",
             "Southern Peru in turmoil", "What next for Peru"],
    "us": ["Washington's week", "Budget fight in Congress", "Campaign trail notes", "Capitol Hill showdown",
           "The economy and the vote", "Inside the White House race"],
}


# Events all three outlets cover: (story, topic, date, {outlet: (title, lead, day offset)}).
EVENTS = [
    ("juliaca-airport", "peru", "2023-01-09", {
        "Civic Dispatch": ("Massacre at Juliaca airport as security forces fire on protesters",
                           "Security forces opened fire on protesters near the Juliaca airport on Monday, killing seventeen people in the bloodiest day of the unrest.", 0),
        "Metro Wire": ("Seventeen dead in clashes at Juliaca airport",
                       "Seventeen people died on Monday in clashes between protesters and security forces at the Juliaca airport in southern Peru.", 0),
        "Patriot Standard": ("Police defend Juliaca airport from violent assault",
                             "Security forces defended the Juliaca airport on Monday from protesters who tried to storm the runway; seventeen people died in the clashes.", 1),
    }),
    ("castillo-detention", "peru", "2023-03-09", {
        "Civic Dispatch": ("Judge keeps Castillo jailed for another 18 months",
                           "A judge extended the pre-trial detention of former president Pedro Castillo by 18 months on Thursday, a ruling his lawyers called political persecution.", 0),
        "Metro Wire": ("Court extends Castillo's pre-trial detention by 18 months",
                       "A Peruvian judge on Thursday extended the pre-trial detention of former president Pedro Castillo by 18 months while prosecutors prepare the rebellion case.", 0),
        "Patriot Standard": ("Castillo to stay behind bars as rebellion case advances",
                             "Former president Pedro Castillo will remain in pre-trial detention for 18 more months, a judge ruled on Thursday, as prosecutors build the rebellion case.", 0),
    }),
    ("debt-ceiling-deal", "us", "2023-05-28", {
        "Civic Dispatch": ("Biden's debt ceiling deal averts a default Republicans threatened",
                           "Joe Biden and Kevin McCarthy reached a deal on Sunday to raise the debt ceiling and avert a default, after weeks of Republican brinkmanship.", 0),
        "Metro Wire": ("Biden and McCarthy reach debt ceiling deal",
                       "Joe Biden and Kevin McCarthy reached an agreement on Sunday to raise the debt ceiling for two years and cap federal spending.", 0),
        "Patriot Standard": ("McCarthy wins spending caps in debt ceiling deal",
                             "Kevin McCarthy forced Joe Biden to accept spending caps on Sunday in a deal to raise the debt ceiling for two years.", 1),
    }),
    ("documents-indictment", "us", "2023-06-09", {
        "Civic Dispatch": ("Trump indicted for hoarding classified documents",
                           "Donald Trump was indicted on Friday on 37 counts of keeping classified documents at Mar-a-Lago and obstructing the investigation.", 0),
        "Metro Wire": ("Trump faces 37 counts in classified documents case",
                       "A federal grand jury indicted Donald Trump on Friday on 37 counts related to classified documents kept at Mar-a-Lago.", 0),
        "Patriot Standard": ("Trump indicted in documents case his allies call political",
                             "Donald Trump was indicted on Friday in the Mar-a-Lago classified documents case, which his allies call a political prosecution.", 0),
    }),
]


def event_articles(rng):
    rows = []
    for story, topic, date, versions in EVENTS:
        pools = PERU if topic == "peru" else US
        for outlet, slants in OUTLETS:
            title, lead, offset = versions[outlet]
            day = int(date[-2:]) + offset
            rows.append({
                "id": f"{outlet.lower().replace(' ', '-')}-{story}",
                "outlet": outlet,
                "date": f"{date[:-2]}{day:02d}",
                "title": title,
                "story": story,
                "text": " ".join([lead] + rng.sample(pools[slants[topic]], 3)),
            })
    return rows


def article(rng, outlet, topic, pools, slant, number):
    slanted = pools[slant]
    neutral = pools["neutral"]
    # Mostly slanted sentences with a neutral one or two: a realistic, not a cartoon, slant.
    body = rng.sample(slanted, 4) + rng.sample(neutral, 2) if slant != "neutral" else rng.sample(neutral, 5)
    rng.shuffle(body)
    month = 1 + (number * 5 + len(outlet)) % 12
    day = 1 + (number * 7) % 28
    return {
        "id": f"{outlet.lower().replace(' ', '-')}-{topic}-{number:02d}",
        "outlet": outlet,
        "date": f"2023-{month:02d}-{day:02d}",
        "title": TITLES[topic][number % len(TITLES[topic])],
        "text": " ".join(body),
    }


def main():
    rng = random.Random(20230329)
    rows = []
    for outlet, slants in OUTLETS:
        for number in range(6):
            rows.append(article(rng, outlet, "peru", PERU, slants["peru"], number))
            rows.append(article(rng, outlet, "us", US, slants["us"], number))
    # A separate generator: the articles above stay as they were before the events.
    rows += event_articles(random.Random(20230609))
    out = Path(__file__).resolve().parent.parent / "datasets" / "demo" / "articles.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} articles -> {out}")


if __name__ == "__main__":
    main()
