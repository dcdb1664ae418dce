"""One canonical form of an email address, used wherever one is stored or compared.

Unicode NFKC, Unicode's default-ignorable characters (zero-width spaces and joiners,
soft hyphens, direction marks) removed, the domain encoded by IDNA 2008 (UTS 46,
non-transitional: what registries and browsers use) and lowercased, the local part
lowercased. So a fullwidth letter, an invisible character, or a domain
written in Unicode or in punycode names the same mailbox, and so the same applicant
and the same account. A local part that is not ASCII is refused (few mail servers
accept one), as is anything that is not one address.
"""

import re
import unicodedata

import idna
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Default_Ignorable_Code_Point, from Unicode's DerivedCoreProperties.txt (Unicode 15).
DEFAULT_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
INVALID = "Enter an email address like name@example.com."
MORE_THAN_ONE = "Enter one email address only."
NOT_ASCII = (
    "Use an address whose part before the @ has only plain letters, digits and . _ + -: "
    "few mail servers accept others."
)


def canonical(address: str) -> str:
    """The canonical form of `address`, or ValidationError saying what is wrong with it."""
    text = DEFAULT_IGNORABLE.sub("", unicodedata.normalize("NFKC", address)).strip()
    if text.count("@") > 1 and re.search(r"[\s,;]", text):
        raise ValidationError(MORE_THAN_ONE, code="more_than_one")
    local, at, domain = text.rpartition("@")
    if not (at and local and domain):
        raise ValidationError(INVALID, code="invalid")
    if not local.isascii():
        raise ValidationError(NOT_ASCII, code="not_ascii")
    try:
        domain = ascii_domain(domain.rstrip("."))
    except idna.IDNAError:
        raise ValidationError(INVALID, code="invalid") from None
    address = f"{local.lower()}@{domain}"
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(INVALID, code="invalid") from None
    return address


def ascii_domain(domain: str) -> str:
    """The domain as mail servers are asked for it. Not Python's "idna" codec: that is
    IDNA 2003, which makes straße.de strasse.de, a domain someone else may own."""
    if domain.isascii() and "xn--" not in domain.lower():
        return domain.lower()  # IDNA 2008 would refuse the "_" some old domains have
    return idna.encode(domain, uts46=True, transitional=False).decode("ascii")


def same_address(address: str) -> str:
    """The canonical form where there is one, else the address as given (for lookups)."""
    try:
        return canonical(address)
    except ValidationError:
        return address.strip().lower()


class AddressField(forms.CharField):
    """An email address field that cleans to the canonical form (an <input type=email>)."""

    widget = forms.EmailInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        value = super().to_python(value)
        return canonical(value) if value else value
