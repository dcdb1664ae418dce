"""The demo content: the pieces of the page the publication was designed from."""

from pathlib import Path

HERE = Path(__file__).parent

TOPICS = [
    {"slug": "ai", "name": "AI", "description": "Machine learning, its makers and its critics."},
    {
        "slug": "open-source",
        "name": "Open source",
        "description": "Software anyone may study, change and share.",
    },
    {"slug": "work", "name": "Work", "description": "How jobs and skills are changing."},
    {
        "slug": "crypto",
        "name": "Crypto",
        "description": "Decentralized finance and the people who regulate it.",
    },
    {
        "slug": "policy",
        "name": "Policy",
        "description": "Regulators, lawmakers and the rules they write.",
    },
]

CONTRIBUTORS = [
    {"slug": "dylan-patel", "name": "Dylan Patel", "role_line": "Semiconductor Analyst"},
    {
        "slug": "molly-crabapple",
        "name": "Molly Crabapple",
        "role_line": "Artist and writer in New York City.",
    },
    {"slug": "toby-daniels", "name": "Toby Daniels", "role_line": "ON_Discourse Co-Founder"},
    {
        "slug": "ernie-smith",
        "name": "Ernie Smith",
        "role_line": "Ernie Smith is the founder of the newsletter Tedium and a regular "
        "contributor to Vice’s Motherboard.",
    },
]

ARTICLES = [
    {
        "slug": "open-source-ai-revolution",
        "title": "The Open Source AI Revolution: How History Repeats Itself",
        "dek": "Open-source language models are gaining on their closed rivals the way Linux "
        "once gained on proprietary UNIX. The lessons of that fight apply again.",
        "contributors": ["dylan-patel"],
        "topics": ["ai", "open-source"],
        "publish_at": "2023-05-08T09:00:00+00:00",
        "featured": True,
        "hero": True,
        "pull_quotes": [
            {
                "text": "Open-source AI benefits from a global pool of developers and researchers "
                "who build upon each other’s work in a collaborative manner.",
                "attribution": "Dylan Patel",
                "position": 5,
            }
        ],
    },
    {
        "slug": "against-ai-artificial-art",
        "title": "Against AI: Artificial “Art”",
        "dek": "Appeals to ethics and solidarity will not stop anyone using generative AI.",
        "contributors": ["molly-crabapple"],
        "topics": ["ai"],
        "publish_at": "2023-05-02T09:00:00+00:00",
    },
    {
        "slug": "shift-from-knowledge-to-direction-work",
        "title": "The Shift from Knowledge to Direction Work",
        "dek": "AI does not only replace skills. It asks for a new kind of worker.",
        "contributors": ["toby-daniels"],
        "topics": ["ai", "work"],
        "publish_at": "2023-04-26T09:00:00+00:00",
    },
    {
        "slug": "sec-defi-crypto-innovation-abroad",
        "title": "The SEC’s DeFi moves could push crypto innovation abroad",
        "dek": "Efforts by the Securities and Exchange Commission to take a more direct approach "
        "to regulating the emerging field of decentralized finance lack teeth when one of "
        "DeFi’s big benefits is mobility across borders.",
        "contributors": ["ernie-smith"],
        "topics": ["crypto", "policy"],
        "publish_at": "2023-04-18T09:00:00+00:00",
        "members_only": True,
        "pull_quotes": [
            {
                "text": "As evident by numerous crypto scandals in the last year—most notably the "
                "collapse of the FTX crypto exchange—the industry hasn’t been able to lean into "
                "DeFi’s inherent advantages.",
                "attribution": "Umee’s Brent Xu wrote for Coindesk back in February.",
                "position": 7,
            },
            {
                "text": "If any of these vectors is successful, it will certainly lead DeFi "
                "platforms and ecosystems to move abroad unless further regulation clarifies "
                "the overall situation. While this is particularly problematic for US "
                "organizations and individuals, it won’t affect crypto innovation around the "
                "world given that this workforce is highly mobile.",
                "attribution": "Hugo Volz Oliveira, the secretary of the Portugal-based New "
                "Economy Institute",
                "position": 12,
            },
            {
                "text": "I think if a number of years go by where we don’t see regulatory clarity "
                "emerge in the US, we may have to consider investing more in other regions of "
                "the world.",
                "attribution": "Coinbase CEO Brian Armstrong recently said at a conference in "
                "London, according to Investopedia.",
                "position": 16,
            },
            {
                "text": "The US surely stands to lose its role as a key builder of future digital "
                "technologies and economies if it stays within this course of action.",
                "attribution": "Hugo Volz Oliveira",
                "position": 20,
            },
        ],
    },
]


TIERS = [
    {
        "slug": "reader",
        "name": "Reader",
        "rank": 1,
        "order": 1,
        "description": "Every members-only essay and report, as it is published.",
        "benefits": "All members-only posts\nThe full archive\nThe weekly members' letter",
        "monthly_price": "8.00",
        "yearly_price": "80.00",
    },
    {
        "slug": "insider",
        "name": "Insider",
        "rank": 2,
        "order": 2,
        "description": "Everything in Reader, plus our in-depth briefings.",
        "benefits": "Everything in Reader\nInsider briefings and data notes\nMonthly call with "
        "the editors",
        "monthly_price": "20.00",
        "yearly_price": "200.00",
    },
    {
        "slug": "patron",
        "name": "Patron",
        "rank": 3,
        "order": 3,
        "description": "Everything we publish, and a seat at the table.",
        "benefits": "Everything in Insider\nInvitations to member events\nYour name among our "
        "patrons",
        "monthly_price": "50.00",
        "yearly_price": "500.00",
    },
]


def body(slug: str) -> str:
    return (HERE / f"{slug}.md").read_text(encoding="utf-8")
