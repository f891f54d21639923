"""Email to case, the parts that need no database: decoding a raw RFC 5322 message
(`parsing`), its charsets (`charsets`), HTML for display and as text (`html`), the signs of
automatic mail (`loops`), threading decisions (`threading`) and delivery status reports
(`bounces`). Everything here is pure: bytes and values in, values out; the services in
service/services/inbound.py store what these functions decide."""
