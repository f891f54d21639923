"""The caps an import upload is checked against (issue: one small spreadsheet took a web
process down). Every number here bounds memory or work whatever the file claims; a file
beyond one is refused with a message that says which cap and what to do.
"""

# Upload size, as sent by the browser.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024

# Columns and rows one import reads. 500 columns covers the widest CRM exports (Outlook: 92,
# Salesforce/HubSpot full exports: a few hundred) while keeping the mapping page small; the
# row cap is the import size the product is built and benchmarked for (DESIGN.md §11).
MAX_COLUMNS = 500
MAX_ROWS = 1_000_000  # data rows, the header row not counted

# One field: a spreadsheet cell holds at most 32,767 characters, so a longer value is not
# contact data. A row with such a value in a mapped column is rejected; the import goes on.
MAX_FIELD_CHARS = 32_768
# One CSV record (all its fields, quoted line breaks included). A longer record refuses the
# file: past this the reader cannot know where the next row starts, and it bounds memory.
MAX_RECORD_CHARS = 1024 * 1024

# XLSX is a zip of XML parts: what its directory may claim before anything is expanded.
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_DIRECTORY_BYTES = 4 * 1024 * 1024
# Uncompressed size of one part, and of all parts together.
MAX_PART_BYTES = 1024 * 1024 * 1024
MAX_SMALL_PART_BYTES = 16 * 1024 * 1024  # workbook, relationships, styles
MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
# Sheet XML compresses 5-20x, very repetitive sheets up to ~100x; zip bombs 1000x.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024  # tiny parts may compress better; they cost nothing
# Distinct strings in the shared string table (their text goes to a temporary file; only an
# 8-byte offset per string stays in memory: 32 MB at the cap).
MAX_SHARED_STRINGS = 4_000_000

# What the mapping page keeps of the first rows (stored on the ImportJob at upload).
PREVIEW_ROWS = 10
PREVIEW_CELL_CHARS = 1_001  # longer than any field limit, so the preview still flags it
PREVIEW_BUDGET_CHARS = 256 * 1024
HEADER_CHARS = 200
