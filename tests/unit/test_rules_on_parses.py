"""Extraction rules checked on hand-built parses: one news phrasing per case, no model.

Each parse was printed once by `bench/parse_literal.py` from the model's reading of a sentence written for
this test (and checked by eye), then frozen here, so the test says what the rules make of that reading
whatever a later model would do. Expected events are (type, provider, recipient, category, status, stance).
"""

from __future__ import annotations

import pytest

from materiel.knowledge.base import load_knowledge

from handbuilt import events_of, parse


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


CASES = {
    # 'took delivery of X from Y': the subject receives, the 'from' party supplies (direction).
    "took-delivery-from": (
        'Manila took delivery of BrahMos missiles from New Delhi.',
        [
            ('Manila', 1, 'nsubj', 'PROPN', 'NNP', 'Manila'),
            ('took', 1, 'ROOT', 'VERB', 'VBD', 'take'),
            ('delivery', 1, 'dobj', 'NOUN', 'NN', 'delivery'),
            ('of', 2, 'prep', 'ADP', 'IN', 'of'),
            ('BrahMos', 5, 'compound', 'PROPN', 'NNP', 'BrahMos'),
            ('missiles', 3, 'pobj', 'NOUN', 'NNS', 'missile'),
            ('from', 1, 'prep', 'ADP', 'IN', 'from'),
            ('New', 8, 'compound', 'PROPN', 'NNP', 'New'),
            ('Delhi', 6, 'pobj', 'PROPN', 'NNP', 'Delhi'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'PHL', 'capital'), (7, 9, 'IND', 'capital')],
            'system': [(4, 5, 'BrahMos', 'cruise_missile')],
            'item': [(5, 6, 'other_missile', '')],
            'trigger': [(2, 3, 'delivery', '')],
        },
        [('transfer', 'IND', 'PHL', 'cruise_missile', 'delivered', 'asserted')],
    ),
    # a target of fire is never a recipient (ONTOLOGY §9.10).
    "fired-at-a-target": (
        'Russia fired Iranian-made drones at Kyiv overnight.',
        [
            ('Russia', 1, 'nsubj', 'PROPN', 'NNP', 'Russia'),
            ('fired', 1, 'ROOT', 'VERB', 'VBD', 'fire'),
            ('Iranian', 4, 'npadvmod', 'PROPN', 'NNP', 'Iranian'),
            ('-', 4, 'punct', 'PUNCT', 'HYPH', '-'),
            ('made', 5, 'amod', 'VERB', 'VBN', 'make'),
            ('drones', 1, 'dobj', 'NOUN', 'NNS', 'drone'),
            ('at', 1, 'prep', 'ADP', 'IN', 'at'),
            ('Kyiv', 6, 'pobj', 'PROPN', 'NNP', 'Kyiv'),
            ('overnight', 1, 'advmod', 'ADV', 'RB', 'overnight'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'RUS', 'name'), (2, 3, 'IRN', 'demonym'), (7, 8, 'UKR', 'capital')],
            'item': [(5, 6, 'uav', '')],
            'trigger': [(4, 5, 'make', '')],
        },
        [],
    ),
    # past-tense 'bought' with a seller is a delivered transfer from the seller (§9.13).
    "bought-from": (
        'Caracas bought Su-30 fighters from Moscow in 2006.',
        [
            ('Caracas', 1, 'nsubj', 'PROPN', 'NNP', 'Caracas'),
            ('bought', 1, 'ROOT', 'VERB', 'VBD', 'buy'),
            ('Su-30', 3, 'compound', 'PROPN', 'NNP', 'Su-30'),
            ('fighters', 1, 'dobj', 'NOUN', 'NNS', 'fighter'),
            ('from', 1, 'prep', 'ADP', 'IN', 'from'),
            ('Moscow', 4, 'pobj', 'PROPN', 'NNP', 'Moscow'),
            ('in', 1, 'prep', 'ADP', 'IN', 'in'),
            ('2006', 6, 'pobj', 'NUM', 'CD', '2006'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'VEN', 'capital'), (5, 6, 'RUS', 'capital')],
            'system': [(2, 3, 'Su-30', 'combat_aircraft')],
            'item': [(3, 4, 'combat_aircraft', '')],
            'trigger': [(1, 2, 'buy', '')],
        },
        [('transfer', 'RUS', 'VEN', 'combat_aircraft', 'delivered', 'asserted')],
    ),
    # a state sanctioning a purchase is no party to it.
    "sanctioning-bystander": (
        'Washington sanctioned Ankara for buying S-400 systems from Russia.',
        [
            ('Washington', 1, 'nsubj', 'PROPN', 'NNP', 'Washington'),
            ('sanctioned', 1, 'ROOT', 'VERB', 'VBD', 'sanction'),
            ('Ankara', 1, 'dobj', 'PROPN', 'NNP', 'Ankara'),
            ('for', 1, 'prep', 'ADP', 'IN', 'for'),
            ('buying', 3, 'pcomp', 'VERB', 'VBG', 'buy'),
            ('S-400', 6, 'compound', 'NOUN', 'NN', 's-400'),
            ('systems', 4, 'dobj', 'NOUN', 'NNS', 'system'),
            ('from', 4, 'prep', 'ADP', 'IN', 'from'),
            ('Russia', 7, 'pobj', 'PROPN', 'NNP', 'Russia'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'USA', 'capital'), (2, 3, 'TUR', 'capital'), (8, 9, 'RUS', 'name')],
            'system': [(5, 6, 'S-400', 'air_defence')],
            'trigger': [(4, 5, 'buy', '')],
        },
        [('transfer', 'RUS', 'TUR', 'air_defence', 'agreed', 'asserted')],
    ),
    # 'NATO member Norway': the alliance names Norway's membership, not a party.
    "alliance-membership": (
        'NATO member Norway will donate six jets to Ukraine.',
        [
            ('NATO', 1, 'compound', 'PROPN', 'NNP', 'NATO'),
            ('member', 2, 'compound', 'NOUN', 'NN', 'member'),
            ('Norway', 4, 'nsubj', 'PROPN', 'NNP', 'Norway'),
            ('will', 4, 'aux', 'AUX', 'MD', 'will'),
            ('donate', 4, 'ROOT', 'VERB', 'VB', 'donate'),
            ('six', 6, 'nummod', 'NUM', 'CD', 'six'),
            ('jets', 4, 'dobj', 'NOUN', 'NNS', 'jet'),
            ('to', 4, 'prep', 'ADP', 'IN', 'to'),
            ('Ukraine', 7, 'pobj', 'PROPN', 'NNP', 'Ukraine'),
            ('.', 4, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(2, 3, 'NOR', 'name'), (8, 9, 'UKR', 'name')],
            'item': [(6, 7, 'combat_aircraft', '')],
            'trigger': [(4, 5, 'donate', '')],
        },
        [('transfer', 'NOR', 'UKR', 'combat_aircraft', 'agreed', 'asserted')],
    ),
    # a named party declining to supply a named recipient is a cancelled transfer (§9.11).
    "refusal": (
        'Berlin declined to supply Taurus missiles to Kyiv.',
        [
            ('Berlin', 1, 'nsubj', 'PROPN', 'NNP', 'Berlin'),
            ('declined', 1, 'ROOT', 'VERB', 'VBD', 'decline'),
            ('to', 3, 'aux', 'PART', 'TO', 'to'),
            ('supply', 1, 'xcomp', 'VERB', 'VB', 'supply'),
            ('Taurus', 5, 'compound', 'PROPN', 'NNP', 'Taurus'),
            ('missiles', 3, 'dobj', 'NOUN', 'NNS', 'missile'),
            ('to', 3, 'dative', 'ADP', 'IN', 'to'),
            ('Kyiv', 6, 'pobj', 'PROPN', 'NNP', 'Kyiv'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'DEU', 'capital'), (7, 8, 'UKR', 'capital')],
            'system': [(4, 5, 'Taurus', 'cruise_missile')],
            'item': [(5, 6, 'other_missile', '')],
            'trigger': [(3, 4, 'supply', '')],
        },
        [('transfer', 'DEU', 'UKR', 'cruise_missile', 'cancelled', 'asserted')],
    ),
    # a denial naming no item is a denied event of category unspecified.
    "denial-without-item": (
        'Iran denied any arms dealings with Russia.',
        [
            ('Iran', 1, 'nsubj', 'PROPN', 'NNP', 'Iran'),
            ('denied', 1, 'ROOT', 'VERB', 'VBD', 'deny'),
            ('any', 4, 'det', 'DET', 'DT', 'any'),
            ('arms', 4, 'compound', 'NOUN', 'NNS', 'arm'),
            ('dealings', 1, 'dobj', 'NOUN', 'NNS', 'dealing'),
            ('with', 4, 'prep', 'ADP', 'IN', 'with'),
            ('Russia', 5, 'pobj', 'PROPN', 'NNP', 'Russia'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'IRN', 'name'), (6, 7, 'RUS', 'name')],
            'item': [(3, 4, 'unspecified', '')],
            'trigger': [(3, 4, 'arm', ''), (4, 5, 'dealing', '')],
        },
        [('transfer', 'IRN', 'RUS', 'unspecified', 'delivered', 'denied')],
    ),
    # a list of items of several categories gives one event per category.
    "list-by-category": (
        'Egypt sent rifles, mortar shells and armoured vehicles to Somalia.',
        [
            ('Egypt', 1, 'nsubj', 'PROPN', 'NNP', 'Egypt'),
            ('sent', 1, 'ROOT', 'VERB', 'VBD', 'send'),
            ('rifles', 1, 'dobj', 'NOUN', 'NNS', 'rifle'),
            (',', 2, 'punct', 'PUNCT', ',', ','),
            ('mortar', 5, 'compound', 'NOUN', 'NN', 'mortar'),
            ('shells', 2, 'conj', 'NOUN', 'NNS', 'shell'),
            ('and', 5, 'cc', 'CCONJ', 'CC', 'and'),
            ('armoured', 8, 'amod', 'ADJ', 'JJ', 'armoured'),
            ('vehicles', 5, 'conj', 'NOUN', 'NNS', 'vehicle'),
            ('to', 1, 'dative', 'ADP', 'IN', 'to'),
            ('Somalia', 9, 'pobj', 'PROPN', 'NNP', 'Somalia'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'EGY', 'name'), (10, 11, 'SOM', 'name')],
            'item': [(2, 3, 'small_arms', ''), (4, 5, 'artillery', ''), (5, 6, 'ammunition', ''), (7, 9, 'armoured_vehicle', '')],
            'trigger': [(1, 2, 'send', '')],
        },
        [
            ('transfer', 'EGY', 'SOM', 'small_arms', 'delivered', 'asserted'),
            ('transfer', 'EGY', 'SOM', 'ammunition', 'delivered', 'asserted'),
            ('transfer', 'EGY', 'SOM', 'armoured_vehicle', 'delivered', 'asserted'),
        ],
    ),
    # a package with a total is an unspecified event with the value, plus each named item.
    "package-with-value": (
        'The United States announced a $400 million package for Ukraine including HIMARS ammunition.',
        [
            ('The', 2, 'det', 'DET', 'DT', 'the'),
            ('United', 2, 'compound', 'PROPN', 'NNP', 'United'),
            ('States', 3, 'nsubj', 'PROPN', 'NNP', 'States'),
            ('announced', 3, 'ROOT', 'VERB', 'VBD', 'announce'),
            ('a', 8, 'det', 'DET', 'DT', 'a'),
            ('$', 7, 'quantmod', 'SYM', '$', '$'),
            ('400', 7, 'compound', 'NUM', 'CD', '400'),
            ('million', 8, 'nummod', 'NUM', 'CD', 'million'),
            ('package', 3, 'dobj', 'NOUN', 'NN', 'package'),
            ('for', 8, 'prep', 'ADP', 'IN', 'for'),
            ('Ukraine', 9, 'pobj', 'PROPN', 'NNP', 'Ukraine'),
            ('including', 10, 'prep', 'VERB', 'VBG', 'include'),
            ('HIMARS', 13, 'compound', 'PROPN', 'NNP', 'HIMARS'),
            ('ammunition', 11, 'pobj', 'NOUN', 'NN', 'ammunition'),
            ('.', 3, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(1, 3, 'USA', 'name'), (10, 11, 'UKR', 'name')],
            'system': [(12, 13, 'HIMARS', 'artillery')],
            'item': [(13, 14, 'ammunition', '')],
            'trigger': [(8, 9, 'package', '')],
        },
        [
            ('transfer', 'USA', 'UKR', 'unspecified', 'agreed', 'asserted'),
            ('transfer', 'USA', 'UKR', 'ammunition', 'agreed', 'asserted'),
        ],
    ),
    # coordinated buyers of a catalogued system are one event each, from its maker.
    "coordinated-buyers": (
        'The Rafale has been bought by Qatar, India and Greece.',
        [
            ('The', 1, 'det', 'DET', 'DT', 'the'),
            ('Rafale', 4, 'nsubjpass', 'PROPN', 'NNP', 'Rafale'),
            ('has', 4, 'aux', 'AUX', 'VBZ', 'have'),
            ('been', 4, 'auxpass', 'AUX', 'VBN', 'be'),
            ('bought', 4, 'ROOT', 'VERB', 'VBN', 'buy'),
            ('by', 4, 'agent', 'ADP', 'IN', 'by'),
            ('Qatar', 5, 'pobj', 'PROPN', 'NNP', 'Qatar'),
            (',', 6, 'punct', 'PUNCT', ',', ','),
            ('India', 6, 'conj', 'PROPN', 'NNP', 'India'),
            ('and', 8, 'cc', 'CCONJ', 'CC', 'and'),
            ('Greece', 8, 'conj', 'PROPN', 'NNP', 'Greece'),
            ('.', 4, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(6, 7, 'QAT', 'name'), (8, 9, 'IND', 'name'), (10, 11, 'GRC', 'name')],
            'system': [(1, 2, 'Rafale', 'combat_aircraft')],
            'trigger': [(4, 5, 'buy', '')],
        },
        [
            ('transfer', 'FRA', 'QAT', 'combat_aircraft', 'delivered', 'asserted'),
            ('transfer', 'FRA', 'IND', 'combat_aircraft', 'delivered', 'asserted'),
            ('transfer', 'FRA', 'GRC', 'combat_aircraft', 'delivered', 'asserted'),
        ],
    ),
    # an armed group is a recipient under its org: slug.
    "armed-group-recipient": (
        'Iran smuggled rockets to the Houthis.',
        [
            ('Iran', 1, 'nsubj', 'PROPN', 'NNP', 'Iran'),
            ('smuggled', 1, 'ROOT', 'VERB', 'VBD', 'smuggle'),
            ('rockets', 1, 'dobj', 'NOUN', 'NNS', 'rocket'),
            ('to', 1, 'prep', 'ADP', 'IN', 'to'),
            ('the', 5, 'det', 'DET', 'DT', 'the'),
            ('Houthis', 3, 'pobj', 'PROPN', 'NNP', 'Houthis'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'IRN', 'name'), (5, 6, 'org:houthis', 'group:armed_group')],
            'item': [(2, 3, 'ammunition', '')],
            'trigger': [(1, 2, 'smuggle', '')],
        },
        [('transfer', 'IRN', 'org:houthis', 'ammunition', 'delivered', 'asserted')],
    ),
    # joint drills between two named states are cooperation (§9.3).
    "joint-drills": (
        'China and Russia held joint naval drills in the Sea of Japan.',
        [
            ('China', 3, 'nsubj', 'PROPN', 'NNP', 'China'),
            ('and', 0, 'cc', 'CCONJ', 'CC', 'and'),
            ('Russia', 0, 'conj', 'PROPN', 'NNP', 'Russia'),
            ('held', 3, 'ROOT', 'VERB', 'VBD', 'hold'),
            ('joint', 6, 'amod', 'ADJ', 'JJ', 'joint'),
            ('naval', 6, 'amod', 'ADJ', 'JJ', 'naval'),
            ('drills', 3, 'dobj', 'NOUN', 'NNS', 'drill'),
            ('in', 3, 'prep', 'ADP', 'IN', 'in'),
            ('the', 9, 'det', 'DET', 'DT', 'the'),
            ('Sea', 7, 'pobj', 'PROPN', 'NNP', 'Sea'),
            ('of', 9, 'prep', 'ADP', 'IN', 'of'),
            ('Japan', 10, 'pobj', 'PROPN', 'NNP', 'Japan'),
            ('.', 3, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'CHN', 'name'), (2, 3, 'RUS', 'name'), (11, 12, 'JPN', 'name')],
            'trigger': [(6, 7, 'drill', '')],
        },
        [('cooperation', 'CHN', 'RUS', 'unspecified', 'agreed', 'asserted')],
    ),
    # 'X pilots are trained in Y': Y trains X.
    "pilots-trained-abroad": (
        'Ukrainian pilots are being trained in Denmark to fly F-16s.',
        [
            ('Ukrainian', 1, 'amod', 'ADJ', 'JJ', 'ukrainian'),
            ('pilots', 4, 'nsubjpass', 'NOUN', 'NNS', 'pilot'),
            ('are', 4, 'aux', 'AUX', 'VBP', 'be'),
            ('being', 4, 'auxpass', 'AUX', 'VBG', 'be'),
            ('trained', 4, 'ROOT', 'VERB', 'VBN', 'train'),
            ('in', 4, 'prep', 'ADP', 'IN', 'in'),
            ('Denmark', 5, 'pobj', 'PROPN', 'NNP', 'Denmark'),
            ('to', 8, 'aux', 'PART', 'TO', 'to'),
            ('fly', 4, 'advcl', 'VERB', 'VB', 'fly'),
            ('F-16s', 8, 'dobj', 'NOUN', 'NN', 'f-16s'),
            ('.', 4, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'UKR', 'demonym'), (6, 7, 'DNK', 'name')],
            'system': [(9, 10, 'F-16', 'combat_aircraft')],
            'trigger': [(4, 5, 'train', ''), (8, 9, 'fly', '')],
        },
        [('training', 'DNK', 'UKR', 'unspecified', 'delivered', 'asserted')],
    ),
    # production under another state's licence: the licensor is the provider; told in the simple
    # present, the production is under way (ONTOLOGY §5: delivered).
    "licensed-production": (
        'India builds Su-30MKI fighters under a Russian licence.',
        [
            ('India', 1, 'nsubj', 'PROPN', 'NNP', 'India'),
            ('builds', 1, 'ROOT', 'VERB', 'VBZ', 'build'),
            ('Su-30MKI', 3, 'compound', 'PROPN', 'NNP', 'Su-30MKI'),
            ('fighters', 1, 'dobj', 'NOUN', 'NNS', 'fighter'),
            ('under', 1, 'prep', 'ADP', 'IN', 'under'),
            ('a', 7, 'det', 'DET', 'DT', 'a'),
            ('Russian', 7, 'amod', 'ADJ', 'JJ', 'russian'),
            ('licence', 4, 'pobj', 'NOUN', 'NN', 'licence'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'IND', 'name'), (6, 7, 'RUS', 'demonym')],
            'system': [(2, 3, 'Su-30MKI', 'combat_aircraft')],
            'item': [(3, 4, 'combat_aircraft', ''), (7, 8, 'technology', '')],
            'trigger': [(1, 2, 'build', ''), (7, 8, 'licence', '')],
        },
        [('production', 'RUS', 'IND', 'combat_aircraft', 'delivered', 'asserted')],
    ),
    # 'X paid Y': payment from X to Y.
    "paid-in-gold": (
        'Russia paid Iran in gold for the drones.',
        [
            ('Russia', 1, 'nsubj', 'PROPN', 'NNP', 'Russia'),
            ('paid', 1, 'ROOT', 'VERB', 'VBD', 'pay'),
            ('Iran', 1, 'dobj', 'PROPN', 'NNP', 'Iran'),
            ('in', 1, 'prep', 'ADP', 'IN', 'in'),
            ('gold', 3, 'pobj', 'NOUN', 'NN', 'gold'),
            ('for', 1, 'dative', 'ADP', 'IN', 'for'),
            ('the', 7, 'det', 'DET', 'DT', 'the'),
            ('drones', 5, 'pobj', 'NOUN', 'NNS', 'drone'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'RUS', 'name'), (2, 3, 'IRN', 'name')],
            'item': [(7, 8, 'uav', '')],
            'trigger': [(1, 2, 'pay', '')],
        },
        [('payment', 'RUS', 'IRN', 'money', 'delivered', 'asserted')],
    ),
    # 'X asked Y for Z' is a request from X addressed to Y.
    "request-stage": (
        'Kyiv has asked Berlin for more Leopard tanks.',
        [
            ('Kyiv', 2, 'nsubj', 'PROPN', 'NNP', 'Kyiv'),
            ('has', 2, 'aux', 'AUX', 'VBZ', 'have'),
            ('asked', 2, 'ROOT', 'VERB', 'VBN', 'ask'),
            ('Berlin', 2, 'dobj', 'PROPN', 'NNP', 'Berlin'),
            ('for', 2, 'prep', 'ADP', 'IN', 'for'),
            ('more', 7, 'amod', 'ADJ', 'JJR', 'more'),
            ('Leopard', 7, 'compound', 'PROPN', 'NNP', 'Leopard'),
            ('tanks', 4, 'pobj', 'NOUN', 'NNS', 'tank'),
            ('.', 2, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'UKR', 'capital'), (3, 4, 'DEU', 'capital')],
            'item': [(7, 8, 'armoured_vehicle', '')],
            'trigger': [(2, 3, 'ask', '')],
        },
        [('transfer', 'DEU', 'UKR', 'armoured_vehicle', 'requested', 'asserted')],
    ),
    # 'X offered Z to Y' is offered.
    "offered": (
        'South Korea offered K9 howitzers to Egypt.',
        [
            ('South', 1, 'compound', 'PROPN', 'NNP', 'South'),
            ('Korea', 2, 'nsubj', 'PROPN', 'NNP', 'Korea'),
            ('offered', 2, 'ROOT', 'VERB', 'VBD', 'offer'),
            ('K9', 4, 'compound', 'PROPN', 'NNP', 'K9'),
            ('howitzers', 2, 'dobj', 'NOUN', 'NNS', 'howitzer'),
            ('to', 2, 'prep', 'ADP', 'IN', 'to'),
            ('Egypt', 5, 'pobj', 'PROPN', 'NNP', 'Egypt'),
            ('.', 2, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 2, 'KOR', 'name'), (6, 7, 'EGY', 'name')],
            'system': [(3, 5, 'K9', 'artillery')],
            'trigger': [(2, 3, 'offer', '')],
        },
        [('transfer', 'KOR', 'EGY', 'artillery', 'offered', 'asserted')],
    ),
    # a passive with a 'by' agent: the agent supplies, the 'to' party receives.
    "passive-with-agent": (
        'The helicopters were supplied to Mali by Russia last year.',
        [
            ('The', 1, 'det', 'DET', 'DT', 'the'),
            ('helicopters', 3, 'nsubjpass', 'NOUN', 'NNS', 'helicopter'),
            ('were', 3, 'auxpass', 'AUX', 'VBD', 'be'),
            ('supplied', 3, 'ROOT', 'VERB', 'VBN', 'supply'),
            ('to', 3, 'prep', 'ADP', 'IN', 'to'),
            ('Mali', 4, 'pobj', 'PROPN', 'NNP', 'Mali'),
            ('by', 3, 'agent', 'ADP', 'IN', 'by'),
            ('Russia', 6, 'pobj', 'PROPN', 'NNP', 'Russia'),
            ('last', 9, 'amod', 'ADJ', 'JJ', 'last'),
            ('year', 3, 'npadvmod', 'NOUN', 'NN', 'year'),
            ('.', 3, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(5, 6, 'MLI', 'name'), (7, 8, 'RUS', 'name')],
            'item': [(1, 2, 'helicopter', '')],
            'trigger': [(3, 4, 'supply', '')],
        },
        [('transfer', 'RUS', 'MLI', 'helicopter', 'delivered', 'asserted')],
    ),
    # 'X received Z from Y': Y supplies X.
    "receive-from": (
        'Serbia received Chinese FK-3 air defence systems from Beijing in April.',
        [
            ('Serbia', 1, 'nsubj', 'PROPN', 'NNP', 'Serbia'),
            ('received', 1, 'ROOT', 'VERB', 'VBD', 'receive'),
            ('Chinese', 6, 'amod', 'PROPN', 'NNP', 'Chinese'),
            ('FK-3', 2, 'dep', 'PROPN', 'NNP', 'FK-3'),
            ('air', 5, 'compound', 'NOUN', 'NN', 'air'),
            ('defence', 6, 'compound', 'NOUN', 'NN', 'defence'),
            ('systems', 1, 'dobj', 'NOUN', 'NNS', 'system'),
            ('from', 1, 'prep', 'ADP', 'IN', 'from'),
            ('Beijing', 7, 'pobj', 'PROPN', 'NNP', 'Beijing'),
            ('in', 1, 'prep', 'ADP', 'IN', 'in'),
            ('April', 9, 'pobj', 'PROPN', 'NNP', 'April'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'SRB', 'name'), (2, 3, 'CHN', 'demonym'), (8, 9, 'CHN', 'capital')],
            'system': [(3, 7, 'FK-3', 'air_defence')],
            'trigger': [(1, 2, 'receive', '')],
        },
        [('transfer', 'CHN', 'SRB', 'air_defence', 'delivered', 'asserted')],
    ),
    # using supplied weapons against a target: the user received them; the target is no party.
    "used-against": (
        'Ukraine used US-supplied HIMARS against Russian positions.',
        [
            ('Ukraine', 1, 'nsubj', 'PROPN', 'NNP', 'Ukraine'),
            ('used', 1, 'ROOT', 'VERB', 'VBD', 'use'),
            ('US', 4, 'npadvmod', 'PROPN', 'NNP', 'US'),
            ('-', 4, 'punct', 'PUNCT', 'HYPH', '-'),
            ('supplied', 5, 'amod', 'VERB', 'VBN', 'supply'),
            ('HIMARS', 1, 'dobj', 'PROPN', 'NNP', 'HIMARS'),
            ('against', 1, 'prep', 'ADP', 'IN', 'against'),
            ('Russian', 8, 'amod', 'ADJ', 'JJ', 'russian'),
            ('positions', 6, 'pobj', 'NOUN', 'NNS', 'position'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'UKR', 'name'), (2, 3, 'USA', 'name'), (7, 8, 'RUS', 'demonym')],
            'system': [(5, 6, 'HIMARS', 'artillery')],
            'trigger': [(4, 5, 'supply', '')],
        },
        [('transfer', 'USA', 'UKR', 'artillery', 'delivered', 'asserted')],
    ),
    # 'Iran's shipments of drones to Russia': the possessor of a shipment supplies.
    "possessive-provider": (
        "Iran's shipments of drones to Russia continued in 2023.",
        [
            ('Iran', 2, 'poss', 'PROPN', 'NNP', 'Iran'),
            ("'s", 0, 'case', 'PART', 'POS', "'s"),
            ('shipments', 7, 'nsubj', 'NOUN', 'NNS', 'shipment'),
            ('of', 2, 'prep', 'ADP', 'IN', 'of'),
            ('drones', 3, 'pobj', 'NOUN', 'NNS', 'drone'),
            ('to', 2, 'prep', 'ADP', 'IN', 'to'),
            ('Russia', 5, 'pobj', 'PROPN', 'NNP', 'Russia'),
            ('continued', 7, 'ROOT', 'VERB', 'VBD', 'continue'),
            ('in', 7, 'prep', 'ADP', 'IN', 'in'),
            ('2023', 8, 'pobj', 'NUM', 'CD', '2023'),
            ('.', 7, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'IRN', 'name'), (6, 7, 'RUS', 'name')],
            'item': [(4, 5, 'uav', '')],
            'trigger': [(2, 3, 'shipment', '')],
        },
        [('transfer', 'IRN', 'RUS', 'uav', 'delivered', 'asserted')],
    ),
    # a state's forces receiving their own industry's product is domestic procurement, out of scope.
    "home-made-not-a-transfer": (
        'Russian forces took delivery of new Su-35 fighters from the factory.',
        [
            ('Russian', 1, 'amod', 'ADJ', 'JJ', 'russian'),
            ('forces', 2, 'nsubj', 'NOUN', 'NNS', 'force'),
            ('took', 2, 'ROOT', 'VERB', 'VBD', 'take'),
            ('delivery', 2, 'dobj', 'NOUN', 'NN', 'delivery'),
            ('of', 3, 'prep', 'ADP', 'IN', 'of'),
            ('new', 7, 'amod', 'ADJ', 'JJ', 'new'),
            ('Su-35', 7, 'compound', 'PROPN', 'NNP', 'Su-35'),
            ('fighters', 4, 'pobj', 'NOUN', 'NNS', 'fighter'),
            ('from', 2, 'prep', 'ADP', 'IN', 'from'),
            ('the', 10, 'det', 'DET', 'DT', 'the'),
            ('factory', 8, 'pobj', 'NOUN', 'NN', 'factory'),
            ('.', 2, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'RUS', 'demonym')],
            'system': [(6, 7, 'Su-35', 'combat_aircraft')],
            'item': [(7, 8, 'combat_aircraft', '')],
            'trigger': [(3, 4, 'delivery', ''), (10, 11, 'factory', '')],
        },
        [],
    ),
    # 'ordered Z from Y' is agreed, Y supplying.
    "ordered-item-agreed": (
        'Poland ordered 96 Apache helicopters from the United States.',
        [
            ('Poland', 1, 'nsubj', 'PROPN', 'NNP', 'Poland'),
            ('ordered', 1, 'ROOT', 'VERB', 'VBD', 'order'),
            ('96', 4, 'nummod', 'NUM', 'CD', '96'),
            ('Apache', 4, 'compound', 'PROPN', 'NNP', 'Apache'),
            ('helicopters', 1, 'dobj', 'NOUN', 'NNS', 'helicopter'),
            ('from', 4, 'prep', 'ADP', 'IN', 'from'),
            ('the', 8, 'det', 'DET', 'DT', 'the'),
            ('United', 8, 'compound', 'PROPN', 'NNP', 'United'),
            ('States', 5, 'pobj', 'PROPN', 'NNP', 'States'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'POL', 'name'), (7, 9, 'USA', 'name')],
            'system': [(3, 4, 'Apache', 'helicopter')],
            'item': [(4, 5, 'helicopter', '')],
            'trigger': [(1, 2, 'order', '')],
        },
        [('transfer', 'USA', 'POL', 'helicopter', 'agreed', 'asserted')],
    ),
    # a paused shipment is cancelled.
    "halted": (
        'Washington paused a shipment of bombs to Israel in May.',
        [
            ('Washington', 1, 'nsubj', 'PROPN', 'NNP', 'Washington'),
            ('paused', 1, 'ROOT', 'VERB', 'VBD', 'pause'),
            ('a', 3, 'det', 'DET', 'DT', 'a'),
            ('shipment', 1, 'dobj', 'NOUN', 'NN', 'shipment'),
            ('of', 3, 'prep', 'ADP', 'IN', 'of'),
            ('bombs', 4, 'pobj', 'NOUN', 'NNS', 'bomb'),
            ('to', 1, 'prep', 'ADP', 'IN', 'to'),
            ('Israel', 6, 'pobj', 'PROPN', 'NNP', 'Israel'),
            ('in', 1, 'prep', 'ADP', 'IN', 'in'),
            ('May', 8, 'pobj', 'PROPN', 'NNP', 'May'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'USA', 'capital'), (7, 8, 'ISR', 'name')],
            'item': [(5, 6, 'ammunition', '')],
            'trigger': [(3, 4, 'shipment', '')],
        },
        [('transfer', 'USA', 'ISR', 'ammunition', 'cancelled', 'asserted')],
    ),
    # a transfer supposed in an if-clause is not reported.
    "condition": (
        'If Hezbollah obtained modern air defence systems from Iran, the air war over Lebanon would change.',
        [
            ('If', 2, 'mark', 'SCONJ', 'IN', 'if'),
            ('Hezbollah', 2, 'nsubj', 'PROPN', 'NNP', 'Hezbollah'),
            ('obtained', 16, 'advcl', 'VERB', 'VBD', 'obtain'),
            ('modern', 6, 'amod', 'ADJ', 'JJ', 'modern'),
            ('air', 5, 'compound', 'NOUN', 'NN', 'air'),
            ('defence', 6, 'compound', 'NOUN', 'NN', 'defence'),
            ('systems', 2, 'dobj', 'NOUN', 'NNS', 'system'),
            ('from', 2, 'prep', 'ADP', 'IN', 'from'),
            ('Iran', 7, 'pobj', 'PROPN', 'NNP', 'Iran'),
            (',', 16, 'punct', 'PUNCT', ',', ','),
            ('the', 12, 'det', 'DET', 'DT', 'the'),
            ('air', 12, 'compound', 'NOUN', 'NN', 'air'),
            ('war', 16, 'nsubj', 'NOUN', 'NN', 'war'),
            ('over', 12, 'prep', 'ADP', 'IN', 'over'),
            ('Lebanon', 13, 'pobj', 'PROPN', 'NNP', 'Lebanon'),
            ('would', 16, 'aux', 'AUX', 'MD', 'would'),
            ('change', 16, 'ROOT', 'VERB', 'VB', 'change'),
            ('.', 16, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(1, 2, 'org:hezbollah', 'group:armed_group'), (8, 9, 'IRN', 'name'), (14, 15, 'LBN', 'name')],
            'item': [(4, 7, 'air_defence', '')],
            'trigger': [(2, 3, 'obtain', '')],
        },
        [],
    ),
    # the planes carrying the cargo are not an item of the transfer.
    "carrier-aircraft": (
        "Egypt's ammunition reached Somalia on board two C-130 planes which landed at the airport in Mogadishu.",
        [
            ('Egypt', 2, 'poss', 'PROPN', 'NNP', 'Egypt'),
            ("'s", 0, 'case', 'PART', 'POS', "'s"),
            ('ammunition', 3, 'nsubj', 'NOUN', 'NN', 'ammunition'),
            ('reached', 3, 'ROOT', 'VERB', 'VBD', 'reach'),
            ('Somalia', 3, 'dobj', 'PROPN', 'NNP', 'Somalia'),
            ('on', 3, 'prep', 'ADP', 'IN', 'on'),
            ('board', 5, 'pobj', 'NOUN', 'NN', 'board'),
            ('two', 9, 'nummod', 'NUM', 'CD', 'two'),
            ('C-130', 9, 'compound', 'NOUN', 'NN', 'c-130'),
            ('planes', 5, 'pobj', 'NOUN', 'NNS', 'plane'),
            ('which', 11, 'nsubj', 'PRON', 'WDT', 'which'),
            ('landed', 9, 'relcl', 'VERB', 'VBD', 'land'),
            ('at', 11, 'prep', 'ADP', 'IN', 'at'),
            ('the', 14, 'det', 'DET', 'DT', 'the'),
            ('airport', 12, 'pobj', 'NOUN', 'NN', 'airport'),
            ('in', 14, 'prep', 'ADP', 'IN', 'in'),
            ('Mogadishu', 15, 'pobj', 'PROPN', 'NNP', 'Mogadishu'),
            ('.', 3, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'EGY', 'name'), (4, 5, 'SOM', 'name'), (16, 17, 'SOM', 'capital')],
            'system': [(8, 9, 'C-130', 'other_aircraft')],
            'item': [(2, 3, 'ammunition', '')],
            'trigger': [(3, 4, 'reach', ''), (11, 12, 'land', '')],
        },
        [('transfer', 'EGY', 'SOM', 'ammunition', 'delivered', 'asserted')],
    ),
    # an aircraft landing with the cargo ('with a C-17 landing at') is its carrier, not an item.
    "carrier-landing": (
        'Manila took delivery of BrahMos missiles from India, with an Indian Air Force C-17 aircraft landing at Clark Air Base.',
        [
            ('Manila', 1, 'nsubj', 'PROPN', 'NNP', 'Manila'),
            ('took', 1, 'ROOT', 'VERB', 'VBD', 'take'),
            ('delivery', 1, 'dobj', 'NOUN', 'NN', 'delivery'),
            ('of', 2, 'prep', 'ADP', 'IN', 'of'),
            ('BrahMos', 5, 'compound', 'PROPN', 'NNP', 'BrahMos'),
            ('missiles', 3, 'pobj', 'NOUN', 'NNS', 'missile'),
            ('from', 1, 'prep', 'ADP', 'IN', 'from'),
            ('India', 6, 'pobj', 'PROPN', 'NNP', 'India'),
            (',', 1, 'punct', 'PUNCT', ',', ','),
            ('with', 1, 'prep', 'ADP', 'IN', 'with'),
            ('an', 16, 'det', 'DET', 'DT', 'an'),
            ('Indian', 15, 'amod', 'PROPN', 'NNP', 'Indian'),
            ('Air', 13, 'nmod', 'PROPN', 'NNP', 'Air'),
            ('Force', 15, 'nmod', 'PROPN', 'NNP', 'Force'),
            ('C-17', 13, 'nummod', 'NOUN', 'NN', 'c-17'),
            ('aircraft', 16, 'compound', 'NOUN', 'NN', 'aircraft'),
            ('landing', 9, 'pobj', 'VERB', 'VBG', 'land'),
            ('at', 16, 'prep', 'ADP', 'IN', 'at'),
            ('Clark', 20, 'compound', 'PROPN', 'NNP', 'Clark'),
            ('Air', 20, 'compound', 'PROPN', 'NNP', 'Air'),
            ('Base', 17, 'pobj', 'PROPN', 'NNP', 'Base'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'PHL', 'capital'), (7, 8, 'IND', 'name'), (11, 14, 'IND', 'organ:military')],
            'system': [(4, 5, 'BrahMos', 'cruise_missile'), (14, 15, 'C-17', 'other_aircraft')],
            'item': [(5, 6, 'other_missile', ''), (15, 16, 'combat_aircraft', '')],
            'trigger': [(2, 3, 'delivery', ''), (16, 17, 'land', '')],
        },
        [('transfer', 'IND', 'PHL', 'cruise_missile', 'delivered', 'asserted')],
    ),
    # 'X's drone pipeline to Y': the possessor supplies, the 'to' party receives.
    "pipeline-possessor": (
        "Iran's drone pipeline to Russia has expanded since the summer.",
        [
            ('Iran', 3, 'poss', 'PROPN', 'NNP', 'Iran'),
            ("'s", 0, 'case', 'PART', 'POS', "'s"),
            ('drone', 3, 'compound', 'NOUN', 'NN', 'drone'),
            ('pipeline', 7, 'nsubj', 'NOUN', 'NN', 'pipeline'),
            ('to', 3, 'prep', 'ADP', 'IN', 'to'),
            ('Russia', 4, 'pobj', 'PROPN', 'NNP', 'Russia'),
            ('has', 7, 'aux', 'AUX', 'VBZ', 'have'),
            ('expanded', 7, 'ROOT', 'VERB', 'VBN', 'expand'),
            ('since', 7, 'prep', 'SCONJ', 'IN', 'since'),
            ('the', 10, 'det', 'DET', 'DT', 'the'),
            ('summer', 8, 'pobj', 'NOUN', 'NN', 'summer'),
            ('.', 7, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'IRN', 'name'), (5, 6, 'RUS', 'name')],
            'item': [(2, 3, 'uav', '')],
            'trigger': [(3, 4, 'pipeline', '')],
        },
        [('transfer', 'IRN', 'RUS', 'uav', 'delivered', 'asserted')],
    ),
    # whoever secures a pledge receives; the source of goods hung on the goods still supplies.
    "secured-a-pledge": (
        'Kyiv secured a pledge of 40 Patriot interceptors from Berlin.',
        [
            ('Kyiv', 1, 'nsubj', 'PROPN', 'NNP', 'Kyiv'),
            ('secured', 1, 'ROOT', 'VERB', 'VBD', 'secure'),
            ('a', 3, 'det', 'DET', 'DT', 'a'),
            ('pledge', 1, 'dobj', 'NOUN', 'NN', 'pledge'),
            ('of', 3, 'prep', 'ADP', 'IN', 'of'),
            ('40', 7, 'nummod', 'NUM', 'CD', '40'),
            ('Patriot', 7, 'compound', 'PROPN', 'NNP', 'Patriot'),
            ('interceptors', 4, 'pobj', 'NOUN', 'NNS', 'interceptor'),
            ('from', 7, 'prep', 'ADP', 'IN', 'from'),
            ('Berlin', 8, 'pobj', 'PROPN', 'NNP', 'Berlin'),
            ('.', 1, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'UKR', 'capital'), (9, 10, 'DEU', 'capital')],
            'system': [(6, 7, 'Patriot', 'air_defence')],
            'item': [(7, 8, 'air_defence', '')],
            'trigger': [(3, 4, 'pledge', '')],
        },
        [('transfer', 'DEU', 'UKR', 'air_defence', 'agreed', 'asserted')],
    ),
    # 'give the Philippines radars': the party right after the verb (past 'the') receives.
    "ditransitive-with-article": (
        'Japan will give the Philippines five coastal radars next year.',
        [
            ('Japan', 2, 'nsubj', 'PROPN', 'NNP', 'Japan'),
            ('will', 2, 'aux', 'AUX', 'MD', 'will'),
            ('give', 2, 'ROOT', 'VERB', 'VB', 'give'),
            ('the', 4, 'det', 'DET', 'DT', 'the'),
            ('Philippines', 2, 'dative', 'PROPN', 'NNP', 'Philippines'),
            ('five', 7, 'nummod', 'NUM', 'CD', 'five'),
            ('coastal', 7, 'amod', 'ADJ', 'JJ', 'coastal'),
            ('radars', 2, 'dobj', 'NOUN', 'NNS', 'radar'),
            ('next', 9, 'nmod', 'ADP', 'IN', 'next'),
            ('year', 2, 'npadvmod', 'NOUN', 'NN', 'year'),
            ('.', 2, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'JPN', 'name'), (4, 5, 'PHL', 'name')],
            'item': [(7, 8, 'components', '')],
            'trigger': [(2, 3, 'give', '')],
        },
        [('transfer', 'JPN', 'PHL', 'components', 'agreed', 'asserted')],
    ),
    # 'had bought X, delivered in 2021': the purchase and the delivery are two stages (ONTOLOGY §9.5, §9.13).
    "bought-then-delivered-participle": (
        'Kenya had bought six helicopters from Italy, delivered in 2021.',
        [
            ('Kenya', 2, 'nsubj', 'PROPN', 'NNP', 'Kenya'),
            ('had', 2, 'aux', 'AUX', 'VBD', 'have'),
            ('bought', 2, 'ROOT', 'VERB', 'VBN', 'buy'),
            ('six', 4, 'nummod', 'NUM', 'CD', 'six'),
            ('helicopters', 2, 'dobj', 'NOUN', 'NNS', 'helicopter'),
            ('from', 2, 'prep', 'ADP', 'IN', 'from'),
            ('Italy', 5, 'pobj', 'PROPN', 'NNP', 'Italy'),
            (',', 2, 'punct', 'PUNCT', ',', ','),
            ('delivered', 2, 'advcl', 'VERB', 'VBN', 'deliver'),
            ('in', 8, 'prep', 'ADP', 'IN', 'in'),
            ('2021', 9, 'pobj', 'NUM', 'CD', '2021'),
            ('.', 2, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'KEN', 'name'), (6, 7, 'ITA', 'name')],
            'item': [(4, 5, 'helicopter', '')],
            'trigger': [(2, 3, 'buy', ''), (8, 9, 'deliver', '')],
        },
        [('transfer', 'ITA', 'KEN', 'helicopter', 'agreed', 'asserted'),
         ('transfer', 'ITA', 'KEN', 'helicopter', 'delivered', 'asserted')],
    ),
    # 'Russia's Wagner Group supplied the RSF': the group, not the state qualifying it, supplies.
    "group-named-with-its-state": (
        "Russia's Wagner Group supplied the RSF with surface-to-air missiles.",
        [
            ('Russia', 3, 'poss', 'PROPN', 'NNP', 'Russia'),
            ("'s", 0, 'case', 'PART', 'POS', "'s"),
            ('Wagner', 3, 'compound', 'PROPN', 'NNP', 'Wagner'),
            ('Group', 4, 'nsubj', 'PROPN', 'NNP', 'Group'),
            ('supplied', 4, 'ROOT', 'VERB', 'VBD', 'supply'),
            ('the', 6, 'det', 'DET', 'DT', 'the'),
            ('RSF', 4, 'dobj', 'PROPN', 'NNP', 'RSF'),
            ('with', 4, 'prep', 'ADP', 'IN', 'with'),
            ('surface', 13, 'nmod', 'NOUN', 'NN', 'surface'),
            ('-', 8, 'punct', 'PUNCT', 'HYPH', '-'),
            ('to', 8, 'prep', 'ADP', 'IN', 'to'),
            ('-', 10, 'punct', 'PUNCT', 'HYPH', '-'),
            ('air', 10, 'pobj', 'NOUN', 'NN', 'air'),
            ('missiles', 7, 'pobj', 'NOUN', 'NNS', 'missile'),
            ('.', 4, 'punct', 'PUNCT', '.', '.'),
        ],
        {
            'party': [(0, 1, 'RUS', 'name'), (2, 4, 'org:wagner', 'group:pmc'), (6, 7, 'org:rsf', 'group:armed_group')],
            'item': [(8, 14, 'air_defence', '')],
            'trigger': [(4, 5, 'supply', '')],
        },
        [('transfer', 'org:wagner', 'org:rsf', 'air_defence', 'delivered', 'asserted')],
    ),
    # an 'as' clause tells an act of its own: the drones flow (delivered) while the pact is signed.
    "as-clause-keeps-its-own-stage": (
        'Kenya, Turkey sign troop access pact as Turkish drones and patrol boats flow to Nairobi',
        [
            ('Kenya', 3, 'npadvmod', 'PROPN', 'NNP', 'Kenya'),
            (',', 3, 'punct', 'PUNCT', ',', ','),
            ('Turkey', 3, 'nsubj', 'PROPN', 'NNP', 'Turkey'),
            ('sign', 3, 'ROOT', 'VERB', 'VBP', 'sign'),
            ('troop', 5, 'compound', 'NOUN', 'NN', 'troop'),
            ('access', 6, 'compound', 'NOUN', 'NN', 'access'),
            ('pact', 3, 'dobj', 'NOUN', 'NN', 'pact'),
            ('as', 13, 'mark', 'SCONJ', 'IN', 'as'),
            ('Turkish', 9, 'amod', 'ADJ', 'JJ', 'turkish'),
            ('drones', 13, 'nsubj', 'NOUN', 'NNS', 'drone'),
            ('and', 9, 'cc', 'CCONJ', 'CC', 'and'),
            ('patrol', 12, 'compound', 'NOUN', 'NN', 'patrol'),
            ('boats', 9, 'conj', 'NOUN', 'NNS', 'boat'),
            ('flow', 3, 'advcl', 'NOUN', 'NN', 'flow'),
            ('to', 13, 'prep', 'ADP', 'IN', 'to'),
            ('Nairobi', 14, 'pobj', 'PROPN', 'NNP', 'Nairobi'),
        ],
        {
            'party': [(0, 1, 'KEN', 'name'), (2, 3, 'TUR', 'name'), (8, 9, 'TUR', 'demonym'), (15, 16, 'KEN', 'capital')],
            'item': [(9, 10, 'uav', ''), (11, 13, 'ship', '')],
            'trigger': [(3, 4, 'sign', ''), (6, 7, 'pact', ''), (13, 14, 'flow', '')],
        },
        [('transfer', 'TUR', 'KEN', 'uav', 'delivered', 'asserted'),
         ('transfer', 'TUR', 'KEN', 'ship', 'delivered', 'asserted')],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_rule_reads_the_phrasing(kb, case: str) -> None:
    text, rows, spans, expected = CASES[case]
    sentence = parse(rows, spans, text=text)
    assert sentence.sentence.text == text  # the frozen parse is of this sentence
    got = [(e.type.value, e.provider, e.recipient, e.item.category.value, e.status.value, e.stance.value)
           for e in events_of(kb, sentence)]
    assert got == expected


GHANA_BUYS = (
    'Ghana agreed to buy armoured vehicles from Turkey.',
    [('Ghana', 1, 'nsubj', 'PROPN', 'NNP', 'Ghana'),
     ('agreed', 1, 'ROOT', 'VERB', 'VBD', 'agree'),
     ('to', 3, 'aux', 'PART', 'TO', 'to'),
     ('buy', 1, 'xcomp', 'VERB', 'VB', 'buy'),
     ('armoured', 5, 'amod', 'ADJ', 'JJ', 'armoured'),
     ('vehicles', 3, 'dobj', 'NOUN', 'NNS', 'vehicle'),
     ('from', 3, 'prep', 'ADP', 'IN', 'from'),
     ('Turkey', 6, 'pobj', 'PROPN', 'NNP', 'Turkey'),
     ('.', 1, 'punct', 'PUNCT', '.', '.')],
    {'party': [(0, 1, 'GHA', 'name'), (7, 8, 'TUR', 'name')], 'item': [(4, 6, 'armoured_vehicle', '')],
     'trigger': [(3, 4, 'buy', '')]},
)
HALF_ARRIVED = (
    'Only half have arrived.',
    [('Only', 1, 'advmod', 'ADV', 'RB', 'only'),
     ('half', 3, 'nsubj', 'NOUN', 'NN', 'half'),
     ('have', 3, 'aux', 'AUX', 'VBP', 'have'),
     ('arrived', 3, 'ROOT', 'VERB', 'VBN', 'arrive'),
     ('.', 3, 'punct', 'PUNCT', '.', '.')],
    {'trigger': [(3, 4, 'arrive', '')]},
)
WHETHER_ARRIVED = (
    'It has not said whether they have arrived.',
    [('It', 3, 'nsubj', 'PRON', 'PRP', 'it'),
     ('has', 3, 'aux', 'AUX', 'VBZ', 'have'),
     ('not', 3, 'neg', 'PART', 'RB', 'not'),
     ('said', 3, 'ROOT', 'VERB', 'VBN', 'say'),
     ('whether', 7, 'mark', 'SCONJ', 'IN', 'whether'),
     ('they', 7, 'nsubj', 'PRON', 'PRP', 'they'),
     ('have', 7, 'aux', 'AUX', 'VBP', 'have'),
     ('arrived', 3, 'ccomp', 'VERB', 'VBN', 'arrive'),
     ('.', 3, 'punct', 'PUNCT', '.', '.')],
    {'trigger': [(7, 8, 'arrive', '')]},
)


def _article(*sentences):
    parsed, start = [], 0
    for index, (text, rows, spans) in enumerate(sentences):
        parsed.append(parse(rows, spans, index=index, start=start, text=text))
        start += len(text) + 1
    return parsed


def test_a_portion_with_no_party_is_a_stage_of_the_transfer_told_before(kb) -> None:
    """'Only half have arrived' after Ghana's purchase from Turkey: the same goods, the same flow."""
    got = [(e.provider, e.recipient, e.item.category.value, e.status.value)
           for e in events_of(kb, *_article(GHANA_BUYS, HALF_ARRIVED))]
    assert got == [('TUR', 'GHA', 'armoured_vehicle', 'agreed'), ('TUR', 'GHA', 'armoured_vehicle', 'delivered')]


def test_an_embedded_question_about_the_goods_is_no_stage(kb) -> None:
    """'has not said whether they have arrived' asks; it reports no delivery."""
    got = [e.status.value for e in events_of(kb, *_article(GHANA_BUYS, WHETHER_ARRIVED))]
    assert got == ['agreed']


def test_a_portion_with_no_transfer_told_before_stays_quiet(kb) -> None:
    """With no flow told in the article, 'only half have arrived' is nobody's delivery."""
    assert events_of(kb, *_article(HALF_ARRIVED)) == []
