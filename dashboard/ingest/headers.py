"""Header names Swedish and English systems use, for `profile suggest`: name -> role.

A role is a contract field, "date"/"time" (a started_at part), "identifier", "free_text",
"personal" (names, addresses, coordinates: dropped), "resolved" (a yes/no resolved flag, mapped
to outcome), or "unused" (known columns the contract has no field for, such as a closing time
or a case status). Names are compared after lower-casing, removing a unit in brackets
("Wait Time (s)") and everything but letters and digits ("Avbruten/Tappad" -> "avbrutentappad").

The names come from the project's own example exports and from the column names commonly seen
in exports of contact-centre and case systems: Telia ACE and Puzzel (call and chat statistics:
queue, arrival/answer times, wait, talk and wrap-up times, result), Artvise and ServiceNow-style
case exports (number, opened_at, contact_type, assignment_group, category, state, close_code),
and 311 service-request extracts (Open311 GeoReport v2 and SF311: service_request_id,
requested_datetime, closed_date, source, service_name, agency_responsible; NYC and LA 311:
Unique Key, Created Date, SRNumber, RequestSource). Vendors let customers rename columns, so
these are starting points: the values decide where the names do not (suggest_values.py).
"""

from __future__ import annotations

import re

SYNONYMS: dict[str, tuple[str, ...]] = {
    "contact_id": ("samtalsid", "ärendeid", "ärendenummer", "ärendenr", "kontaktid", "id", "callid",
                   "ticketid", "ticketnumber", "ticketnr", "caseid", "interaktionsid", "interactionid",
                   "löpnummer", "referensnummer", "contactid", "samtalsnummer", "anropsid", "samtal",
                   "samtalsnr", "chattid", "chatid", "sessionid", "conversationid", "requestid",
                   "servicerequestid", "srnumber", "uniquekey", "number", "casenumber", "incidentnumber",
                   "besöksid", "callnumber"),
    "started_at": ("starttid", "start", "datumochtid", "datumtid", "tidpunkt", "inkommet", "inkom",
                   "mottaget", "mottagen", "skapad", "skapat", "registrerad", "registrerat",
                   "timestamp", "starttime", "startedat", "createdat", "created", "received",
                   "datetime", "inkommetdatum", "samtalsstart", "startad", "påbörjad", "requesteddatetime",
                   "requesteddate", "createddate", "openedat", "opened", "arrivaltime", "ankomsttid",
                   "inkommandetid", "starttidpunkt", "chatstart", "chattstart", "createdon", "opendate"),
    "date": ("datum", "date", "dag", "samtalsdatum", "startdatum", "besöksdatum", "kontaktdatum"),
    "time": ("tid", "klockslag", "time", "kl", "klockan", "besökstid", "calltime"),
    "queue_s": ("kötid", "väntetid", "queuetime", "waittime", "waitingtime", "tidikö", "köstid", "ringtid",
                "waitseconds", "waitsec", "timeinqueue", "queueduration", "svarstidikö", "asa"),
    "handle_s": ("samtalstid", "handläggningstid", "hanteringstid", "taltid", "talktime", "handletime",
                 "handlingtime", "aht", "samtalslängd", "längd", "duration", "varaktighet", "besökstidlängd",
                 "chattlängd", "chatlength", "chatduration", "handleseconds", "talkseconds", "calllength",
                 "callduration", "conversationtime", "samtalstidsek"),
    "first_response_s": ("svarstid", "förstasvar", "tidtillförstasvar", "firstresponse",
                         "firstresponsetime", "responsetime", "tidtillsvar"),
    "channel": ("kanal", "channel", "kontaktväg", "medium", "kontaktsätt", "kontaktkanal", "source",
                "requestsource", "contacttype", "kontakttyp", "mediatyp", "mediatype"),
    "department": ("förvaltning", "department", "ansvarigförvaltning", "förvaltningsnamn", "mottagandeförvaltning",
                   "agencyresponsible", "agency", "agencyname", "owner"),
    "topic": ("ärendekategori", "kategori", "ärendetyp", "ämnesområde", "topic", "category", "kö",
              "queue", "tjänst", "frågeområde", "ärendeområde", "queuename", "könamn", "grupp", "ärende",
              "servicename", "requesttype", "complainttype", "skill", "kompetens", "ärendegrupp",
              "assignmentgroup"),
    "city_area": ("stadsdel", "stadsområde", "område", "district", "area", "bostadsområde", "cityarea",
                  "neighborhood", "neighbourhood", "neighborhoods", "neighborhoodssffindboundaries",
                  "analysisneighborhood", "commname", "borough"),
    "service_point": ("servicepunkt", "mötesplats", "servicekontor", "servicepoint", "location",
                      "kontor", "besöksplats"),
    "customer_type": ("kundtyp", "kundkategori", "kundgrupp", "customertype", "avsändartyp", "typavkund"),
    "language": ("språk", "language", "lang", "samtalsspråk"),
    "interpreter": ("tolk", "tolkbehov", "interpreter", "tolkanvänd", "medtolk"),
    "answered": ("besvarad", "besvarat", "answered", "svarat", "besvarade", "isanswered"),
    "abandoned": ("avbruten", "tappad", "avbrutentappad", "tappadavbruten", "abandoned", "lagtpå",
                  "lagdepå", "tappat", "avbrutet"),
    "callback_requested": ("återuppringning", "callback", "ringupp", "återringning",
                           "callbackrequested", "uppringningönskad", "återuppringningbegärd"),
    "outcome": ("utfall", "resultat", "outcome", "status", "avslut", "avslutskod", "åtgärd", "avslutsorsak",
                "res", "result", "closecode", "resolutioncode", "wrapupcode", "avslutningskod"),
    "resolved": ("resolved", "löst", "lost", "fcr", "solved", "lösttillfället", "resolvedfirstcontact"),
    "unused": ("closeddate", "closed", "closedat", "stängd", "avslutad", "stängddatum", "updateddatetime",
               "updateddate", "updated", "statusdescription", "state", "servicenotice", "subcategory", "priority",
               "expecteddatetime", "mediaurl", "servicecode", "servicesubtype", "servicedetails",
               "supervisordistrict", "policedistrict"),
    "demand_type": ("efterfrågan", "typavefterfrågan", "demandtype", "efterfrågetyp", "onödigefterfrågan",
                    "failuredemand", "avoidablecontact"),
    "failure_reason": ("orsak", "failurereason", "orsakskod", "orsaktillonödigefterfrågan"),
    "satisfaction": ("nöjdhet", "betyg", "nki", "satisfaction", "csat", "omdöme", "nöjd", "kundnöjdhet"),
    "identifier": ("telefonnummer", "telefon", "telnr", "nummer", "anummer", "uppringandenummer",
                   "mobilnummer", "mobil", "phone", "phonenumber", "caller", "callerid", "ani",
                   "personnummer", "pnr", "personnr", "samordningsnummer", "ssn", "epost",
                   "epostadress", "mail", "email", "emailadress", "avsändare", "from", "frånadress",
                   "kundnummer", "kundid", "customerid", "kundnr", "avsändaradress"),
    "free_text": ("kommentar", "kommentarer", "anteckning", "anteckningar", "notering", "noteringar",
                  "beskrivning", "ämne", "meddelande", "fritext", "comment", "comments", "note", "notes",
                  "subject", "description", "message", "text", "sammanfattning", "kommentaranteckning",
                  "ärendebeskrivning", "rubrik", "shortdescription", "statusnotes", "worknotes"),
    "personal": ("namn", "kundnamn", "förnamn", "efternamn", "name", "firstname", "lastname",
                 "fullname", "adress", "gatuadress", "address", "postadress", "postnummer", "postort",
                 "avsändarnamn", "kontaktperson", "lat", "long", "lon", "latitude", "longitude", "point",
                 "street", "zipcode", "ort", "callername", "customername"),
}

_BY_NAME = {name: role for role, names in SYNONYMS.items() for name in names}


UNITS = {"s": "s", "sek": "s", "sec": "s", "seconds": "s", "sekunder": "s", "min": "min", "minuter": "min",
         "minutes": "min", "h": "h", "tim": "h", "timmar": "h", "hours": "h", "hrs": "h"}


def normalise(header: str) -> str:
    header = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*$", "", header)   # "Wait Time (s)" -> "Wait Time"
    return re.sub(r"[^0-9a-zåäöéü]", "", header.casefold())


def unit_of(header: str) -> str | None:
    """The unit a header states in brackets: "Svarstid (h)" -> "h", "Wait Time (s)" -> "s"."""
    m = re.search(r"[(\[]\s*([a-zåäö]+)\s*[)\]]\s*$", header.casefold())
    return UNITS.get(m.group(1)) if m else None


def role_of(header: str) -> str | None:
    """The role a header name suggests, or None when it is not recognised."""
    return _BY_NAME.get(normalise(header))
