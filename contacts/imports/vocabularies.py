"""What other CRMs and address books call things: the column headers of their CSV exports
and the values of their choice columns, so such an export imports without manual mapping.

Pure data, one table per source, written the way the source writes it. `mapping` reads them:
headers and values are compared normalised (lower case, letters and digits only, umlauts
folded: "E-mail 1 - Value" -> "email1value", "Marketing Qualified Lead" ->
"marketingqualifiedlead"), so spelling variants of one source need no extra lines.

Headers (`CONTACT_HEADER_TABLES`, `ACCOUNT_HEADER_TABLES`): {header: our field}. The field
names are those of `mapping.CONTACT_FIELDS` / `ACCOUNT_FIELDS`. A header means the same field
in every table (a test checks); generic and German headers stay in `mapping`. Headers in
`SECONDARY_HEADERS` give way to another column of the same file that claims the field
("Home Phone" yields "phone" to "Business Phone", "Lead Status" yields the lifecycle stage to
"Lifecycle Stage", whatever their order).

Deliberately not mapped:
- opt-outs ("Email Opt Out", "HasOptedOutOfEmail", "Unsubscribed"): the inverse of our
  email opt-in; importing them as opt-ins would be wrong and inverting silently is a guess;
- record owners ("Contact owner", "Lead Owner"): a name, not a member of this workspace (the
  import form sets one owner for all rows);
- formatted addresses ("Address 1 - Formatted", "Person - Postal address"): one cell holding
  the whole address; the split columns next to them are mapped;
- ids, timestamps and scores ("Record ID", "Create Date", "Lead Score").

Values of choice columns (`CHOICE_VALUE_TABLES`): {field: {source: {value: our value}}}. A
value mapped to NO_EQUIVALENT is known but has no counterpart here (HubSpot's "Other",
Salesforce's "Closed - Not Converted"): like an unknown value, it leaves the field empty and
puts a note on the row, which names the value. `BLANK_VALUES` mean "not filled in" in any
choice column (Outlook writes "Unspecified" as every contact's gender): the field stays empty
without a note.

Why the lifecycle stages map as they do (ours: subscriber → lead → qualified → opportunity →
customer → evangelist, or churned):
- HubSpot's "Marketing Qualified Lead" and "Sales Qualified Lead" are both leads someone has
  qualified: "qualified". Its "Other" has no counterpart.
- Salesforce lead statuses: open or working leads are "lead"; "Closed - Converted" was
  qualified and converted: "qualified"; "Closed - Not Converted" has no counterpart.
- Zoho lead statuses likewise ("Pre-Qualified": "qualified"; junk, lost and not qualified
  leads have no counterpart); Pipedrive's person labels ("Hot lead", "Customer").
"""

NO_EQUIVALENT = None

# --- headers of contact exports ---------------------------------------------------------------

HUBSPOT_CONTACT_HEADERS = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email": "email",
    "Phone Number": "phone",
    "Mobile Phone Number": "mobile",
    "Company Name": "company",
    "Associated Company": "company",
    "Job Title": "job_title",
    "Street Address": "street",
    "City": "city",
    "State/Region": "region",
    "Postal Code": "postal_code",
    "Country/Region": "country",
    "Lifecycle Stage": "lifecycle_stage",
    "Lead Status": "lifecycle_stage",
    "Salutation": "salutation",
    "Date of birth": "date_of_birth",
    "Gender": "sex",
    "Degree": "education",
    "Preferred language": "language",
}

SALESFORCE_CONTACT_HEADERS = {
    # report and list-view labels
    "Salutation": "salutation",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Title": "job_title",
    "Account Name": "company",
    "Company": "company",
    "Email": "email",
    "Phone": "phone",
    "Mobile": "mobile",
    "Home Phone": "phone",
    "Mailing Street": "street",
    "Mailing City": "city",
    "Mailing State/Province": "region",
    "Mailing Zip/Postal Code": "postal_code",
    "Mailing Country": "country",
    "Street": "street",
    "State/Province": "region",
    "Zip/Postal Code": "postal_code",
    "Birthdate": "date_of_birth",
    "Lead Status": "lifecycle_stage",
    "Do Not Call": "do_not_call",
    # Data Loader (API names)
    "FirstName": "first_name",
    "LastName": "last_name",
    "MobilePhone": "mobile",
    "HomePhone": "phone",
    "MailingStreet": "street",
    "MailingCity": "city",
    "MailingState": "region",
    "MailingPostalCode": "postal_code",
    "MailingCountry": "country",
    "PostalCode": "postal_code",
    "DoNotCall": "do_not_call",
}

PIPEDRIVE_CONTACT_HEADERS = {
    "Person - Name": "full_name",
    "Person - First name": "first_name",
    "Person - Last name": "last_name",
    "Person - Email - Work": "email",
    "Person - Email - Home": "email2",
    "Person - Phone - Work": "phone",
    "Person - Phone - Mobile": "mobile",
    "Person - Phone - Home": "phone",
    "Person - Organization": "company",
    "Person - Job title": "job_title",
    "Person - Label": "lifecycle_stage",
    "Person - Birthday": "date_of_birth",
    "Person - Postal address - Street/road name": "street",
    "Person - Postal address - City/town": "city",
    "Person - Postal address - State/county": "region",
    "Person - Postal address - ZIP/Postal code": "postal_code",
    "Person - Postal address - Country": "country",
    # the same without the entity prefix (person list exports)
    "Email - Work": "email",
    "Email - Home": "email2",
    "Phone - Work": "phone",
    "Phone - Mobile": "mobile",
    "Phone - Home": "phone",
    "Label": "lifecycle_stage",
}

ZOHO_CONTACT_HEADERS = {
    "Salutation": "salutation",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Account Name": "company",
    "Company": "company",
    "Email": "email",
    "Secondary Email": "email2",
    "Title": "job_title",
    "Designation": "job_title",
    "Phone": "phone",
    "Mobile": "mobile",
    "Home Phone": "phone",
    "Date of Birth": "date_of_birth",
    "Mailing Street": "street",
    "Mailing City": "city",
    "Mailing State": "region",
    "Mailing Zip": "postal_code",
    "Mailing Country": "country",
    "Zip Code": "postal_code",
    "Lead Status": "lifecycle_stage",
}

OUTLOOK_CONTACT_HEADERS = {
    # "Title" is the salutation in Outlook files, which also have "Job Title" (see mapping)
    "First Name": "first_name",
    "Last Name": "last_name",
    "Company": "company",
    "Job Title": "job_title",
    "Business Street": "street",
    "Business City": "city",
    "Business State": "region",
    "Business Postal Code": "postal_code",
    "Business Country/Region": "country",
    "Home Street": "street",
    "Home City": "city",
    "Home State": "region",
    "Home Postal Code": "postal_code",
    "Home Country/Region": "country",
    "Business Phone": "phone",
    "Company Main Phone": "phone",
    "Primary Phone": "phone",
    "Home Phone": "phone",
    "Mobile Phone": "mobile",
    "E-mail Address": "email",
    "E-mail 2 Address": "email2",
    "Birthday": "date_of_birth",
    "Gender": "sex",
    "Language": "language",
    # German Outlook
    "Anrede": "salutation",
    "Vorname": "first_name",
    "Nachname": "last_name",
    "Firma": "company",
    "Position": "job_title",
    "Straße geschäftlich": "street",
    "Ort geschäftlich": "city",
    "Region geschäftlich": "region",
    "Postleitzahl geschäftlich": "postal_code",
    "Land/Region geschäftlich": "country",
    "Straße privat": "street",
    "Ort privat": "city",
    "Postleitzahl privat": "postal_code",
    "Land/Region privat": "country",
    "Telefon geschäftlich": "phone",
    "Telefon privat": "phone",
    "Mobiltelefon": "mobile",
    "E-Mail-Adresse": "email",
    "E-Mail 2: Adresse": "email2",
    "Geburtstag": "date_of_birth",
    "Geschlecht": "sex",
}

GOOGLE_CONTACT_HEADERS = {
    # Google Contacts CSV, the older ("Google CSV") and the current layout
    "Name": "full_name",
    "Given Name": "first_name",
    "Family Name": "last_name",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Name Prefix": "salutation",
    "E-mail 1 - Value": "email",
    "E-mail 2 - Value": "email2",
    "Phone 1 - Value": "phone",
    "Phone 2 - Value": "mobile",
    "Organization 1 - Name": "company",
    "Organization 1 - Title": "job_title",
    "Organization Name": "company",
    "Organization Title": "job_title",
    "Address 1 - Street": "street",
    "Address 1 - City": "city",
    "Address 1 - Region": "region",
    "Address 1 - Postal Code": "postal_code",
    "Address 1 - Country": "country",
    "Birthday": "date_of_birth",
    "Gender": "sex",
    "Language": "language",
}

APPLE_CONTACT_HEADERS = {
    # Apple Contacts exports vCards; these are the columns of common vCard-to-CSV exports
    # ("Exporter for Contacts", vcf2csv) and the vCard property names some tools keep.
    "First name": "first_name",
    "Last name": "last_name",
    "Prefix": "salutation",
    "Company": "company",
    "Organization": "company",
    "Job title": "job_title",
    "Birthday": "date_of_birth",
    "Email (work)": "email",
    "Email (home)": "email2",
    "Email (other)": "email2",
    "Phone (work)": "phone",
    "Phone (main)": "phone",
    "Phone (home)": "phone",
    "Phone (mobile)": "mobile",
    "Phone (iPhone)": "mobile",
    "Address (work) street": "street",
    "Address (work) city": "city",
    "Address (work) state": "region",
    "Address (work) ZIP": "postal_code",
    "Address (work) country": "country",
    "Address (home) street": "street",
    "Address (home) city": "city",
    "Address (home) state": "region",
    "Address (home) ZIP": "postal_code",
    "Address (home) country": "country",
    "FN": "full_name",
    "ORG": "company",
    "BDAY": "date_of_birth",
    "EMAIL": "email",
    "EMAIL;TYPE=INTERNET": "email",
    "EMAIL;TYPE=WORK": "email",
    "EMAIL;TYPE=HOME": "email2",
    "TEL": "phone",
    "TEL;TYPE=WORK": "phone",
    "TEL;TYPE=VOICE": "phone",
    "TEL;TYPE=HOME": "phone",
    "TEL;TYPE=CELL": "mobile",
    "TEL;TYPE=IPHONE": "mobile",
}

CONTACT_HEADER_TABLES = {
    "HubSpot": HUBSPOT_CONTACT_HEADERS,
    "Salesforce": SALESFORCE_CONTACT_HEADERS,
    "Pipedrive": PIPEDRIVE_CONTACT_HEADERS,
    "Zoho CRM": ZOHO_CONTACT_HEADERS,
    "Outlook": OUTLOOK_CONTACT_HEADERS,
    "Google Contacts": GOOGLE_CONTACT_HEADERS,
    "Apple Contacts (vCard)": APPLE_CONTACT_HEADERS,
}

# --- headers of company (account) exports -----------------------------------------------------

HUBSPOT_ACCOUNT_HEADERS = {
    "Company name": "name",
    "Company Domain Name": "domain",
    "Industry": "industry",
    "Number of Employees": "size",
    "Phone Number": "phone",
    "Website URL": "website",
    "Street Address": "street",
    "City": "city",
    "State/Region": "region",
    "Postal Code": "postal_code",
    "Country/Region": "country",
}

SALESFORCE_ACCOUNT_HEADERS = {
    "Account Name": "name",
    "Industry": "industry",
    "Employees": "size",
    "NumberOfEmployees": "size",
    "Phone": "phone",
    "Website": "website",
    "Billing Street": "street",
    "Billing City": "city",
    "Billing State/Province": "region",
    "Billing Zip/Postal Code": "postal_code",
    "Billing Country": "country",
    "BillingStreet": "street",
    "BillingCity": "city",
    "BillingState": "region",
    "BillingPostalCode": "postal_code",
    "BillingCountry": "country",
}

PIPEDRIVE_ACCOUNT_HEADERS = {
    "Organization - Name": "name",
    "Organization - Address - Street/road name": "street",
    "Organization - Address - City/town": "city",
    "Organization - Address - State/county": "region",
    "Organization - Address - ZIP/Postal code": "postal_code",
    "Organization - Address - Country": "country",
    "Organization - Number of employees": "size",
    "Organization - Industry": "industry",
    "Organization - Website": "website",
}

ZOHO_ACCOUNT_HEADERS = {
    "Account Name": "name",
    "Industry": "industry",
    "Employees": "size",
    "Phone": "phone",
    "Website": "website",
    "Billing Street": "street",
    "Billing City": "city",
    "Billing State": "region",
    "Billing Code": "postal_code",
    "Billing Country": "country",
}

ACCOUNT_HEADER_TABLES = {
    "HubSpot": HUBSPOT_ACCOUNT_HEADERS,
    "Salesforce": SALESFORCE_ACCOUNT_HEADERS,
    "Pipedrive": PIPEDRIVE_ACCOUNT_HEADERS,
    "Zoho CRM": ZOHO_ACCOUNT_HEADERS,
}

# Headers that give way to another column claiming the same field (see the module text).
SECONDARY_HEADERS = {
    "Home Phone",
    "Phone (home)",
    "TEL;TYPE=HOME",
    "Phone - Home",
    "Person - Phone - Home",
    "Telefon privat",
    "Lead Status",
    "Label",
    "Person - Label",
    "Home Street",
    "Home City",
    "Home State",
    "Home Postal Code",
    "Home Country/Region",
    "Straße privat",
    "Ort privat",
    "Postleitzahl privat",
    "Land/Region privat",
    "Address (home) street",
    "Address (home) city",
    "Address (home) state",
    "Address (home) ZIP",
    "Address (home) country",
    "Associated Company",
}

# --- values of choice columns -----------------------------------------------------------------

LIFECYCLE_VALUES = {
    "HubSpot": {
        "Subscriber": "subscriber",
        "Lead": "lead",
        "Marketing Qualified Lead": "qualified",
        "MQL": "qualified",
        "Sales Qualified Lead": "qualified",
        "SQL": "qualified",
        "Opportunity": "opportunity",
        "Customer": "customer",
        "Evangelist": "evangelist",
        "Other": NO_EQUIVALENT,
        # HubSpot lead statuses
        "New": "lead",
        "Open": "lead",
        "In Progress": "lead",
        "Attempted to Contact": "lead",
        "Connected": "lead",
        "Open Deal": "opportunity",
        "Unqualified": NO_EQUIVALENT,
        "Bad Timing": NO_EQUIVALENT,
    },
    "Salesforce": {
        "Open - Not Contacted": "lead",
        "Working - Contacted": "lead",
        "Closed - Converted": "qualified",
        "Closed - Not Converted": NO_EQUIVALENT,
    },
    "Pipedrive": {
        "Customer": "customer",
        "Hot lead": "lead",
        "Warm lead": "lead",
        "Cold lead": "lead",
    },
    "Zoho CRM": {
        "Not Contacted": "lead",
        "Attempted to Contact": "lead",
        "Contact in Future": "lead",
        "Contacted": "lead",
        "Pre-Qualified": "qualified",
        "Not Qualified": NO_EQUIVALENT,
        "Junk Lead": NO_EQUIVALENT,
        "Lost Lead": NO_EQUIVALENT,
    },
    "English": {
        "Prospect": "lead",
        "Qualified Lead": "qualified",
        "Client": "customer",
        "Former Customer": "churned",
        "Lost Customer": "churned",
        "Advocate": "evangelist",
    },
    "German": {
        "Abonnent": "subscriber",
        "Interessent": "lead",
        "Qualifiziert": "qualified",
        "Qualifizierter Lead": "qualified",
        "Verkaufschance": "opportunity",
        "Chance": "opportunity",
        "Kunde": "customer",
        "Stammkunde": "customer",
        "Fürsprecher": "evangelist",
        "Ehemaliger Kunde": "churned",
        "Abgewandert": "churned",
    },
}

SEX_VALUES = {
    "Outlook, Google, HubSpot": {"Female": "female", "Male": "male", "Non-binary": "diverse"},
    "German": {"Weiblich": "female", "Männlich": "male", "Divers": "diverse"},
}

SALUTATION_VALUES = {
    "English": {
        "Mr": "mr",
        "Mister": "mr",
        "Mrs": "ms",
        "Ms": "ms",
        "Miss": "ms",
        "Mx": "mx",
        "Dr": "dr",
        "Doctor": "dr",
        "Prof": "prof",
        "Professor": "prof",
        "Prof. Dr.": "prof",
    },
    "German": {
        "Herr": "mr",
        "Hr.": "mr",
        "Frau": "ms",
        "Fr.": "ms",
        "Dr.": "dr",
        "Doktor": "dr",
        "Prof.": "prof",
    },
    "French and Spanish": {
        "Monsieur": "mr",
        "Madame": "ms",
        "Mme": "ms",
        "Mademoiselle": "ms",
        "Señor": "mr",
        "Sr.": "mr",
        "Señora": "ms",
        "Sra.": "ms",
    },
}

EDUCATION_VALUES = {
    "English": {
        "None": "none",
        "Primary School": "primary",
        "Elementary School": "primary",
        "High School": "secondary",
        "Secondary School": "secondary",
        "Vocational Training": "vocational",
        "Apprenticeship": "vocational",
        "Bachelor's": "bachelor",
        "Bachelor's Degree": "bachelor",
        "BA": "bachelor",
        "BSc": "bachelor",
        "Master's": "master",
        "Master's Degree": "master",
        "MA": "master",
        "MSc": "master",
        "MBA": "master",
        "PhD": "doctorate",
        "Doctoral Degree": "doctorate",
    },
    "German": {
        "Kein Abschluss": "none",
        "Grundschule": "primary",
        "Hauptschulabschluss": "secondary",
        "Realschulabschluss": "secondary",
        "Mittlere Reife": "secondary",
        "Abitur": "secondary",
        "Ausbildung": "vocational",
        "Berufsausbildung": "vocational",
        "Diplom": "master",
        "Magister": "master",
        "Promotion": "doctorate",
    },
}

PREFERRED_CHANNEL_VALUES = {
    "English": {
        "E-mail": "email",
        "Telephone": "phone",
        "Call": "phone",
        "Text": "sms",
        "Text message": "sms",
        "Post": "mail",
        "Postal mail": "mail",
        "In person": "sales_visit",
        "Visit": "sales_visit",
        "Sales visit": "sales_visit",
    },
    "German": {
        "Telefon": "phone",
        "Anruf": "phone",
        "Brief": "mail",
        "Besuch": "sales_visit",
    },
}

CHOICE_VALUE_TABLES = {
    "lifecycle_stage": LIFECYCLE_VALUES,
    "sex": SEX_VALUES,
    "salutation": SALUTATION_VALUES,
    "education": EDUCATION_VALUES,
    "preferred_channel": PREFERRED_CHANNEL_VALUES,
}

# Values that mean "not filled in" in any choice column: the field stays empty, no note.
BLANK_VALUES = {
    "Unspecified",
    "Not specified",
    "Unknown",
    "N/A",
    "-",
    "Keine Angabe",
    "Unbekannt",
}
