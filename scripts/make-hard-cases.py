#!/usr/bin/env python3
"""Writes datasets/stance/hard-cases.jsonl: sentences written for this project (none taken
from NewsMTSC, the seed article or any news source) of the kinds a stance model misreads,
each target labelled with the framing a careful reader gives it (-1, 0, 1).

Kinds: `support` (someone supports, defends, stands by the target), `victim` (the target
suffers; told with sympathy), `event` (a negative event near the target that is no negative
framing of it), `contrast` (one sentence, two targets framed oppositely), `quote` (the framing
is in a quoted or reported voice), `negative` (plain negative framing, for balance).

Run from the repository root: scripts/make-hard-cases.py
"""
import json

# (kind, sentence, [(mention, polarity), ...]); a mention is found at its first occurrence.
CASES = [
    ("support", "Mexico's president said he stood by Pedro Castillo and called his removal unjust.", [("Pedro Castillo", 1)]),
    ("support", "Dozens of lawmakers signed a letter defending Senator Maria Lopez against the ethics complaint.", [("Senator Maria Lopez", 1)]),
    ("support", "Union leaders rallied behind Governor Tom Reyes as he faced a recall vote.", [("Governor Tom Reyes", 1)]),
    ("support", "The mayor thanked the firefighters for their courage during the blaze.", [("the firefighters", 1)]),
    ("support", "Farmers in the highlands voiced support for the striking teachers.", [("the striking teachers", 1)]),
    ("support", "Bolivia's government expressed solidarity with the detained former president.", [("the detained former president", 1)]),
    ("support", "Several governors came to the defense of the embattled health minister.", [("the embattled health minister", 1)]),
    ("support", "Human rights groups praised the judge for refusing to bow to political pressure.", [("the judge", 1)]),
    ("support", "The opposition leader was endorsed by three of the country's largest unions.", [("The opposition leader", 1)]),
    ("support", "Former colleagues described Ana Torres as a tireless advocate for rural schools.", [("Ana Torres", 1)]),
    ("support", "Thousands marched in Puno to demand the release of Pedro Castillo.", [("Pedro Castillo", 1)]),
    ("support", "The senator won praise from both parties for brokering the ceasefire.", [("The senator", 1)]),
    ("support", "Argentina's foreign minister defended Petro's right to speak out on the crisis.", [("Petro", 1)]),
    ("support", "Regional leaders stood by the president of Ecuador after the assassination attempt.", [("the president of Ecuador", 1)]),
    ("victim", "Riot police fired tear gas at peaceful demonstrators who were singing in the square.", [("peaceful demonstrators", 1), ("Riot police", -1)]),
    ("victim", "Journalists covering the protests were harassed and detained by soldiers.", [("Journalists", 1), ("soldiers", -1)]),
    ("victim", "The jailed activist, whose only crime was organizing a peaceful vigil, began a hunger strike.", [("The jailed activist", 1)]),
    ("victim", "Indigenous communities have been repressed for decades by successive governments.", [("Indigenous communities", 1), ("successive governments", -1)]),
    ("victim", "The exiled writer was stripped of her citizenship for criticizing the regime.", [("The exiled writer", 1), ("the regime", -1)]),
    ("victim", "Farmers who lost everything in the floods say they have still received no help.", [("Farmers", 1)]),
    ("victim", "Boluarte ignored repeated warnings before troops opened fire on unarmed marchers.", [("unarmed marchers", 1), ("Boluarte", -1)]),
    ("event", "The ousted president has spent months in pretrial detention.", [("The ousted president", 0)]),
    ("event", "The former president was transferred to a prison outside Lima on Tuesday.", [("The former president", 0)]),
    ("event", "The president's plane was delayed by a storm over the Andes.", [("The president", 0)]),
    ("event", "Governor Reyes's house was damaged in the earthquake.", [("Governor Reyes", 0)]),
    ("event", "The minister announced that inflation rose to 8 percent in March.", [("The minister", 0)]),
    ("event", "Senator Lopez tested positive for the flu and will miss the vote.", [("Senator Lopez", 0)]),
    ("event", "The prime minister attended the funeral of the soldiers killed in the ambush.", [("The prime minister", 0)]),
    ("event", "Boluarte's government reported that floods had destroyed 2,000 homes.", [("Boluarte", 0)]),
    ("event", "The mayor confirmed that three people died in the fire.", [("The mayor", 0)]),
    ("event", "Police said the suspect was arrested near the border.", [("Police", 0)]),
    ("event", "The central bank warned that the economy could shrink next year.", [("The central bank", 0)]),
    ("event", "The candidate's mother died on Sunday, her campaign said.", [("The candidate", 0)]),
    ("event", "Congress will debate the budget amid a deepening recession.", [("Congress", 0)]),
    ("event", "The foreign minister met relatives of the victims of the bus crash.", [("The foreign minister", 0)]),
    ("event", "Representatives of the government and the protesters will meet on Friday.", [("the government", 0), ("the protesters", 0)]),
    ("contrast", "While the governor dithered, the volunteers rescued hundreds of stranded families.", [("the governor", -1), ("the volunteers", 1)]),
    ("contrast", "Petro praised the protesters and condemned Boluarte's government for the killings.", [("the protesters", 1), ("Boluarte", -1)]),
    ("contrast", "Unlike his rival, who dodged every question, Senator Kim answered the audience for two hours.", [("his rival", -1), ("Senator Kim", 1)]),
    ("contrast", "The court cleared the journalist and reprimanded the prosecutor for fabricating evidence.", [("the journalist", 1), ("the prosecutor", -1)]),
    ("contrast", "Voters rewarded the reformist mayor and punished the incumbent party for years of scandal.", [("the reformist mayor", 1), ("the incumbent party", -1)]),
    ("contrast", "The rebels freed the hostages unharmed, while government troops looted the town.", [("The rebels", 1), ("government troops", -1)]),
    ("quote", "\"Castillo is a threat to our democracy,\" the congressman said.", [("Castillo", -1)]),
    ("quote", "\"We will never abandon Pedro Castillo,\" a protester shouted outside the prison.", [("Pedro Castillo", 1)]),
    ("quote", "The ministry described the Colombian president's comments as \"meddling and reckless.\"", [("the Colombian president", -1)]),
    ("quote", "\"She has shown real courage,\" the ambassador said of Foreign Minister Gomez.", [("Foreign Minister Gomez", 1)]),
    ("quote", "\"I respect the senator, but his plan will bankrupt the state,\" the governor said.", [("the senator", -1)]),
    ("quote", "\"The president lied to the nation,\" the opposition leader told reporters.", [("The president", -1)]),
    ("quote", "\"The police acted with restraint,\" the interior minister insisted.", [("The police", 1)]),
    ("quote", "\"Nobody in this town trusts the mayor anymore,\" said a shopkeeper.", [("the mayor", -1)]),
    ("quote", "Supporters chanted \"Free Pedro!\" as the former president's motorcade passed.", [("the former president", 1)]),
    ("quote", "According to the auditors, the governor diverted flood relief money to his cousin's firm.", [("the governor", -1)]),
    ("quote", "The bishop said the striking miners deserved to be heard, not beaten.", [("the striking miners", 1)]),
    ("quote", "Critics say the minister's handling of the crisis was incompetent and callous.", [("the minister", -1)]),
    ("negative", "The senator pocketed bribes while lecturing voters about honesty.", [("The senator", -1)]),
    ("negative", "The police chief covered up the killings and lied to investigators.", [("The police chief", -1)]),
    ("negative", "Congress spent the crisis shielding its own members from prosecution.", [("Congress", -1)]),
]


def main():
    with open("datasets/stance/hard-cases.jsonl", "w", encoding="utf-8") as out:
        for kind, sentence, targets in CASES:
            for mention, polarity in targets:
                start = sentence.find(mention)
                if start < 0:
                    raise SystemExit(f"{mention!r} not in {sentence!r}")
                row = {
                    "sentence": sentence,
                    "mention": mention,
                    "from": start,
                    "to": start + len(mention),
                    "polarity": polarity,
                    "kind": kind,
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
