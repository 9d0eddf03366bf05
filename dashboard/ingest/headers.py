"""Header names Swedish and English systems use, for `profile suggest`: name -> role.

A role is a contract field, "date"/"time" (a started_at part), "identifier", "free_text" or
"personal" (names, addresses: dropped). Names are compared after lower-casing and removing
everything but letters and digits ("Avbruten/Tappad" -> "avbrutentappad").
"""

from __future__ import annotations

import re

SYNONYMS: dict[str, tuple[str, ...]] = {
    "contact_id": ("samtalsid", "ärendeid", "ärendenummer", "ärendenr", "kontaktid", "id", "callid",
                   "ticketid", "ticketnumber", "ticketnr", "caseid", "interaktionsid", "interactionid",
                   "löpnummer", "referensnummer", "contactid", "samtalsnummer", "anropsid"),
    "started_at": ("starttid", "start", "datumochtid", "datumtid", "tidpunkt", "inkommet", "inkom",
                   "mottaget", "mottagen", "skapad", "skapat", "registrerad", "registrerat",
                   "timestamp", "starttime", "startedat", "createdat", "created", "received",
                   "datetime", "inkommetdatum", "samtalsstart"),
    "date": ("datum", "date", "dag", "samtalsdatum", "startdatum", "besöksdatum", "kontaktdatum"),
    "time": ("tid", "klockslag", "time", "kl", "klockan", "starttidpunkt", "besökstid"),
    "queue_s": ("kötid", "väntetid", "queuetime", "waittime", "waitingtime", "tidikö", "köstid"),
    "handle_s": ("samtalstid", "handläggningstid", "hanteringstid", "taltid", "talktime", "handletime",
                 "handlingtime", "aht", "samtalslängd", "längd", "duration", "varaktighet", "besökstidlängd"),
    "first_response_s": ("svarstid", "förstasvar", "tidtillförstasvar", "firstresponse",
                         "firstresponsetime", "responsetime", "tidtillsvar"),
    "channel": ("kanal", "channel", "kontaktväg", "medium", "kontaktsätt", "kontaktkanal"),
    "department": ("förvaltning", "department", "ansvarigförvaltning", "förvaltningsnamn", "mottagandeförvaltning"),
    "topic": ("ärendekategori", "kategori", "ärendetyp", "ämnesområde", "topic", "category", "kö",
              "queue", "tjänst", "frågeområde", "ärendeområde"),
    "city_area": ("stadsdel", "stadsområde", "område", "district", "area", "bostadsområde", "cityarea"),
    "service_point": ("servicepunkt", "mötesplats", "servicekontor", "servicepoint", "location",
                      "kontor", "besöksplats"),
    "customer_type": ("kundtyp", "kundkategori", "kundgrupp", "customertype", "avsändartyp", "typavkund"),
    "language": ("språk", "language", "lang", "samtalsspråk"),
    "interpreter": ("tolk", "tolkbehov", "interpreter", "tolkanvänd", "medtolk"),
    "answered": ("besvarad", "besvarat", "answered", "svarat", "besvarade"),
    "abandoned": ("avbruten", "tappad", "avbrutentappad", "tappadavbruten", "abandoned", "lagtpå",
                  "lagdepå", "tappat", "avbrutet"),
    "callback_requested": ("återuppringning", "callback", "ringupp", "återringning",
                           "callbackrequested", "uppringningönskad", "återuppringningbegärd"),
    "outcome": ("utfall", "resultat", "outcome", "status", "avslut", "avslutskod", "åtgärd", "avslutsorsak"),
    "demand_type": ("efterfrågan", "typavefterfrågan", "demandtype", "efterfrågetyp"),
    "failure_reason": ("orsak", "onödigefterfrågan", "failurereason", "orsakskod", "orsaktillonödigefterfrågan"),
    "satisfaction": ("nöjdhet", "betyg", "nki", "satisfaction", "csat", "omdöme", "nöjd", "kundnöjdhet"),
    "identifier": ("telefonnummer", "telefon", "telnr", "nummer", "anummer", "uppringandenummer",
                   "mobilnummer", "mobil", "phone", "phonenumber", "caller", "callerid", "ani",
                   "personnummer", "pnr", "personnr", "samordningsnummer", "ssn", "epost",
                   "epostadress", "mail", "email", "emailadress", "avsändare", "from", "frånadress",
                   "kundnummer", "kundid", "customerid", "kundnr", "avsändaradress"),
    "free_text": ("kommentar", "kommentarer", "anteckning", "anteckningar", "notering", "noteringar",
                  "beskrivning", "ämne", "meddelande", "fritext", "comment", "comments", "note", "notes",
                  "subject", "description", "message", "text", "sammanfattning", "kommentaranteckning",
                  "ärendebeskrivning", "rubrik"),
    "personal": ("namn", "kundnamn", "förnamn", "efternamn", "name", "firstname", "lastname",
                 "fullname", "adress", "gatuadress", "address", "postadress", "postnummer", "postort",
                 "avsändarnamn", "kontaktperson"),
}

_BY_NAME = {name: role for role, names in SYNONYMS.items() for name in names}


def normalise(header: str) -> str:
    return re.sub(r"[^0-9a-zåäöéü]", "", header.casefold())


def role_of(header: str) -> str | None:
    """The role a header name suggests, or None when it is not recognised."""
    return _BY_NAME.get(normalise(header))
