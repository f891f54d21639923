"""The sender-domain check: SPF, DKIM and DMARC records of the domain a sender identity
mails from, looked up in DNS (dnspython). Receivers (Gmail, Yahoo, Microsoft) refuse or junk
bulk mail from domains without them.

The resolver is the system's unless the DNS_NAMESERVERS setting names servers ("ip" or
"ip:port"); tests point it at a DNS server on loopback."""

from dataclasses import asdict, dataclass

import dns.exception
import dns.name
import dns.resolver
from django.conf import settings
from django.utils.translation import gettext as _

FOUND, MISSING, INVALID, ERROR, SKIPPED = "found", "missing", "invalid", "error", "skipped"


@dataclass(frozen=True)
class RecordCheck:
    """One record: status found | missing | invalid (more than one, or not parseable) |
    error (the lookup failed) | skipped (nothing to look up); `name` the DNS name asked,
    `record` the TXT text found, `policy` the DMARC p= value, `detail` a sentence for people."""

    status: str
    name: str
    record: str = ""
    policy: str = ""
    detail: str = ""


def _resolver() -> dns.resolver.Resolver:
    servers = list(getattr(settings, "DNS_NAMESERVERS", []) or [])
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = []
        ports = {}
        for entry in servers:
            host, _sep, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
            host = host or entry
            resolver.nameservers.append(host)
            if port:
                ports[host] = int(port)
        resolver.nameserver_ports = ports
    resolver.lifetime = float(getattr(settings, "DNS_TIMEOUT_SECONDS", 3.0))
    resolver.timeout = resolver.lifetime
    return resolver


def _txt(resolver, name: str) -> list[str] | None:
    """The TXT strings at `name` ([] for none), None when the lookup itself failed."""
    try:
        answer = resolver.resolve(name, "TXT", search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except (dns.exception.DNSException, OSError):
        return None
    return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]


def _tag(record: str, tag: str) -> str:
    for part in record.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key.strip().lower() == tag:
            return value.strip()
    return ""


def _check(resolver, name: str, prefix: str, what: str) -> RecordCheck:
    records = _txt(resolver, name)
    if records is None:
        return RecordCheck(
            ERROR, name, detail=_("The DNS lookup of %(name)s failed.") % {"name": name}
        )
    matching = [r for r in records if r.lower().startswith(prefix.lower())]
    if not matching:
        return RecordCheck(MISSING, name, detail=_("No %(what)s record.") % {"what": what})
    if len(matching) > 1:
        return RecordCheck(
            INVALID,
            name,
            record=" | ".join(matching),
            detail=_("More than one %(what)s record: receivers treat that as none.")
            % {"what": what},
        )
    return RecordCheck(FOUND, name, record=matching[0])


def domain_check(domain: str, dkim_selector: str = "") -> dict:
    """{"domain", "spf", "dkim", "dmarc"} for `domain`, each a RecordCheck as a dict
    (JSON-ready, stored on SenderIdentity.dns_check). Never raises for DNS trouble (the
    record's status is "error")."""
    domain = (domain or "").strip().rstrip(".").lower()
    try:
        dns.name.from_text(domain)
    except (dns.exception.DNSException, ValueError):
        return {"domain": domain, "error": _("“%(d)s” is not a domain name.") % {"d": domain}}
    resolver = _resolver()
    spf = _check(resolver, domain, "v=spf1", "SPF")
    if spf.status == FOUND and not spf.record.rstrip().endswith(("-all", "~all")):
        spf = RecordCheck(FOUND, spf.name, spf.record, detail=_("It does not end in -all or ~all."))
    selector = (dkim_selector or "").strip().strip(".")
    if selector:
        name = f"{selector}._domainkey.{domain}"
        dkim = _check(resolver, name, "v=DKIM1", "DKIM")
        if dkim.status == MISSING:
            # v=DKIM1 is optional (RFC 6376 §3.6.1): a key record is one with p=
            keys = [r for r in (_txt(resolver, name) or []) if _tag(r, "p")]
            if keys:
                dkim = RecordCheck(FOUND, name, record=keys[0])
        if dkim.status == FOUND and not _tag(dkim.record, "p"):
            dkim = RecordCheck(
                INVALID, name, dkim.record, detail=_("The key is empty (p=): it was revoked.")
            )
    else:
        dkim = RecordCheck(
            SKIPPED, "", detail=_("Give the DKIM selector your relay signs with to check it.")
        )
    dmarc = _check(resolver, f"_dmarc.{domain}", "v=DMARC1", "DMARC")
    if dmarc.status == FOUND:
        policy = _tag(dmarc.record, "p").lower()
        if policy not in {"none", "quarantine", "reject"}:
            dmarc = RecordCheck(INVALID, dmarc.name, dmarc.record, detail=_("No valid p= policy."))
        else:
            dmarc = RecordCheck(FOUND, dmarc.name, dmarc.record, policy=policy)
    return {
        "domain": domain,
        "spf": asdict(spf),
        "dkim": asdict(dkim),
        "dmarc": asdict(dmarc),
    }
